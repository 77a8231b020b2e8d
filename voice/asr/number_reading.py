"""Dictated phone numbers in a transcript, repaired and read again on the audio.

Whisper base writes a dictated number as whole words, and gets some wrong: repeated digits
swallowed (voice/asr/digits.py counts them back from the syllables), digits misread (each number is
read again digit by digit, voice/asr/dictation.py), and digits said slowly written as words that
sound like them, so that no run of digits is left to read (a number announced and written partly
as words, voice/asr/number_cues.py, is read from its announcement on).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
from rapidfuzz.distance import Levenshtein

from voice.asr.base import SAMPLE_RATE, Segment
from voice.asr.cached_decoder import CachedDecoder, DecoderWeights, OutputVocabulary
from voice.asr.dictation import Reading, read_digits, score_digits
from voice.asr.digits import (
    DIGIT_CHARS,
    DigitRun,
    digits_in,
    phone_number_runs,
    recounted,
    restore_repeats,
    runs_by_sound,
    write_like,
)
from voice.asr.number_cues import announced_numbers
from voice.codec import first_sound

# Whisper's segment times are a little loose; the number must lie wholly inside the audio we count in.
_SEGMENT_MARGIN_S = (0.2, 0.5)

# A re-read number replaces Whisper's only when no other reading comes close (log-probability):
# of the dev calls' readings 5 of the 55 this far ahead were wrong, and 6 of the 7 below it.
MIN_READING_MARGIN = 0.5
# Counting syllables beats the decoder on long runs of one digit (一一一一, 8866), but it can only
# repeat the digits Whisper wrote: when Whisper dropped a digit or heard 幺 as nothing, the count
# repeats the wrong one. On the dev calls' numbers (two cuts each) the decoder put the right repairs
# at most 3.8 behind its own best reading (log-probability) and the wrong ones 7.8 or more.
MAX_COUNTED_GAP = 5.0
# A number's clause starts after the last of these before it; the decoder is forced at least this
# many words of it to find its place in the audio (a clause like 电话 takes in the one before).
_CLAUSE_MARKS = "，。？！；：,.?!;: "
_CLAUSE_MARKS_RE = re.compile(f"[{re.escape(_CLAUSE_MARKS)}]")
_MIN_LEAD_CHARS = 4
# The reading mends what Whisper wrote (a swallowed 1, a repeat, 0 heard as 1); on the dev calls the
# right readings were at most 3 edits from Whisper's digits. A reading further off is another number.
MAX_READING_EDITS = 3
# Readings this far behind the best are dropped from the digit search: on the dev numbers over two
# cuts each (22 readings) none that far behind came back to win, and the search took 0.7 of its
# time (fewer rows in every decoder call). 3 behind lost one right reading.
_READING_PRUNE = 5.0
# Readings this far behind the best that say the same digits, each as often or not, are weighed by
# their syllables (voice/asr/digits.runs_by_sound): on the dev and dev2 numbers (two cuts each) the
# right one lay at most 2.6 behind, and 4 took in no wrong one that the syllables preferred.
REGROUP_WINDOW = 4.0
# A number announced and written partly as words is read only at this log-probability or better
# (11 digits and the end). Measured on whole-turn decodes of dev, dev2 and held-out 15: readings
# that were the caller's number scored -1.4 to -6.1; readings where the audio said words, not a
# number, -14.8 to -17.4; a wrong reading of a number misheard, -10.5.
MIN_ANNOUNCED_SCORE = -9.0


class NumberReader:
    """Reads the phone numbers of a Whisper transcript again on its audio.

    `encode` is Whisper's encoder over some audio (one row per 20 ms), `decoder_start(before,
    clause)` the decoder's fixed tokens before a number: what was said before as previous text,
    then the number's clause forced; `digit_tokens` the tokens of 零 … 九; `load_decoder` loads the
    numpy decoder (200 MB of weights), on first use."""

    def __init__(
        self,
        encode: Callable[[np.ndarray], np.ndarray],
        decoder_start: Callable[[str, str], list[int]],
        digit_tokens: list[list[int]],
        load_decoder: Callable[[], tuple[DecoderWeights, OutputVocabulary]],
    ) -> None:
        self._encode = encode
        self._decoder_start = decoder_start
        self._digit_tokens = digit_tokens
        self._load_decoder = load_decoder
        self._loaded: tuple[DecoderWeights, OutputVocabulary] | None = None

    def load(self) -> None:
        self._decoder()

    def _decoder(self) -> tuple[DecoderWeights, OutputVocabulary]:
        if self._loaded is None:
            self._loaded = self._load_decoder()
        return self._loaded

    def restore(self, segments: list[Segment], audio: np.ndarray, read_again: bool = True) -> list[Segment]:
        """`segments` of `audio` with their dictated phone numbers repaired and, with `read_again`,
        read again digit by digit."""
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        # The digital silence in front was not decoded (see `decode`), so it is not read again either.
        floor = first_sound(samples) or 0
        return [self._restore_segment(segment, samples, floor, read_again) for segment in segments]

    def _restore_segment(self, segment: Segment, samples: np.ndarray, floor: int, read_again: bool) -> Segment:
        # Cheap test first: most turns hold no number at all and cost nothing here.
        heard = phone_number_runs(segment.text)
        if not heard and not announced_numbers(segment.text):
            return segment
        start = max(floor, int((segment.start - _SEGMENT_MARGIN_S[0]) * SAMPLE_RATE))
        end = min(samples.size, int((segment.end + _SEGMENT_MARGIN_S[1]) * SAMPLE_RATE))
        audio = samples[start:end]
        # One encoding of the segment serves the syllable count and both readings; reading again
        # always takes it (the segment holds a number run or an announced number).
        encoded = self._encode(audio) if read_again else None
        text = restore_repeats(segment.text, audio, self._encode if encoded is None else lambda _: encoded)
        # Numbers the syllable count repaired, each with the digits Whisper wrote for it.
        after = phone_number_runs(text)
        counted = (
            {run.digits: was.digits for run, was in zip(after, heard, strict=True) if run.digits != was.digits}
            if len(after) == len(heard)
            else {}
        )
        if encoded is not None:
            text = self.read_announced(self.read_again(text, audio, counted, encoded), audio, encoded)
        return segment if text == segment.text else Segment(start=segment.start, end=segment.end, text=text)

    def read_again(
        self,
        text: str,
        audio: np.ndarray,
        counted: Mapping[str, str] | None = None,
        encoded: np.ndarray | None = None,
    ) -> str:
        """`text` (what was heard in `audio`) with each phone number read again digit by digit.

        A reading replaces the number only when no other comes close. A number in `counted` (the
        syllable count repaired it; the value is what Whisper wrote) stays unless the decoder finds
        it far less likely than its own reading. `encoded` is the encoder's output for `audio`, if
        the caller has it already.
        """
        counted = counted or {}
        decoder, outputs = self._decoder()
        for run in reversed(phone_number_runs(text)):  # from the end, so earlier offsets stay valid
            if encoded is None:
                encoded = self._encode(audio)
            start = self._led_to(text, run.start)
            if len(start) + 2 * run.length + 1 > decoder.max_positions:
                continue  # a number at the end of a very long clause: too far for the decoder
            head = run.digits[:3] if run.digits.startswith("010") else run.digits[:1]
            next_token = CachedDecoder(decoder, encoded, start, outputs)
            reading = read_digits(next_token, self._digit_tokens, run.length, head=head, prune=_READING_PRUNE)
            if reading is None:
                continue
            if run.digits in counted:
                counted_score = score_digits(next_token, self._digit_tokens, run.digits, head=head)
                if reading.score - counted_score <= MAX_COUNTED_GAP:
                    continue
            # The digit search keeps the readings it liked best digit by digit, and a recount of a
            # long run it liked less early on may not be among them however well it scores whole:
            # those are scored here (the rest keep the search's own scores).
            scores = dict(reading.alternatives)
            for recount in recounted(reading.digits, head):
                if recount not in scores:
                    scores[recount] = score_digits(next_token, self._digit_tokens, recount, head=head)
            close = [digits for digits, score in scores.items() if score >= reading.score - REGROUP_WINDOW]
            regrouped = runs_by_sound(close, text, run, audio, encoded)
            digits = regrouped or reading.digits
            edits = Levenshtein.distance(counted.get(run.digits, run.digits), digits)
            # Syllables that settle how often each digit was said settle it, however close the
            # decoder's readings were.
            if (regrouped or reading.margin >= MIN_READING_MARGIN) and edits <= MAX_READING_EDITS:
                text = text[: run.start] + write_like(text[run.start : run.end], digits) + text[run.end :]
        return text

    def read_announced(self, text: str, audio: np.ndarray, encoded: np.ndarray | None = None) -> str:
        """`text` with each number announced and written partly as words (number_cues) read as
        digits, where the audio bears a number out: the decoder reads it without a close second, at
        a likelihood the words after a cue that were no number never reached, keeping the digits
        the recogniser did write. Whether the words before the first digit written are digits heard
        as words (依旧，义务律师七零三零六) or words said before the number (手机数，1 3次…) the audio
        tells: the number is read from each place, and the likelier reading that holds is taken.
        `encoded` as for `read_again`."""
        for stretch in reversed(announced_numbers(text)):  # from the end, so earlier offsets stay valid
            if encoded is None:
                encoded = self._encode(audio)
            first_digit = next(i for i in range(stretch.start, stretch.end) if text[i] in DIGIT_CHARS)
            readings = [
                (reading.score, begin, reading.digits)
                for begin in dict.fromkeys((stretch.start, first_digit))
                if (reading := self._read_from(text, begin, stretch, encoded)) is not None
            ]
            if readings:
                _, begin, digits = max(readings)
                text = text[:begin] + digits + text[stretch.end :]
        return text

    def _read_from(self, text: str, begin: int, stretch: DigitRun, encoded: np.ndarray) -> Reading | None:
        """The announced number read from `begin` on, if the reading holds (see `read_announced`)."""
        decoder, outputs = self._decoder()
        start = self._led_to(text, begin)
        if len(start) + 2 * stretch.length + 1 > decoder.max_positions:
            return None
        next_token = CachedDecoder(decoder, encoded, start, outputs)
        # The first digit says which number it is: a mobile (1…) or a Beijing landline with its
        # area code (010…); a local number said partly as words is left as heard. The digit written
        # first says it where the number is read from there, else the audio does.
        first = digits_in(text[begin])
        if not first:
            likes = next_token([()])[0][[tokens[0] for tokens in self._digit_tokens]]
            first = str(int(np.argmax(likes)))
        head = {"1": "1", "0": "010"}.get(first)
        if head is None:
            return None
        known = _one_syllable_each(text[begin : stretch.end], stretch.length, head)
        reading = read_digits(
            next_token, self._digit_tokens, stretch.length, head=head, prune=_READING_PRUNE, known=known
        )
        if reading is None or reading.margin < MIN_READING_MARGIN or reading.score < MIN_ANNOUNCED_SCORE:
            return None
        # Edits beyond the digits the words stood for: the digits written must mostly stay.
        beyond = Levenshtein.distance(stretch.digits, reading.digits) - (len(reading.digits) - len(stretch.digits))
        return reading if beyond <= MAX_READING_EDITS else None

    def _led_to(self, text: str, number_start: int) -> list[int]:
        """The decoder's start for a number at `number_start`: it is led to the number by the words
        before it, its clause forced after the transcript's start and what came before as previous
        text. The audio stays whole: cut to the clause (by alignment or by the pace of speech),
        d031's 15101177889 read as 15101777889, each time measured."""
        cut = _clause_start(text, number_start)
        return self._decoder_start(text[:cut], text[cut:number_start])


def _one_syllable_each(stretch: str, length: int, head: str) -> str:
    """What the recogniser's words tell of each digit where it wrote one character (one syllable)
    for each digit said: the digits it wrote stand, each word in between is a digit to read ("?");
    "" where the count differs (a digit lost, or words that are not the number) or the digits
    written contradict `head`."""
    syllables = [char for char in stretch if char in DIGIT_CHARS or "\u4e00" <= char <= "\u9fff"]
    if len(syllables) != length:
        return ""
    known = "".join(digits_in(char) or "?" for char in syllables)
    return known if all(k in ("?", h) for k, h in zip(known, head, strict=False)) else ""


def _clause_start(text: str, number_start: int) -> int:
    """Where the clause that holds the number at `number_start` starts (0: at the start of `text`);
    a clause with fewer than `_MIN_LEAD_CHARS` words before the number takes in the one before."""
    index = number_start
    while True:
        mark = max(text.rfind(char, 0, index) for char in _CLAUSE_MARKS)
        if mark < 0:
            return 0
        if len(_CLAUSE_MARKS_RE.sub("", text[mark + 1 : number_start])) >= _MIN_LEAD_CHARS:
            return mark + 1
        index = mark


