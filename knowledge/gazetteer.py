"""Gazetteer: find Beijing districts and streets/towns in what a caller said, by characters and sound.

The recogniser hears place names right but spells them as homophones (朝阳期望经阶到 is
朝阳区望京街道), so names are compared syllable by syllable (knowledge.phonetic). Callers also
drop suffixes ("朝阳望京", "在回龙观那边"), so a name counts without its suffix when that is
safe: long names, distinctive short ones, or short ones right after their district. Short names
that are everyday words (光明, 天桥, 八角, 东四 in 东四环 …) need a suffix or their district.

A street implies its district; a street name found in several districts (八里庄) takes the
district said in the same sentence, else the district stays unknown (None) for the seat to ask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from knowledge import segment
from knowledge.phonetic import (
    HOMOPHONE,
    NEAR,
    SAME_CHAR,
    char_similarity,
    fuzzy_keys,
    match_sequence,
    shares_a_sound,
    word_keys,
)
from knowledge.place_hearing import (
    Softly,
    WordBounds,
    heard_loosely,
    heard_suffix,
    street_heard_softly,
    street_suffix_end,
    strip_suffix,
)
from knowledge.place_lexicon import (
    COMMON_WORD_NAMES,
    DISTRICT_STREET_GAP,
    DISTRICT_SUFFIXES,
    LANDMARKS_AFTER,
    NOT_A_PLACE_AFTER,
    PLACE_CUES_AFTER,
    PLACE_CUES_BEFORE,
    STREET_SUFFIXES,
)

_DIRECTIONS = "东南西北中"
_NUMBERED_LANE = re.compile(r"[东南西北]?(?:头|[一二三四五六七八九十]{1,3})条")


@dataclass(frozen=True)
class PlaceMatch:
    district: str | None
    street: str | None
    start: int  # span of the place words in the text (suffixes included)
    end: int
    # 0..1: 1.0 the official names character for character; ~0.9 a bare name or one heard as
    # homophones; ~0.8 or less with near-miss syllables.
    score: float


@dataclass(frozen=True)
class _Place:
    core: str               # the name without its suffix: 望京, 朝阳, 天通苑
    district: str
    street: str | None      # None: the district itself, or an area shared by several streets
    is_district: bool = False


@dataclass(frozen=True)
class _Hit:
    place: _Place
    start: int
    end: int
    score: float
    weight: float           # similarity summed over the span: longer, closer names win overlaps
    near: bool              # some character of the name only nearly sounds right
    needs_context: bool     # only a place if its district is said right before it (or, for a
    #                         bare district, if a cue word or one of its streets is next to it)


class Gazetteer:
    def __init__(self, mapping: dict[str, list[str]]):
        self._mapping = {district: list(streets) for district, streets in mapping.items()}
        self._places: list[_Place] = []
        for district, streets in self._mapping.items():
            self._places.append(_Place(strip_suffix(district, DISTRICT_SUFFIXES), district, None, is_district=True))
            for street in streets:
                self._places.append(_Place(strip_suffix(street, STREET_SUFFIXES), district, street))
        self._places.extend(_area_aliases(self._mapping))
        self._district_cores = {p.core for p in self._places if p.is_district}
        self._index: dict[str, list[_Place]] = {}
        for place in self._places:
            for key in word_keys(place.core) | {place.core[0]}:
                self._index.setdefault(key, []).append(place)
        self._words_added = False

    # ------------------------------------------------------------ lookups

    def districts(self) -> list[str]:
        return list(self._mapping)

    def streets(self, district: str) -> list[str]:
        return list(self._mapping.get(district, []))

    def names(self) -> set[str]:
        """Every name a caller may say: districts and streets in full and without their suffix
        (海淀区 and 海淀, 望京街道 and 望京), and the areas several streets are named after."""
        names = {*self._mapping, *(street for streets in self._mapping.values() for street in streets)}
        return names | {place.core for place in self._places}

    def districts_of(self, street: str) -> list[str]:
        return [d for d, streets in self._mapping.items() if street in streets]

    # ------------------------------------------------------------ matching

    def locate(self, text: str) -> PlaceMatch | None:
        """The most complete and most certain place in `text` (district + street beats either alone)."""
        matches = self.find_all(text)
        if not matches:
            return None
        return max(matches, key=lambda m: ((m.district is not None) + (m.street is not None), m.score))

    def find_all(self, text: str) -> list[PlaceMatch]:
        """Every place named in `text`, in order of appearance."""
        if not text:
            return []
        # The recogniser writes the numbers in names as digits (丰台6李桥 for 六里桥); one character
        # for one, so positions stay those of `text`.
        text = text.translate(_DIGITS_AS_WORDS)
        pool = self._candidates(text)
        while True:
            chosen = _non_overlapping(pool)
            unresolved = [
                h for h in chosen
                if (h.needs_context and not _has_context(text, h, chosen) and not self._street_follows(text, h)
                    and not _said_twice(text, h, pool))
                or _road_of_another_district(text, h, chosen)
            ]
            if not unresolved:
                break
            pool = [h for h in pool if h not in unresolved]
        matches = self._merge(sorted(chosen, key=lambda h: h.start), pool)
        # A street heard loosely after a district does not reach into the next place named.
        limits = [m.start for m in matches[1:]] + [len(text)] * bool(matches)
        matches = [self._with_street_heard_loosely(text[:limit], m) for m, limit in zip(matches, limits, strict=True)]
        if not any(m.street for m in matches):
            pair = self._district_and_street_heard_loosely(text)
            if pair is not None:
                matches = sorted([m for m in matches if m.end <= pair.start or m.start >= pair.end] + [pair],
                                 key=lambda m: m.start)
        return matches

    def _district_and_street_heard_loosely(self, text: str) -> PlaceMatch | None:
        """A district and one of its streets, each with a syllable garbled that keeps a sound of the
        right one (延迁康床阵 is 延庆康庄镇). Either alone is too loose to trust; a street of that
        very district right after it is not a coincidence. The first such pair in `text`."""
        for start in range(len(text)):
            for district in self._mapping:
                core = strip_suffix(district, DISTRICT_SUFFIXES)
                heard = text[start:start + len(core)]
                if len(heard) < len(core) or not heard_loosely(core, heard):
                    continue
                end = start + len(core)
                suffix = heard_suffix(text, end, DISTRICT_SUFFIXES)
                if suffix is not None:
                    end += len(suffix)
                # Right after the district, or after a pause: words in between break the pair.
                street = self._street_heard_loosely(text, district, end, max_gap=int(text[end:end + 1] in "，, 、的"),
                                                    softly=Softly.AFTER_LOOSE_DISTRICT)
                if street is not None:
                    score, name, street_end = street
                    return PlaceMatch(district, name, start, street_end, round(0.7 * score, 4))
        return None

    def _with_street_heard_loosely(self, text: str, match: PlaceMatch) -> PlaceMatch:
        """A district said without a street we could match: the words right after it may still be
        one of that district's streets heard loosely (_street_heard_loosely)."""
        if match.district is None or match.street is not None:
            return match
        heard = self._street_heard_loosely(text, match.district, match.end, softly=Softly.AFTER_DISTRICT)
        if heard is None:
            return match
        score, street, end = heard
        return replace(match, street=street, end=end, score=round(min(match.score, 0.8 * score), 4))

    def _street_heard_loosely(
        self, text: str, district: str, after: int, max_gap: int = DISTRICT_STREET_GAP, softly: Softly | None = None
    ) -> tuple[float, str, int] | None:
        """(score, street, end) of the one street of `district` that the words right after `after`
        sound like, with a street suffix after them (街道 by sound, 街 and a garbled syllable, or the
        street's own 镇/乡 by sound). One syllable of the name may be garbled (石景山区路不接道 is
        鲁谷街道); in a two-syllable name that one must keep its initial or its final (红陈街 is
        拱辰街道, 期待已接到 大峪街道). Among the dozen or two streets of one district such a near
        match is rarely another one; two streets matching as well are no answer."""
        best: tuple[float, str, int] | None = None
        tied = False
        for gap in range(max_gap + 1):
            start = after + gap
            for street in self._mapping.get(district, []):
                core = strip_suffix(street, STREET_SUFFIXES)
                end = start + len(core)
                if len(core) < 2 or end >= len(text):
                    continue
                heard = text[start:end]
                sims = [char_similarity(a, b) for a, b in zip(core, heard, strict=True)]
                garbled = [i for i, x in enumerate(sims) if x < NEAR]
                if len(garbled) > 1:
                    continue
                if garbled and len(core) < 3 and not shares_a_sound(core[garbled[0]], heard[garbled[0]]):
                    continue
                suffix_end = street_suffix_end(text, end, street[len(core):])
                if suffix_end is None:
                    continue
                score = sum(sims) / len(sims)
                if best is None or score > best[0]:
                    best, tied = (score, street, suffix_end), False
                elif score == best[0] and street != best[1]:
                    tied = True
            if best is not None:
                break
        if best is None and softly is not None:
            return street_heard_softly(text, after, self._mapping.get(district, []), softly)
        return None if tied else best

    def _street_follows(self, text: str, hit: _Hit) -> bool:
        """A bare district name (密云) is meant as the place when one of its streets follows, even
        heard loosely (密云果言街道 is 密云区果园街道)."""
        return hit.place.is_district and self._street_heard_loosely(text, hit.place.district, hit.end) is not None

    def _candidates(self, text: str) -> list[_Hit]:
        hits: list[_Hit] = []
        words = WordBounds(text, self._cut)
        for start, char in enumerate(text):
            places = {p for key in fuzzy_keys(char) | {char} for p in self._index.get(key, ())}
            for place in places:
                sims = match_sequence(text, start, place.core, allow_miss=len(place.core) >= 3)
                if sims is not None:
                    hit = self._judge(text, place, start, sims, words)
                    if hit is not None:
                        hits.append(hit)
        return hits

    def _judge(self, text: str, place: _Place, start: int, sims: list[float], words: WordBounds) -> _Hit | None:
        """Is this sound match a place mention, and how sure are we?"""
        core_end = start + len(place.core)
        n = len(sims)
        if 0.0 in sims:
            # One garbled syllable: only a long name said with its suffix, every other character exact.
            suffix_sims = heard_suffix(text, core_end, STREET_SUFFIXES)
            if place.is_district or place.street is None or not suffix_sims or sims.count(SAME_CHAR) != n - 1:
                return None
            all_sims = sims + suffix_sims
            return _Hit(place, start, core_end + len(suffix_sims), 0.9 * sum(all_sims) / len(all_sims),
                        sum(all_sims), True, False)
        exact = all(s == SAME_CHAR for s in sims)
        homophone = min(sims) >= HOMOPHONE

        def hit(end: int, all_sims: list[float], factor: float, needs_context: bool) -> _Hit:
            score = factor * sum(all_sims) / len(all_sims)
            return _Hit(place, start, end, score, sum(all_sims), not homophone, needs_context)

        suffix_sims = heard_suffix(text, core_end, DISTRICT_SUFFIXES if place.is_district else STREET_SUFFIXES)
        if suffix_sims:
            if n == 1 and not (exact and min(suffix_sims) == SAME_CHAR):
                return None  # 杨镇, 张镇: one syllable is only safe written exactly
            if sum(sims) / n < 0.8 or min(sims) < NEAR or place.street is None and not place.is_district:
                return None
            return hit(core_end + len(suffix_sims), sims + suffix_sims, 1.0, False)
        # A bare name: it must stand as a word of its own (上地 is not a place in 上地铁).
        if n == 1 or text.startswith(NOT_A_PLACE_AFTER, core_end) or not words.is_word(start, core_end):
            return None
        if place.is_district:
            return hit(core_end, sims, 0.9, needs_context=True) if homophone else None
        if place.core in self._district_cores:
            return None  # bare 海淀 is the district, not 海淀街道
        if exact:
            return hit(core_end, sims, 0.9, needs_context=n < 3 and place.core in COMMON_WORD_NAMES)
        if homophone and (n >= 4 or (n == 3 and SAME_CHAR in sims)):
            return hit(core_end, sims, 0.9, needs_context=False)
        if min(sims) >= NEAR:
            return hit(core_end, sims, 0.8, needs_context=True)
        return None

    def _cut(self, text: str) -> list[str]:
        if not self._words_added:
            words = {p.core for p in self._places if len(p.core) > 1}
            segment.add_words(sorted(words | {p.street for p in self._places if p.street} | set(self._mapping)))
            self._words_added = True
        return segment.cut(text, hmm=False)

    @staticmethod
    def _said_districts(hits: Iterable[_Hit]) -> set[str]:
        return {h.place.district for h in hits if h.place.is_district}

    def _merge(self, hits: list[_Hit], pool: list[_Hit]) -> list[PlaceMatch]:
        said = self._said_districts(hits)
        matches: list[PlaceMatch] = []
        i = 0
        while i < len(hits):
            hit = hits[i]
            nxt = hits[i + 1] if i + 1 < len(hits) else None
            if (hit.place.is_district and nxt is not None and not nxt.place.is_district
                    and nxt.place.district == hit.place.district
                    and nxt.start - hit.end <= DISTRICT_STREET_GAP):
                score = round((hit.score + nxt.score) / 2, 4)
                matches.append(PlaceMatch(hit.place.district, nxt.place.street, hit.start, nxt.end, score))
                i += 2
                continue
            match = PlaceMatch(hit.place.district, hit.place.street, hit.start, hit.end, round(hit.score, 4))
            if not hit.place.is_district:
                # Same name in several districts: keep the district only if the caller named it.
                twins = {h.place.district for h in pool if h.start == hit.start and h.end == hit.end
                         and h.place.street == hit.place.street}
                if len(twins) > 1:
                    match = replace(match, district=next(iter(twins & said), None) if len(twins & said) == 1
                                    else None)
            matches.append(match)
            i += 1
        return matches


# ---------------------------------------------------------------- helpers

def _area_aliases(mapping: dict[str, list[str]]) -> list[_Place]:
    """天通苑北 and 天通苑南 make "天通苑" a place of their district (which of the two is unknown)."""
    bases: dict[tuple[str, str], int] = {}
    for district, streets in mapping.items():
        for street in streets:
            core = strip_suffix(street, STREET_SUFFIXES)
            if len(core) >= 3 and core[-1] in _DIRECTIONS:
                bases[(core[:-1], district)] = bases.get((core[:-1], district), 0) + 1
    known = {strip_suffix(s, STREET_SUFFIXES) for streets in mapping.values() for s in streets}
    return [_Place(base, district, None) for (base, district), count in bases.items()
            if count > 1 and base not in known]


_NOT_SAID_BEFORE = 10**6  # farther than any text: a district not said before the name


def _non_overlapping(hits: list[_Hit]) -> list[_Hit]:
    """Greedy choice of the heaviest hits; on a tie prefer places in a district the caller named."""
    # A name heard with a near-miss syllable never cuts into one heard right (顺义杨镇 is not 义杨 = 渔阳).
    # A street name two districts share (八里庄街道) is of the district said nearest before it.
    district_ends: dict[str, list[int]] = {}
    for h in hits:
        if h.place.is_district:
            district_ends.setdefault(h.place.district, []).append(h.end)
    said = district_ends.keys()

    def said_before(h: _Hit) -> int:
        return min((h.start - end for end in district_ends.get(h.place.district, ()) if end <= h.start),
                   default=_NOT_SAID_BEFORE)

    ranked = sorted(hits, key=lambda h: (h.near, -h.weight, h.needs_context, h.place.district not in said, h.start,
                                         said_before(h), h.place.district))
    chosen: list[_Hit] = []
    for hit in ranked:
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return chosen


_ROAD_AFTER = re.compile(r"(?:[东南西北中]{0,2}(?:路|大街|街|大道|桥))")


def _road_of_another_district(text: str, hit: _Hit, chosen: list[_Hit]) -> bool:
    """A bare street name that begins a road's name ("朝阳区的，北苑路边上": 北苑 is a town of
    通州) in a text that names another district and not this one: the road, not the town."""
    if hit.place.is_district or hit.end - hit.start != len(hit.place.core) or not _ROAD_AFTER.match(text, hit.end):
        return False
    said = {c.place.district for c in chosen if c.place.is_district}
    return bool(said) and hit.place.district not in said


_DIGITS_AS_WORDS = str.maketrans("0123456789", "零一二三四五六七八九")


def _said_twice(text: str, hit: _Hit, pool: list[_Hit]) -> bool:
    """The same words, heard as the same place, said again in the turn ("在旺金，我们是旺金西园…"
    for 望京): a caller names where it is twice; words that are no everyday word and merely sound
    like a place are rarely said twice over in one breath."""
    heard = text[hit.start : hit.end]
    if segment.is_common_word(heard):
        return False  # 延期 said twice is postponing twice, not 雁栖
    return any(
        other.place == hit.place and other.start != hit.start and text[other.start : other.end] == heard
        for other in pool
    )


def _has_context(text: str, hit: _Hit, chosen: list[_Hit]) -> bool:
    if hit.place.is_district:
        before, after = text[max(0, hit.start - 2): hit.start], text[hit.end:]
        if any(before.endswith(cue) for cue in PLACE_CUES_BEFORE) or after.startswith(PLACE_CUES_AFTER):
            return True
        # "朝阳望京": a district followed by one of its own streets.
        return any(not c.place.is_district and c.place.district == hit.place.district
                   and 0 <= c.start - hit.end <= DISTRICT_STREET_GAP for c in chosen)
    if _NUMBERED_LANE.match(text, hit.end):
        return True  # 东四六条, 西四北头条: Beijing's numbered hutongs carry their street's name
    if text.startswith(LANDMARKS_AFTER, hit.end):
        return True  # a landmark named after its street: 上地地铁站, 天坛东门
    return any(c.place.is_district and c.place.district == hit.place.district
               and 0 <= hit.start - c.end <= DISTRICT_STREET_GAP for c in chosen)
