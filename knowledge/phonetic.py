"""Tone-less pinyin comparison, for words the recogniser writes with the wrong characters.

Whisper hears place and service names right but spells them as homophones (区 → 期/曲/去,
街道 → 接到, 望京 → 忘经, 护照 → 户照). Comparing the syllables instead of the characters
recovers them. Besides exact homophones we accept the near-misses a Beijing phone line and a
small recogniser produce: retroflex vs flat initials (zh/z, ch/c, sh/s), n/l, f/h, r/l, and
front vs back nasal finals (an/ang, en/eng, in/ing …), plus i/ü (期 qi for 区 qu).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

# Two-letter initials first so "zh" is not read as "z" + "h…".
_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
             "j", "q", "x", "r", "z", "c", "s", "y", "w")
_NEAR_INITIALS = {frozenset(pair) for pair in (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"),
                                               ("f", "h"), ("r", "l"))}
_NEAR_FINALS = {frozenset(pair) for pair in (("an", "ang"), ("en", "eng"), ("in", "ing"), ("ian", "iang"),
                                             ("uan", "uang"), ("i", "v"), ("eng", "ong"), ("uo", "o"),
                                             ("ie", "ve"), ("in", "vn"))}

# Initials that differ only in aspiration (础 chu for 住 zhu): a phone line and a small recogniser
# confuse them, but so many words differ only so that they count as near only where the audio is
# asked to judge (knowledge/spelling.py).
_ASPIRATED_PAIRS = {frozenset(pair) for pair in (("zh", "ch"), ("z", "c"), ("j", "q"), ("b", "p"), ("d", "t"),
                                                 ("g", "k"))}

# Initials a small recogniser on a phone line swaps, for `closeness`: the near ones, those that differ
# in aspiration, and j/q/x (桥 qiao heard 销 xiao, 区 qu heard 序 xu).
_CLOSE_INITIALS = _NEAR_INITIALS | _ASPIRATED_PAIRS | {frozenset(pair) for pair in (("j", "q"), ("q", "x"),
                                                                                   ("j", "x"))}
# What a near initial or final keeps of the sound, in `closeness`.
NEAR_PART = 0.6

SAME_CHAR = 1.0
HOMOPHONE = 0.9
NEAR = 0.7    # one of initial/final is a near-miss
NEARER = 0.5  # both are


def split_syllable(syllable: str) -> tuple[str, str]:
    """("zhuang" → "zh", "uang"); u after j/q/x/y is ü and written "v" so 区 qu ≈ 期 qi."""
    initial = next((i for i in _INITIALS if syllable.startswith(i)), "")
    final = syllable[len(initial):]
    if initial in ("j", "q", "x", "y") and final.startswith("u"):
        final = "v" + final[1:]
    return initial, final


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@lru_cache(maxsize=65536)
def readings(char: str) -> frozenset[str]:
    """The usual tone-less reading of a character as the recogniser wrote it.

    Only the most common reading: rare ones (它 yi, 是 ti) would make half the language
    sound alike.
    """
    if not _is_han(char):
        return frozenset()
    found = pinyin(char, style=Style.NORMAL, errors="ignore")
    return frozenset(r for r in (found[0] if found else []) if r.isalpha())


@lru_cache(maxsize=16384)
def word_readings(word: str) -> tuple[frozenset[str], ...]:
    """Per character, how a name or term is pronounced: its reading in the word (长辛店 chang,
    马家堡 pu) plus the character's usual reading, as the recogniser may write either."""
    if not all(_is_han(c) for c in word):
        return tuple(readings(c) for c in word)
    in_context = lazy_pinyin(word, style=Style.NORMAL)
    if len(in_context) != len(word):
        in_context = [""] * len(word)
    return tuple(
        readings(c) | _ALSO_READ.get(c, frozenset()) | ({r} if r.isalpha() else set())
        for c, r in zip(word, in_context, strict=True)
    )


# Readings pypinyin misses in names and terms, where the character stands alone in its word: it
# reads 长阳 and 长辛店 zhang, where Beijing says chang (as in 延长, 长期). Every other reading of
# every character would make half the language sound alike (大 dai turned 期待 into 大台).
_ALSO_READ = {"长": frozenset({"chang"})}


@lru_cache(maxsize=65536)
def syllable_similarity(a: str, b: str, aspiration: bool = False) -> float:
    """HOMOPHONE, NEAR or NEARER; with `aspiration`, initials differing only in it are near too."""
    if a == b:
        return HOMOPHONE
    (ia, fa), (ib, fb) = split_syllable(a), split_syllable(b)
    pair = frozenset((ia, ib))
    initial_near = ia == ib or pair in _NEAR_INITIALS or aspiration and pair in _ASPIRATED_PAIRS
    final_near = fa == fb or frozenset((fa, fb)) in _NEAR_FINALS
    if not (initial_near and final_near):
        return 0.0
    return NEAR if (ia == ib or fa == fb) else NEARER


def char_similarity(a: str, b: str) -> float:
    """1.0 for the same character, HOMOPHONE/NEAR/NEARER by sound, 0.0 otherwise."""
    if a == b:
        return SAME_CHAR
    return _readings_similarity(readings(a), readings(b))


@lru_cache(maxsize=65536)
def _readings_similarity(ra: frozenset[str], rb: frozenset[str], aspiration: bool = False) -> float:
    return max((syllable_similarity(x, y, aspiration) for x in ra for y in rb), default=0.0)


def shares_a_sound(a: str, b: str) -> bool:
    """The two characters' syllables keep their initial or their final in common, or a near one
    (拱 gong and 红 hong, 大 da and 待 dai, 贞 zhen and 遵 zun): one sound of the syllable garbled,
    not a different syllable."""
    for x in readings(a):
        for y in readings(b):
            (ia, fa), (ib, fb) = split_syllable(x), split_syllable(y)
            if ia and (ia == ib or frozenset((ia, ib)) in _NEAR_INITIALS):
                return True
            if fa == fb or frozenset((fa, fb)) in _NEAR_FINALS:
                return True
    return False


def fuzzy_keys(char: str) -> frozenset[str]:
    """Coarse sound keys (near-miss variants collapsed) of a heard character, for index lookups."""
    return frozenset(_coarse(r) for r in readings(char))


def word_keys(word: str) -> frozenset[str]:
    """Coarse sound keys of a word's first character, for indexing names and terms."""
    return frozenset(_coarse(r) for r in word_readings(word)[0]) if word else frozenset()


@lru_cache(maxsize=4096)
def _coarse(syllable: str) -> str:
    initial, final = split_syllable(syllable)
    initial = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "r": "l", "f": "h"}.get(initial, initial)
    final = {"v": "i", "vn": "in", "ve": "ie", "ong": "eng", "uo": "o"}.get(final, final)
    return initial + final.replace("ng", "n")


def match_sequence(
    text: str, start: int, word: str, allow_miss: bool = False, aspiration: bool = False
) -> list[float] | None:
    """Per-character similarity of `word` against text[start:], or None if a character misses.

    With allow_miss, one character after the first may miss (scored 0.0): long names with one
    garbled syllable (八里中 for 八里庄) are still found, for the caller to judge. With
    `aspiration`, initials that differ only in aspiration count as near.
    """
    if start + len(word) > len(text):
        return None
    scores = []
    pronounced = word_readings(word)
    for offset, char in enumerate(word):
        heard = text[start + offset]
        score = SAME_CHAR if char == heard else _readings_similarity(pronounced[offset], readings(heard), aspiration)
        if score < NEARER:
            if not allow_miss or offset == 0 or 0.0 in scores:
                return None
            score = 0.0
        scores.append(score)
    return scores


class TermIndex:
    """Terms by the coarse sound of their first character: which terms might start at a place in
    a transcript, longest first."""

    def __init__(self, terms: Iterable[str], min_length: int = 2) -> None:
        self._by_key: dict[str, list[str]] = {}
        for term in sorted(set(terms), key=len, reverse=True):
            if len(term) >= min_length and all(readings(c) for c in term):
                for key in word_keys(term):
                    self._by_key.setdefault(key, []).append(term)

    def starting_at(self, text: str, start: int) -> list[str]:
        found = {t for key in fuzzy_keys(text[start]) for t in self._by_key.get(key, ())}
        return sorted(found, key=lambda t: (-len(t), t))


class SoundAlikeFinder:
    """Finds domain terms the recogniser wrote as homophones (拉基站 → 垃圾站, 户照 → 护照).

    Only whole-term homophones count, never near-misses. A two-character term must keep one of
    its characters (户照 → 护照), and a stretch that is itself a common word (一包, 事业) is taken
    as said, not as a mishearing of 医保 or 失业; `is_common_word` decides that.
    """

    def __init__(
        self,
        terms: Iterable[str],
        is_common_word: Callable[[str], bool],
        min_length: int = 2,
        fillers: Iterable[str] = (),
        is_word: Callable[[str], bool] | None = None,
    ):
        self._is_common_word = is_common_word
        self._is_word = is_word or is_common_word
        self._index = TermIndex(terms, max(min_length, 2))
        # Two-syllable fillers (一下, 那个): a syllable that with its neighbour sounds like one
        # belongs to the filler, not to a term (私行依下 is 咨询一下, not 行医).
        self._fillers = [f for f in set(fillers) if len(f) == 2 and all(readings(c) for c in f)]

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(term, start, end) for each misspelt term, longest first, without overlaps."""
        found: list[tuple[str, int, int]] = []
        taken: set[int] = set()
        for start in range(len(text)):
            for term in self._index.starting_at(text, start):
                end = start + len(term)
                heard = text[start:end]
                if heard == term or taken.intersection(range(start, end)):
                    continue
                sims = match_sequence(text, start, term)
                if sims is None or min(sims) < HOMOPHONE:
                    continue
                if len(term) == 2 and (SAME_CHAR not in sims or self._is_common_word(heard)):
                    continue  # two syllables are too easily a coincidence (有衣 is no 游医)
                if len(term) == 2 and (self._in_filler(text, start, end, sims) or self._in_word(text, start, sims)):
                    continue
                found.append((term, start, end))
        found.sort(key=lambda f: (f[1] - f[2], f[1]))
        chosen: list[tuple[str, int, int]] = []
        for term, start, end in found:
            if not taken.intersection(range(start, end)):
                chosen.append((term, start, end))
                taken.update(range(start, end))
        return sorted(chosen, key=lambda f: f[1])

    def _in_word(self, text: str, start: int, sims: list[float]) -> bool:
        """Whether the term's differing last character begins a word with the character after it
        (开电钻: 电 belongs to 电钻, so this is no 开店). Only forwards: the recogniser runs a
        misheard syllable into the word before it as often as not (我家暴宝 is 我家宝宝)."""
        at = start + 1
        pair = text[at:at + 2]
        return sims[1] != SAME_CHAR and len(pair) == 2 and self._is_word(pair)

    def _in_filler(self, text: str, start: int, end: int, sims: list[float]) -> bool:
        """Whether the term's misheard syllable and its outer neighbour sound like a filler."""
        for offset, sim in enumerate(sims):
            if sim == SAME_CHAR:
                continue
            at = start + offset
            pair_start = at - 1 if at == start else at  # with the neighbour outside the term
            pair = text[pair_start:pair_start + 2] if pair_start >= 0 else ""
            if len(pair) == 2 and any(
                all(char_similarity(a, b) >= HOMOPHONE for a, b in zip(pair, filler, strict=True))
                for filler in self._fillers
            ):
                return True
        return False


def closeness(name: str, heard: str) -> float:
    """How much of `name`'s sound the same number of `heard` characters keeps, 0..1: each syllable
    counts half for its initial and half for its final, a near one for NEAR_PART of that, and the
    name's syllables are averaged. Unlike `match_sequence` no syllable must survive whole, so it
    only means something among a few candidates (the streets of one district): 红春节等 keeps 0.62
    of 拱辰街道, every other street of 房山区 at most half."""
    if len(heard) != len(name) or not name:
        return 0.0
    total = 0.0
    for offset, (said, char) in enumerate(zip(word_readings(name), heard, strict=True)):
        if char == name[offset]:
            total += 1.0
        else:
            total += max((_syllable_closeness(a, b) for a in said for b in readings(char)), default=0.0)
    return total / len(name)


@lru_cache(maxsize=65536)
def _syllable_closeness(a: str, b: str) -> float:
    (ia, fa), (ib, fb) = split_syllable(a), split_syllable(b)
    initial = 1.0 if ia == ib else NEAR_PART if frozenset((ia, ib)) in _CLOSE_INITIALS else 0.0
    final = 1.0 if fa == fb else NEAR_PART if frozenset((fa, fb)) in _NEAR_FINALS else 0.0
    return (initial + final) / 2
