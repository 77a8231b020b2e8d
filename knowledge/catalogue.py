"""Responsibility catalogue (职责目录): which unit handles which kind of problem, and matching
what a caller said to the right entry.

Matching works on concepts (knowledge.catalogue_lexicon): an entry is described by the concepts in
its topic name and keywords, the caller's words by the concepts they contain. A keyword the
lexicon does not know is its own concept, matched literally, so an admin's new keyword works at
once. Each shared concept adds its inverse document frequency over the catalogue, so a concept
many topics share (噪音, 扰民, 电梯) counts little and the distinguishing one decides
(夜间 + 施工 vs 装修; 困人 vs 停运; 跑水 vs 漏水).

Modifier concepts (晚上, 吵, 坏了) count only when a subject concept of the entry was said too.
Terms the recogniser wrote as homophones (拉基站 for 垃圾站) are recovered by sound first.

Scores are sums of those weights, log(1 + entries / entries sharing the concept): about 4 for one
concept only this topic has, under 2 for one that ten topics share, more for a fuller
description. MIN_SCORE is the floor below which the seat should ask what happened rather than
guess; a top score close to the runner-up's means the description fits both.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from knowledge import segment
from knowledge.catalogue_lexicon import MODIFIERS, SURFACES
from knowledge.kb_lexicon import STOP_WORDS
from knowledge.phonetic import SoundAlikeFinder


@dataclass
class CatalogueEntry:
    topic: str
    keywords: list[str] = field(default_factory=list)
    category_hint: str = "投诉"
    unit: str = ""
    dispatch: str = "direct"
    co_unit: str | None = None
    time_limit_hours: float = 72
    urgent: bool = False
    police: bool = False


_LITERAL = "kw:"  # prefix of concepts that are an entry's own keyword, unknown to the lexicon


class _ConceptFinder:
    """Finds concepts in text: longest surface first, each character used once (停车费 is not 停车)."""

    def __init__(self, surfaces: dict[str, str]):
        self._surfaces = surfaces
        self._pattern = re.compile("|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True)))

    def find(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        text = _normalise(text)
        for match in self._pattern.finditer(text):
            if _ends_inside_a_word(text, match.start(), match.end()):
                continue
            concept = self._surfaces[match.group()]
            counts[concept] = counts.get(concept, 0) + 1
        return counts


def _ends_inside_a_word(text: str, start: int, end: int) -> bool:
    """A surface whose last character begins a common word with the next one, and is no word with
    the one before it, was not said: 对象打 in 对象打算 (a partner who intends, not one who hits)."""
    if end - start < 3:
        return False
    return segment.last_char_joins_next(text, end, _COMMON) and not segment.is_word(text[end - 2 : end])


# How common a word must be to say the characters were said as it (打算, 发现), not as the surface.
_COMMON = 1000


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class Catalogue:
    MIN_SCORE = 2.0

    def __init__(self, entries: Iterable[CatalogueEntry]):
        self.entries: list[CatalogueEntry] = list(entries)
        self._by_topic = {e.topic: e for e in self.entries}
        surfaces = dict(SURFACES)
        for entry in self.entries:
            for keyword in entry.keywords:
                word = _normalise(keyword).strip()
                # Known wholes stay known; a keyword the lexicon cannot read becomes its own concept.
                if word and word not in surfaces and not _ConceptFinder(SURFACES).find(word):
                    surfaces[word] = _LITERAL + word
        self._finder = _ConceptFinder(surfaces)
        self._sound = SoundAlikeFinder(
            surfaces, segment.is_common_word, min_length=2, fillers=STOP_WORDS, is_word=segment.is_word
        )
        self._signatures: list[set[str]] = []
        for entry in self.entries:
            signature = set(self._finder.find(entry.topic))
            for keyword in entry.keywords:
                signature |= set(self._finder.find(keyword))
            self._signatures.append(signature)
        df: dict[str, int] = {}
        for signature in self._signatures:
            for concept in signature:
                df[concept] = df.get(concept, 0) + 1
        n = max(len(self.entries), 1)
        self._idf = {concept: math.log(1 + n / count) for concept, count in df.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, topic: str) -> CatalogueEntry | None:
        return self._by_topic.get(topic)

    def concepts(self, text: str, aside: Sequence[tuple[int, int]] = ()) -> dict[str, int]:
        """The concepts found in `text` with how often each was said (for explaining a match).

        `aside` are spans of `text` that say nothing of the problem and are not read at all: the
        names of places (东花市街等 is 东花市街道, not a 街灯; 椿树街道 is no tree), the caller's
        trade (我们是干装修的)."""
        chars = list(text)
        for start, end in aside:
            chars[start:end] = "，" * (end - start)
        text = "".join(chars)
        recovered = " ".join(term for term, _, _ in self._sound.find(_normalise(text)))
        return self._finder.find(f"{_normalise(text)} {recovered}")

    def match(self, text: str, aside: Sequence[tuple[int, int]] = ()) -> list[tuple[CatalogueEntry, float]]:
        """Entries sharing concepts with `text`, best first, with their scores (> 0 only);
        `aside` as for `concepts`."""
        found = self.concepts(text, aside)
        if not found:
            return []
        scored = []
        for index, (entry, signature) in enumerate(zip(self.entries, self._signatures, strict=True)):
            shared = signature.intersection(found)
            if not shared - MODIFIERS and signature - MODIFIERS:
                continue  # only how/when words in common: 晚上 alone is no 夜间施工
            # Saying a thing again in other words makes it a little more certain, not twice as.
            score = sum(self._idf[c] * (1 + 0.25 * (min(found[c], 3) - 1)) for c in shared)
            if score > 0:
                scored.append((entry, round(score, 4), len(signature), index))
        # Ties: the more specific entry (fewer concepts, all said), then catalogue order.
        scored.sort(key=lambda item: (-item[1], item[2], item[3]))
        return [(entry, score) for entry, score, _, _ in scored]

    def shares_concepts(self, topic: str, text: str) -> bool:
        """Whether `text` names anything the entry for `topic` is about (its topic or keywords)."""
        index = next((i for i, e in enumerate(self.entries) if e.topic == topic), None)
        return index is not None and bool(self._signatures[index] & set(self.concepts(text)))

    def best(self, text: str, min_score: float | None = None) -> tuple[CatalogueEntry, float] | None:
        """The top entry if it clears the floor (MIN_SCORE unless given), else None."""
        floor = self.MIN_SCORE if min_score is None else min_score
        hits = self.match(text)
        return hits[0] if hits and hits[0][1] >= floor else None
