"""How a place name is heard in a transcript: its suffix by sound, a name with a syllable garbled,
and whether it stands as a word of its own (knowledge/gazetteer.py matches names with these)."""

from __future__ import annotations

from collections.abc import Callable

from knowledge.phonetic import NEAR, SAME_CHAR, char_similarity, match_sequence, readings, shares_a_sound
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
