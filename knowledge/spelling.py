"""Where a transcript may have misspelt a name or service word the hotline knows.

Whisper base writes what it hears in the first characters that come to it: 海电区 for 海淀区,
回笼官接到 for 回龙观街道, 一宝 for 医保. `Misspellings.find` lists the stretches of a transcript
that sound like a known term but are written otherwise, loosely (near-miss syllables, one garbled
syllable in a long name): they are only candidates. Whether the caller said the term is for the
recogniser to judge against the audio (voice/asr/respelling.py); that check is what lets the
matching here be loose without writing names into ordinary speech.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from knowledge import segment
from knowledge.phonetic import HOMOPHONE, SAME_CHAR, TermIndex, match_sequence, readings

# Mean per-character similarity a stretch needs to be worth asking the recogniser about: every
# syllable a near-miss (0.7) passes, a long name with one syllable lost (0.0) and the rest right
# passes, two near-misses out of three with one wrong do not.
MIN_SIMILARITY = 0.6
# An ending this many terms share (街道, 区, 镇, 卡) says what kind of thing a term is, not which:
# a lost syllable may not fall in what is left of a short name (心村街道 is no 兴丰街道).
COMMON_ENDING_TERMS = 8
# A dictionary word this long that the recogniser wrote whole (进进出出) was heard as said: a
# candidate may not cut into it.
WHOLE_WORD_CHARS = 4
# Negations: among the commonest characters, which Whisper writes as said; written over, they turn
# what the caller said around (他户口不在北京 respelt as 户口簿在北京, seen live). A candidate may
# keep one where its term has it too (非经济 → 非京籍), never replace it.
NEGATIONS = frozenset("不没无未别非莫勿")


class Misspelling(NamedTuple):
    """A (term, start, end) triple, as voice/asr/respelling.py takes its candidates."""

    term: str   # the known term
    start: int  # where the transcript has it otherwise spelt
    end: int


class Misspellings:
    """Finds stretches of a transcript that sound like one of `terms` (places, services)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = {t for t in terms if 2 <= len(t) <= 12}
        self._index = TermIndex(self._terms)
        self._endings = _common_endings(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, text: str) -> list[Misspelling]:
        """Every candidate, overlapping ones included (the recogniser picks among them)."""
        whole_words = _whole_word_insides(text)
        found: list[Misspelling] = []
        for start in range(len(text)):
            for term in self._index.starting_at(text, start):
                end = start + len(term)
                heard = text[start:end]
                if heard == term or start in whole_words or end in whole_words:
                    continue
                if not all(readings(char) for char in heard):
                    continue  # a stretch across punctuation or digits is no misspelt name
                if any(said in NEGATIONS and said != known for said, known in zip(heard, term, strict=False)):
                    continue
                sims = match_sequence(text, start, term, allow_miss=len(term) >= 4, aspiration=len(term) >= 3)
                if sims is None or sum(sims) / len(sims) < MIN_SIMILARITY:
                    continue
                name = len(term) - self._ending_length(term)
                if name < 3 and 0.0 in sims[:name]:
                    continue
                # Two syllables sound like many things: one must be right, or both exact homophones.
                if len(term) == 2 and SAME_CHAR not in sims and min(sims) < HOMOPHONE:
                    continue
                found.append(Misspelling(term, start, end))
        return found

    def _ending_length(self, term: str) -> int:
        return next((len(e) for e in self._endings if term.endswith(e) and len(term) > len(e) + 1), 0)


def _common_endings(terms: set[str]) -> list[str]:
    """Endings of one or two characters that many terms share, longest first."""
    counts: dict[str, int] = {}
    for term in terms:
        for size in (1, 2):
            if len(term) > size + 1:
                counts[term[-size:]] = counts.get(term[-size:], 0) + 1
    return sorted((e for e, n in counts.items() if n >= COMMON_ENDING_TERMS), key=len, reverse=True)


def _whole_word_insides(text: str) -> set[int]:
    """Positions strictly inside a long dictionary word of `text` (where no candidate may start or end)."""
    inside: set[int] = set()
    position = 0
    for word in segment.cut(text, hmm=False):
        if len(word) >= WHOLE_WORD_CHARS:
            inside.update(range(position + 1, position + len(word)))
        position += len(word)
    return inside
