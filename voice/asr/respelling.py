"""Targeted biasing: the recogniser judges, on the audio, its own spelling of known names.

A fixed list of hotwords biases every word of every turn (DESIGN.md: the district names as
hotwords read the dev calls better and held-out calls worse). Here the bias goes only where the
text already sounds like a known term: each candidate respelling (a stretch of the transcript
written as a term it sounds like, found by the caller of this module) is scored against the
audio with the candidate terms before it as previous text, the way faster-whisper places
hotwords, and kept where the respelt text fits the audio at least as well as the text decoded.
Greedy decoding commits to the likeliest character at each step with no name in mind; with the
name in context the model often finds 海淀区 likelier than the 海电区 it wrote, and where it
does not (姓冯 is not 兴丰) the text stays as heard.

Each candidate is scored on its clause alone (between punctuation marks, the time found by
reading the segment at an even pace, with a margin): the decoder's cost grows with the audio it
attends to for every candidate, and a 13 s turn with seven candidates cost 1.1 s scored whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from voice.asr.base import SAMPLE_RATE, Segment

# (term, start, end): text[start:end] might be `term` misspelt.
Candidate = tuple[str, int, int]


class ScoreTexts(Protocol):
    """Each text's log-probability given the audio, after `context` (a recogniser's `score_texts`)."""

    def __call__(
        self, audio: np.ndarray, texts: Sequence[str], context: str = "", total: bool = False
    ) -> list[float]: ...


# Candidates judged per clause (and the context holds only so many words).
MAX_CANDIDATES = 16
# Audio taken either side of a clause: its times are estimated.
MARGIN_S = 0.6
# Text before a clause given as context, so it is not read as the start of the turn.
CONTEXT_CHARS = 24
CLAUSE_ENDS = set("，。！？；,.!?;")


def respell(
    audio: np.ndarray, text: str, segments: Sequence[Segment], candidates: Sequence[Candidate], score: ScoreTexts
) -> tuple[str, list[Candidate]]:
    """`text` with the candidates the audio bears out written in, and those candidates.

    `segments` are the recogniser's timed pieces of `text` (times from the start of `audio`);
    when they do not spell `text` (it was edited since) the whole audio is one piece."""
    if not candidates or not text:
        return text, []
    if "".join(s.text for s in segments) != text:
        segments = [Segment(0.0, audio.size / SAMPLE_RATE, text)]
    clock = _Clock(segments)
    by_clause: dict[tuple[int, int], list[Candidate]] = {}
    for term, start, end in candidates:
        by_clause.setdefault(_clause(text, start, end), []).append((term, start, end))

    gains: list[tuple[float, Candidate]] = []
    for (begin, finish), group in by_clause.items():
        group = group[:MAX_CANDIDATES]
        start_s, end_s = max(0.0, clock.time_at(begin) - MARGIN_S), clock.time_at(finish) + MARGIN_S
        piece = audio[int(start_s * SAMPLE_RATE) : int(end_s * SAMPLE_RATE)]
        if piece.size == 0:
            continue
        local = text[begin:finish]
        hotwords = "、".join(dict.fromkeys(term for term, _, _ in group)) + "。"
        texts = [local, *(local[: s - begin] + term + local[e - begin :] for term, s, e in group)]
        context = hotwords + text[max(0, begin - CONTEXT_CHARS) : begin]
        as_decoded, *respelt = score(piece, texts, context, total=True)
        gains += [(fit - as_decoded, c) for c, fit in zip(group, respelt, strict=True) if fit >= as_decoded]

    chosen: list[Candidate] = []
    taken: set[int] = set()
    for _, (term, start, end) in sorted(gains, key=lambda pair: -pair[0]):
        if taken.isdisjoint(range(start, end)):
            chosen.append((term, start, end))
            taken.update(range(start, end))
    for term, start, end in sorted(chosen, key=lambda c: -c[1]):
        text = text[:start] + term + text[end:]
    return text, sorted(chosen, key=lambda c: c[1])


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end], from after the mark before it to its own closing mark."""
    begin = start
    while begin > 0 and text[begin - 1] not in CLAUSE_ENDS:
        begin -= 1
    finish = end
    while finish < len(text) and text[finish - 1] not in CLAUSE_ENDS:
        finish += 1
    return begin, finish


class _Clock:
    """When a character of the text was said: its segment's times, shared evenly by its characters."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = list(segments)
        self._offsets = np.cumsum([0, *(len(s.text) for s in segments)])

    def time_at(self, index: int) -> float:
        k = min(max(int(np.searchsorted(self._offsets, index, side="right")) - 1, 0), len(self._segments) - 1)
        segment = self._segments[k]
        share = (index - self._offsets[k]) / max(1, len(segment.text))
        return float(segment.start + min(1.0, share) * (segment.end - segment.start))
