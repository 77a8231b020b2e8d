"""Undo the recogniser's homophones for domain words before looking things up.

Whisper hears 公积金 and writes 攻击金, 尾号限行 → 委号现行, 失业金 → 事业经. The knowledge base
and the catalogue are searched by words, so a misspelt service name finds nothing. This module
knows the domain vocabulary (the KB's service words, the catalogue's keywords) and adds the
vocabulary word to the query wherever the text *sounds like* it but is spelt differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from knowledge.phonetic import HOMOPHONE, NEAR, SAME_CHAR, TermIndex, match_sequence

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.gazetteer import Gazetteer
    from knowledge.kb import KbIndex


def domain_vocabulary(kb: KbIndex, catalogue: Catalogue) -> set[str]:
    """Service and problem words whose homophones are worth undoing: the KB lexicon's service
    words, the articles' tags and the catalogue's keywords (not everyday words, which would
    turn homophones of ordinary speech into false hits)."""
    from knowledge.kb_lexicon import SYNONYMS, USER_WORDS

    words = set(USER_WORDS) | set(SYNONYMS.values())
    for article in kb.articles:
        words.update(article.tags)
    for entry in getattr(catalogue, "entries", []):
        words.update(entry.keywords)
    return words


def names_to_listen_for(kb: KbIndex, catalogue: Catalogue, gazetteer: Gazetteer) -> set[str]:
    """What the recogniser may respell a transcript into (voice/asr/respelling.py): the places
    of the gazetteer and the domain vocabulary, with the words callers use for the services and
    the situations the KB's concepts describe, and the words of danger; the audio decides, so the
    list may be generous."""
    from agent.danger_cues import danger_words
    from knowledge.kb_lexicon import SYNONYMS
    from knowledge.kb_situations import concept_words

    return domain_vocabulary(kb, catalogue) | gazetteer.names() | set(SYNONYMS) | concept_words() | danger_words()


class SoundCorrector:
    """Finds domain words spoken in `text` but written with other characters."""

    def __init__(self, vocabulary: Iterable[str]):
        words = {w for w in vocabulary if 2 <= len(w) <= 8 and all("\u4e00" <= c <= "\u9fff" for c in w)}
        self._index = TermIndex(words)

    def heard_words(self, text: str) -> list[str]:
        """Vocabulary words that `text` sounds like where it does not contain them literally."""
        found: list[str] = []
        for start in range(len(text)):
            for word in self._index.starting_at(text, start):
                if text.startswith(word, start) or word in found:
                    continue
                sims = match_sequence(text, start, word)
                if sims is None:
                    continue
                # Two syllables are only trusted with one character right and the other an exact
                # homophone (社保 heard as 设保); longer words may have near misses (失业金 as 事业经).
                if len(word) == 2 and (min(sims) < HOMOPHONE or max(sims) < SAME_CHAR):
                    continue
                if min(sims) < NEAR or sum(sims) / len(sims) < 0.8:
                    continue
                found.append(word)
        return found

    def corrected(self, text: str) -> str:
        """`text` with the domain words it sounds like appended (the original is kept)."""
        words = self.heard_words(text)
        return text if not words else text + " " + " ".join(words)
