"""How a place name is heard in a transcript: its suffix by sound, a name with a syllable garbled,
and whether it stands as a word of its own (knowledge/gazetteer.py matches names with these)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum

from knowledge.phonetic import NEAR, SAME_CHAR, char_similarity, closeness, match_sequence, readings, shares_a_sound
from knowledge.place_lexicon import STREET_SUFFIXES


class WordBounds:
    """jieba's word boundaries in one text, computed only if a bare name needs checking."""

    def __init__(self, text: str, cut: Callable[[str], list[str]]):
        self._text = text
        self._cut = cut
        self._bounds: set[int] | None = None
        self._token_start_at: dict[int, int] = {}

    def is_word(self, start: int, end: int) -> bool:
        """True when jieba does not glue the name's ends onto neighbouring characters."""
        if self._bounds is None:
            self._bounds = set()
            pos = 0
            for token in self._cut(self._text):
                self._bounds.add(pos)
                for i in range(pos, pos + len(token)):
                    self._token_start_at[i] = pos
                pos += len(token)
            self._bounds.add(pos)
        # The name may begin a longer token (龙潭公园) but not end inside one that began before it.
        return start in self._bounds and (end in self._bounds or self._token_start_at.get(end - 1) == start)


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def heard_suffix(text: str, at: int, suffixes: tuple[str, ...]) -> list[float] | None:
    """Similarities of the first (longest) suffix heard at `at`; one-character ones by sound only
    for 区 (heard as 期/曲/去), since 乡/镇 sound like too many everyday words."""
    for suffix in suffixes:
        sims = match_sequence(text, at, suffix)
        if sims is None or min(sims) < NEAR:
            continue
        if len(suffix) == 1 and suffix != "区" and sims[0] != SAME_CHAR:
            continue
        if len(suffix) > 1 and sum(sims) / len(sims) < 0.8:
            continue
        return sims
    return None


def heard_loosely(name: str, heard: str) -> bool:
    """Every syllable of `name` heard right or nearly, but one that keeps a sound of the right one."""
    sims = [char_similarity(a, b) for a, b in zip(name, heard, strict=True)]
    garbled = [i for i, x in enumerate(sims) if x < NEAR]
    return len(garbled) <= 1 and all(shares_a_sound(name[i], heard[i]) for i in garbled)


def street_suffix_end(text: str, at: int, own: str = "") -> int | None:
    """Where a street suffix heard at `at` ends: 街道 by sound, the street's `own` suffix (镇 for
    永定镇, heard as 正) by sound, or 街 followed by a garbled syllable (街的, 接等), as the
    recogniser writes it."""
    sims = heard_suffix(text, at, STREET_SUFFIXES)
    if sims is not None:
        return at + len(sims)
    own_sims = match_sequence(text, at, own) if own else None
    if own_sims is not None and min(own_sims) >= NEAR:
        return at + len(own)
    if at + 1 < len(text) and "jie" in readings(text[at]) and "\u4e00" <= text[at + 1] <= "\u9fff":
        return at + 2
    return None


class Softly(Enum):
    """How much of a street's sound (phonetic.closeness) the words right after its district must
    keep, said bare, when no syllable of them need be heard right: after a district said clearly,
    or after one itself only heard loosely (晚上 ~ 房山: then only a name nearly whole is no
    coincidence)."""

    AFTER_DISTRICT = 0.75
    AFTER_LOOSE_DISTRICT = 0.85


# Two bare syllables half heard match some street of a district by chance (公司 ~ 东四), so they
# need one heard right and the other nearly. Said with its suffix a name may keep less, as long as
# its own part keeps half and the suffix most of its sound: every street of a district shares
# 街道, so the suffix alone tells none apart.
_TWO_SYLLABLES = 0.85
_WITH_SUFFIX = 0.65
_NAME_WITH_SUFFIX = 0.5
_SUFFIX = 0.7
# The street that matches best must beat every other street of the district by this much.
_LEAD = 0.1
# Where a caller dictates, numerals are what they said (一三零 is no 十三陵).
_NUMERALS = frozenset("零〇一二两三四五六七八九十幺百千万0123456789")


def street_heard_softly(
    text: str, after: int, streets: Sequence[str], softly: Softly
) -> tuple[float, str, int] | None:
    """(score, street, end) of the street among `streets` (one district's) whose sound the words
    right after `after` keep best, when no syllable of them need be heard right (风牌序路勾销接 is
    丰台区卢沟桥街道, 通州张江湾警 通州区张家湾镇). Among the dozen or two streets of one district,
    a name that keeps most of its sound is rarely another. The words may follow a pause or a 区
    heard garbled (序), nothing else."""
    starts = [after]
    if after < len(text) and (text[after] in "，, 、的" or closeness("区", text[after]) >= 0.5):
        starts.append(after + 1)
    best: dict[str, tuple[float, float, int]] = {}  # street → (how far past its bar, closeness, end)
    for start in starts:
        for street in streets:
            core = strip_suffix(street, STREET_SUFFIXES)
            if len(core) < 2:
                continue
            for fit in (_bare_fit(text, start, core, softly), _suffixed_fit(text, start, street, core, softly)):
                if fit is not None and (street not in best or fit[0] > best[street][0]):
                    best[street] = fit
    ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
    if not ranked or ranked[0][1][0] < 0 or len(ranked) > 1 and ranked[0][1][0] - ranked[1][1][0] < _LEAD:
        return None
    street, (_, score, end) = ranked[0]
    return round(0.7 * score, 4), street, end


def _heard(text: str, start: int, name: str) -> str | None:
    """The words at `start` that may be `name` heard softly: every syllable keeps some of its sound
    (宝 keeps none of 石: 宝园街道 is no 石园街道), and no numeral stands for another syllable."""
    heard = text[start:start + len(name)]
    if len(heard) < len(name):
        return None
    for said, char in zip(name, heard, strict=True):
        if char != said and (char in _NUMERALS or closeness(said, char) == 0):
            return None
    return heard


def _bare_fit(text: str, start: int, core: str, softly: Softly) -> tuple[float, float, int] | None:
    heard = _heard(text, start, core)
    if heard is None:
        return None
    bar = max(softly.value, _TWO_SYLLABLES) if len(core) == 2 else softly.value
    score = closeness(core, heard)
    return score - bar, score, start + len(core)


def _suffixed_fit(text: str, start: int, street: str, core: str, softly: Softly) -> tuple[float, float, int] | None:
    heard = _heard(text, start, street)
    if heard is None or street == core:
        return None
    name_part, suffix_part = closeness(core, heard[:len(core)]), closeness(street[len(core):], heard[len(core):])
    if name_part < _NAME_WITH_SUFFIX or suffix_part < _SUFFIX:
        return -1.0, 0.0, start + len(street)
    score = closeness(street, heard)
    return score - _WITH_SUFFIX - (softly.value - Softly.AFTER_DISTRICT.value), score, start + len(street)
