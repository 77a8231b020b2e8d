"""Finding cue words in what the caller said — by characters and by sound.

The recogniser writes many words as homophones (痴呆 → 吃呆, 投诉 → 头诉), so a cue phrase of two
or more characters also matches when its toneless pinyin appears in the text; phrases of three
or more characters (and cues marked `near`) match near-miss sounds too (zh/z, ch/c, sh/s, n/l,
-ng/-n, i/ü merged, see knowledge.phonetic), the way callers' accents and the recogniser blur
them. Regular-expression cues match characters only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from knowledge.phonetic import fuzzy_keys
from knowledge.segment import cut, is_common_word, last_char_joins_next


@dataclass(frozen=True)
class Cue:
    """One cue: a phrase (matched by characters and by sound) or a regular expression.

    `near`: also match near-miss sounds (knowledge.phonetic's coarse keys: 举报 ≈ 寄报); on by
    default for phrases of three or more characters, where a near miss is rarely another word.
    """

    label: str
    weight: float
    phrase: str | None = None
    pattern: re.Pattern[str] | None = None
    near: bool = False


@dataclass(frozen=True)
class CueHit:
    cue: Cue
    start: int
    end: int
    by_sound: bool


@dataclass
class Utterance:
    """A caller's text with one toneless syllable per character (non-Han characters as is)."""

    text: str
    syllables: list[str] = field(default_factory=list)
    near: list[frozenset[str]] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors=lambda run: list(run)))


def utterance(text: str) -> Utterance:
    syllables = list(_syllables(text))
    if len(syllables) != len(text):  # never expected; fall back to character matching only
        syllables = list(text)
    return Utterance(text, syllables, [fuzzy_keys(c) for c in text])


def _is_han(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in text)


def _find_sublist(haystack: list[str], needle: tuple[str, ...]) -> list[int]:
    hits = []
    first = needle[0]
    for i in range(len(haystack) - len(needle) + 1):
        if haystack[i] == first and tuple(haystack[i:i + len(needle)]) == needle:
            hits.append(i)
    return hits


def _find_near(haystack: list[frozenset[str]], needle: list[frozenset[str]]) -> list[int]:
    return [
        i for i in range(len(haystack) - len(needle) + 1)
        if all(haystack[i + k] & keys for k, keys in enumerate(needle))
    ]


def find_cues(utt: Utterance, cues: tuple[Cue, ...]) -> list[CueHit]:
    """All cue hits in `utt`, at most one per place (a character match wins over sound)."""
    hits: list[CueHit] = []
    for cue in cues:
        if cue.pattern is not None:
            hits.extend(CueHit(cue, m.start(), m.end(), False) for m in cue.pattern.finditer(utt.text))
            continue
        phrase = cue.phrase or ""
        starts = {m.start() for m in re.finditer(re.escape(phrase), utt.text)}
        hits.extend(
            CueHit(cue, s, s + len(phrase), False) for s in sorted(starts)
            if len(phrase) != 2 or not _split_between_words(utt.text, s)
        )
        if len(phrase) >= 2 and _is_han(phrase):
            strict = _syllables(phrase)
            sound_starts = set(_find_sublist(utt.syllables, strict))
            if cue.near or len(phrase) >= 3:
                sound_starts |= set(_find_near(utt.near, [fuzzy_keys(c) for c in phrase]))
            hits.extend(
                CueHit(cue, s, s + len(phrase), True) for s in sorted(sound_starts - starts)
                if _is_han(utt.text[s:s + len(phrase)]) and not _straddles_words(utt.text, s, len(phrase))
            )
    return hits


def _split_between_words(text: str, start: int) -> bool:
    """Two characters written as a cue but said as parts of two words, one of them a common word
    that reaches past the cue (打过电话 holds 过电 across 打过 and 电话): the caller said those
    words, not the cue."""
    for word_start, word in _words(text):
        word_end = word_start + len(word)
        if word_start < start + 1 < word_end:
            return False  # one word holds both characters
        if word_start <= start < word_end or word_start <= start + 1 < word_end:
            reaches_past = word_start < start or word_end > start + 2
            if reaches_past and len(word) > 1 and is_common_word(word):
                return True
    return False


@lru_cache(maxsize=256)
def _words(text: str) -> tuple[tuple[int, str], ...]:
    found, at = [], 0
    for word in cut(text, hmm=False):
        found.append((at, word))
        at += len(word)
    return tuple(found)


def _straddles_words(text: str, start: int, length: int) -> bool:
    """Syllables that sound like a cue but whose characters belong to the words either side
    (看见一个 holds jian yi, 建议, across 看见 and 一个): a homophone of a word is heard where it
    stands alone, not where its parts belong to words said plainly."""
    before = start > 0 and is_common_word(text[start - 1:start + 1])
    if length != 2:
        # 嚷嚷起来 holds rang qi lai, 燃起来, but its first 嚷 belongs to 嚷嚷; 一股羊肉 holds yi gu yang,
        # 一股烟, but its last 羊 belongs to 羊肉
        end = start + length
        # (儿 is the last syllable's own ending: 没气味儿 is still 煤气味 heard)
        return before or (text[end:end + 1] != "儿" and last_char_joins_next(text, end))
    after = start + 3 <= len(text) and is_common_word(text[start + 1:start + 3])
    return before or after


def phrases(label: str, weight: float, words: str, near: bool = False) -> tuple[Cue, ...]:
    """Cues from a space-separated word list."""
    return tuple(Cue(label, weight, phrase=w, near=near) for w in words.split())


def patterns(label: str, weight: float, *regexes: str) -> tuple[Cue, ...]:
    return tuple(Cue(label, weight, pattern=re.compile(r)) for r in regexes)
