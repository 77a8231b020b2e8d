"""A turn with a dictated phone number, transcribed several times until two readings agree.

Whisper base reads the same dictation differently when the audio moves by 10 ms: over five cuts of
each dev and dev2 dictation 10 ms apart (bench/phone_digits.py --shifts 5) the digits were right
on 5 of 5 cuts for most numbers, but 1 to 4 of 5 for the hard ones, and a single cut (which is all
one decode is) draws one of those readings. Its mistakes move about from cut to cut, the right
reading less so; so the turn is read from cuts starting 0, 10, 20 … ms into the caller's audio,
and the first number two cuts agree on is taken. When no two agree after the last cut, the
reading closest to all the others (fewest digit edits in sum) is taken: its digits are the ones
most cuts heard. When no cut reads a whole number, `best` gives the first cut, which `replaces`
then turns down.

Callers wait for this (they hear that the seat is checking the number): most numbers agree on the
first two cuts, hard ones take up to `MAX_CUTS`. A reading two cuts agreed on replaces the streamed
text when it holds a whole number and lost nothing else (`replaces`); otherwise, and for the
closest of readings that never agreed, the streamed text keeps its words and takes the reading's
numbers where it wrote its own (`with_read_numbers`), and only where that cannot be told are its
numbers read again where they lie (or, with none agreed, the closest reading stands whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz.distance import Levenshtein

from voice.asr.base import SAMPLE_RATE, Segment, Transcript
from voice.asr.digits import phone_number_runs, write_like
from voice.asr.whisper_text import bare, looks_looped
from voice.codec import first_sound

CUT_STEP_S = 0.01
MAX_CUTS = 5
AGREEING_CUTS = 2
# Cuts that read no phone number, not even part of one, end the search: the digits that brought the
# turn here were a date, an amount or an ID number.
NO_NUMBER_AFTER = 2
# A reading with fewer words than this share of the streamed text's lost some of the turn.
KEPT_WORDS = 0.85

Transcribe = Callable[[np.ndarray], Transcript]


@dataclass(frozen=True)
class ConsensusReading:
    transcript: Transcript
    cuts: int  # how many cuts were transcribed
    agreed: bool  # two cuts read the same numbers (else the closest reading, or none whole)


def numbers_read(text: str) -> tuple[str, ...]:
    """The phone numbers a text dictates, as digits; () when none is whole (a number cut short, or
    only too long), since such a reading is no number to agree on."""
    runs = phone_number_runs(text)
    if not any(len(run.digits) == run.length for run in runs):
        return ()
    return tuple(run.digits for run in runs)


class NumberConsensus:
    """The cuts of one turn and what each read; `add` each cut's transcript in order until it
    returns a reading (two agreed) or `cuts_left` is 0, then `best()`."""

    def __init__(self, audio: np.ndarray, max_cuts: int = MAX_CUTS, agreeing: int = AGREEING_CUTS) -> None:
        self.audio = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        self.max_cuts, self.agreeing = max_cuts, agreeing
        self._start = first_sound(self.audio) or 0
        self._readings: list[tuple[tuple[str, ...], Transcript]] = []

    @property
    def cuts_left(self) -> int:
        if len(self._readings) >= NO_NUMBER_AFTER and not any(
            phone_number_runs(transcript.text) for _, transcript in self._readings
        ):
            return 0  # no cut heard even part of a phone number: the digits were something else
        return self.max_cuts - len(self._readings)

    def next_cut(self) -> np.ndarray:
        """The audio of the next cut: the caller's audio from 10 ms later than the cut before."""
        return self.audio[self._skip(len(self._readings)) :]

    def add(self, transcript: Transcript) -> ConsensusReading | None:
        """What the latest cut (`next_cut`) read; the reading once `agreeing` cuts read its numbers."""
        transcript = _shifted(transcript, self._skip(len(self._readings)) / SAMPLE_RATE)
        numbers = numbers_read(transcript.text)
        self._readings.append((numbers, transcript))
        if numbers and sum(seen == numbers for seen, _ in self._readings) >= self.agreeing:
            first = next(t for seen, t in self._readings if seen == numbers)
            return ConsensusReading(first, len(self._readings), agreed=True)
        return None

    def best(self) -> ConsensusReading:
        """With no agreement: the whole reading closest to the others, else the first cut's."""
        whole = [(numbers, transcript) for numbers, transcript in self._readings if numbers]
        if not whole:
            return ConsensusReading(self._readings[0][1], len(self._readings), agreed=False)
        closest = min(
            whole,
            key=lambda one: sum(Levenshtein.distance("".join(one[0]), "".join(other)) for other, _ in whole),
        )  # min keeps the earliest of equals
        return ConsensusReading(closest[1], len(self._readings), agreed=False)

    def _skip(self, cut: int) -> int:
        # The first cut is the turn as it is (the recogniser skips digital silence in front itself).
        return self._start + int(cut * CUT_STEP_S * SAMPLE_RATE) if cut else 0


def read_by_consensus(
    audio: np.ndarray, transcribe: Transcribe, max_cuts: int = MAX_CUTS, agreeing: int = AGREEING_CUTS
) -> ConsensusReading:
    """The transcript of the first cut whose numbers `agreeing` cuts read alike (see module doc)."""
    consensus = NumberConsensus(audio, max_cuts, agreeing)
    while consensus.cuts_left:
        reading = consensus.add(transcribe(consensus.next_cut()))
        if reading is not None:
            return reading
    return consensus.best()


def replaces(streamed: str, reading: ConsensusReading) -> bool:
    """Whether the consensus reading should stand for the turn instead of the streamed text: it
    reads a whole number, and it is no worse a transcript otherwise. A cut's decode can loop
    (我姓姆，姆姆，姆姆… for dev2's e056, losing name and number) or drop the start of a long turn
    (dev's d035 lost its district), and the streamed text had those words."""
    text = reading.transcript.text
    if not numbers_read(text) or looks_looped(text):
        return False
    return len(bare(text)) >= KEPT_WORDS * len(bare(streamed))


def with_read_numbers(streamed: Transcript, reading: ConsensusReading) -> Transcript | None:
    """The streamed transcript with the numbers the cuts read in place of its own. For a reading
    two cuts agreed on that `replaces` turned down: its words lost some of the turn, but two cuts
    heard the same number, and that is worth more than the one reading the stream made of it (dev's
    d035: the stream wrote 188-1012-3665, the cuts agreed on 18801236655 and dropped the district).
    For the closest of readings that never agreed: its number is still the best guess, but its
    words are one cut's, no likelier than the stream's (dev2's e053 heard 苗刚，电话 as 苗钢琴电话
    on such a cut, and the seat filed that name).

    None when the stream did not write as many numbers where they could be put (a number it wrote
    as words): then nothing tells which number goes where."""
    agreed = numbers_read(reading.transcript.text)
    runs = [phone_number_runs(segment.text) for segment in streamed.segments]
    if not agreed or sum(map(len, runs)) != len(agreed):
        return None
    numbers = iter(agreed)
    segments = []
    for segment, segment_runs in zip(streamed.segments, runs, strict=True):
        text, end = "", 0
        for run in segment_runs:
            text += segment.text[end : run.start] + write_like(segment.text[run.start : run.end], next(numbers))
            end = run.end
        segments.append(replace(segment, text=text + segment.text[end:]))
    return replace(streamed, text="".join(segment.text for segment in segments), segments=segments)


def _shifted(transcript: Transcript, seconds: float) -> Transcript:
    """Segment times counted from the start of the whole turn again."""
    if not seconds:
        return transcript
    segments = [Segment(s.start + seconds, s.end + seconds, s.text) for s in transcript.segments]
    return replace(transcript, segments=segments, duration_s=transcript.duration_s + seconds)
