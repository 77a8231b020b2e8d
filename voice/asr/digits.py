"""Dictated numbers whose repeated digits Whisper swallowed: count the syllables and put them back.

Whisper base hears which digits a caller dictates but not how often a digit repeats: 一三九，一一二二，
三三四四 comes out as 1391223344, 一三六一一一一二二二二 as 一三六一一一二二. Other decodes of the same
audio (beam search, digit prompts, the number cut out, slowed down, or decoded a few syllables at a
time) do not count better, so we count ourselves: every spoken digit is one syllable.

A digit run is repaired only when it is too short for the number it starts (a mobile 1[3-9]… or a
Beijing 010… number has 11 digits, a local landline 8); a number of the right length is left alone.
In the audio of the Whisper segment that holds the run:

1. syllables are the peaks of speech-band energy (300-3400 Hz, so hum and rumble do not count);
2. the number must be dictated syllable by syllable, each digit set off by a clear dip in energy,
   as callers do when they read out a number; in running speech the syllable count is a guess, and
   then nothing is changed;
3. the run covers `length` consecutive syllables; where they start is estimated from the characters
   before and after it in the segment's text (one Chinese character is one syllable);
4. each syllable gets an embedding (Whisper's encoder output over the syllable), and the runs of the
   digits Whisper wrote (1,3,6,1,2 for 一三六一一一二二) are spread over the syllables every possible
   way; we keep the spread under which syllables with the same digit sound most alike and syllables
   with different digits least alike;
5. a syllable added to a run must sound like its neighbour in that run, else we keep Whisper's text
   (the seat then asks for the number again, which beats writing down a wrong one).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

SAMPLE_RATE = 16000
_FRAME_S = 0.01  # energy frames
_ENCODER_FRAME_S = 0.02  # one Whisper encoder position
_DIGITAL_SILENCE_DB = -90.0  # speech-band energy of frames that are (all but) exact zeros

_DIGIT_VALUE = {
    **{str(d): str(d) for d in range(10)},
    **{c: str(i) for i, c in enumerate("零一二三四五六七八九")},
    "〇": "0", "幺": "1", "两": "2",
}  # fmt: skip
DIGIT_CHARS = "".join(_DIGIT_VALUE)  # every way a digit is written: 0-9, 零-九, 〇, 幺, 两
# Pauses between digit groups as Whisper writes them (139,1122 / 139 1122 / 139﹑1122 / 139-1122).
_DIGIT_RUN = re.compile(rf"[{DIGIT_CHARS}](?:[ ,，、﹑.。·\-]?[{DIGIT_CHARS}])*")
_SYLLABLE_CHAR = re.compile(r"[\u4e00-\u9fff0-9]")

# A dip between two syllables this deep (or down to the background) sets them clearly apart.
CLEAR_DIP_DB = 12.0
# Dictation style: most dips in the segment are this deep; a dip shallower than WOBBLE_DB then lies
# inside one syllable (二 often has one), one in between leaves the count in doubt.
DICTATION_DIP_DB = 20.0
WOBBLE_DB = 8.0
# How far (in syllables) the number may sit from where the text around it puts it.
PLACE_TOLERANCE = 2
# A syllable added to a run must be this many standard deviations more like its neighbour in the
# run than syllables with different digits are like each other.
MIN_REPEAT_Z = 2.0

Encoder = Callable[[np.ndarray], np.ndarray]
"""16 kHz audio → encoder output, one row per 20 ms."""


@dataclass(frozen=True)
class DigitRun:
    """Digits dictated in a text, `text[start:end]`, folded to 0-9, and the length they should have."""

    start: int
    end: int
    digits: str
    length: int


@dataclass(frozen=True)
class Syllables:
    spans: list[tuple[float, float]]  # (start_s, end_s)
    clear: list[bool]  # clear[i]: a clear dip between syllable i and i + 1


def expected_length(digits: str) -> int | None:
    """How many digits the number that starts like this has, or None when we cannot tell."""
    if re.match(r"1[3-9]", digits) or digits.startswith("010"):
        return 11
    if re.match(r"[2-9]", digits) and 6 <= len(digits) <= 8:
        return 8  # a Beijing landline without area code
    return None


def digits_in(text: str) -> str:
    """The digits of `text`, Chinese or Arabic, as 0-9; everything else dropped."""
    return "".join(_DIGIT_VALUE[ch] for ch in text if ch in _DIGIT_VALUE)


def phone_number_runs(text: str, min_digits: int = 6) -> list[DigitRun]:
    """Digit runs in `text` that start a phone number, whatever their length (an 18-digit ID is none)."""
    found = []
    for match in _DIGIT_RUN.finditer(text):
        digits = digits_in(match.group(0))
        length = expected_length(digits)
        if length is not None and min_digits <= len(digits) <= length + 1:
            found.append(DigitRun(match.start(), match.end(), digits, length))
    return found


def digit_run_end(text: str, at: int) -> int:
    """Where the digit run that holds the digit at `at` ends, its pauses included (139,1122 …)."""
    run = _DIGIT_RUN.match(text, at)
    return run.end() if run else at


def longest_digit_run(text: str) -> int:
    """How many digits the longest run in `text` holds (139,1122 counts as one run of seven)."""
    return max((len(digits_in(match.group(0))) for match in _DIGIT_RUN.finditer(text)), default=0)


def trailing_digit_run(text: str) -> tuple[int, str] | None:
    """Where the digit run that ends `text` starts, and its digits (139,1122,3344 is one run)."""
    runs = list(_DIGIT_RUN.finditer(text))
    if not runs or runs[-1].end() != len(text):
        return None
    return runs[-1].start(), digits_in(runs[-1].group(0))


def short_digit_runs(text: str, min_digits: int = 6) -> list[DigitRun]:
    """Digit runs in `text` too short for the number they start."""
    return [run for run in phone_number_runs(text, min_digits) if len(run.digits) < run.length]


def write_like(original: str, digits: str) -> str:
    """`digits` in the script of `original`: Arabic if Whisper wrote Arabic, else Chinese (幺 kept)."""
    if any("0" <= ch <= "9" for ch in original):
        return digits
    chinese = "".join("零一二三四五六七八九"[int(d)] for d in digits)
    return chinese.replace("一", "幺") if "幺" in original else chinese


def find_syllables(audio: np.ndarray, prominence_db: float = 4.0) -> Syllables:
    """Syllables as peaks of speech-band energy at least 100 ms apart, and which dips are clear."""
    energy = _speech_band_db(audio)
    if energy.size < 3:
        return Syllables([], [])
    # Gateways send digital silence (μ-law 0xff) while nobody speaks, and a segment's audio can end
    # in some of it; the floor is the background noise of the caller's line, so it does not count.
    audible = energy[energy > _DIGITAL_SILENCE_DB]
    if audible.size < 3:
        return Syllables([], [])
    floor = float(np.percentile(audible, 10))
    threshold = max(float(np.percentile(audible, 97)) - 30.0, floor + 6.0)
    peaks, _ = find_peaks(energy, height=threshold, prominence=prominence_db, distance=int(0.1 / _FRAME_S))
    peaks = list(peaks)
    depths = [_dip_depth(energy, a, b, floor) for a, b in itertools.pairwise(peaks)]
    if depths and float(np.median(depths)) >= DICTATION_DIP_DB:
        # Digits said one by one: a shallow dip is a wobble inside a syllable (二 often has one).
        kept = [peaks[0]]
        for peak, depth in zip(peaks[1:], depths, strict=True):
            if depth >= WOBBLE_DB:
                kept.append(peak)
            elif energy[peak] > energy[kept[-1]]:
                kept[-1] = peak
        peaks = kept
    depths = [_dip_depth(energy, a, b, floor) for a, b in itertools.pairwise(peaks)]
    spans = [_span_around(energy, peaks, k, threshold) for k in range(len(peaks))]
    return Syllables(spans, [depth >= CLEAR_DIP_DB for depth in depths])


def _dip_depth(energy: np.ndarray, left: int, right: int, floor: float) -> float:
    valley = float(energy[left : right + 1].min())
    depth = min(float(energy[left]), float(energy[right])) - valley
    # Background noise fills the pauses: a dip down to it is as clear as a dip can be.
    return depth if valley > floor + 3.0 else max(depth, CLEAR_DIP_DB)


def _span_around(energy: np.ndarray, peaks: list[int], k: int, threshold: float) -> tuple[float, float]:
    # From the lowest point before the peak to the lowest point after it, without quiet edges.
    peak = peaks[k]
    lo = peaks[k - 1] + int(np.argmin(energy[peaks[k - 1] : peak + 1])) if k > 0 else 0
    hi = peak + int(np.argmin(energy[peak : peaks[k + 1] + 1])) if k + 1 < len(peaks) else energy.size - 1
    while lo < peak and energy[lo] < threshold:
        lo += 1
    while hi > peak and energy[hi] < threshold:
        hi -= 1
    return lo * _FRAME_S, (hi + 1) * _FRAME_S + 0.015


def _speech_band_db(audio: np.ndarray, win: int = 400, hop: int = 160) -> np.ndarray:
    if audio.size < win:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(audio, win)[::hop] * np.hanning(win)
    power = np.abs(np.fft.rfft(frames, n=512)) ** 2
    freqs = np.fft.rfftfreq(512, 1 / SAMPLE_RATE)
    band = power[:, (freqs >= 300) & (freqs <= 3400)].sum(axis=1)
    return 10 * np.log10(band + 1e-10)


def syllable_embeddings(encoder_frames: np.ndarray, spans: Sequence[tuple[float, float]]) -> np.ndarray:
    """One unit vector per syllable: encoder output over its middle, less the segment's average."""
    vectors = []
    for start, end in spans:
        margin = (end - start) * 0.2  # the edges belong half to the neighbours
        i0 = min(int((start + margin) / _ENCODER_FRAME_S), len(encoder_frames) - 1)
        i1 = max(i0 + 1, int((end - margin) / _ENCODER_FRAME_S))
        vectors.append(encoder_frames[i0:i1].mean(axis=0))
    matrix = np.array(vectors)
    # What all syllables of this voice share says nothing about which digit one is.
    matrix = matrix - matrix.mean(axis=0)
    return matrix / (np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9)


@dataclass(frozen=True)
class Spread:
    digits: str
    score: float
    repeat_z: float  # how alike the least alike neighbours within one run are (z score)


def spread_runs(digits: str, embeddings: np.ndarray, fixed_head: int = 0) -> Spread | None:
    """The best way to spread the runs of `digits` over the syllables whose `embeddings` are given.

    The first `fixed_head` runs keep their length (a mobile number starts with a single 1).
    """
    runs = [(d, len(list(group))) for d, group in itertools.groupby(digits)]
    count = len(embeddings)
    if count < len(runs):
        return None
    similarity = embeddings @ embeddings.T
    best: tuple[float, np.ndarray] | None = None
    for cuts in itertools.combinations(range(1, count), len(runs) - 1):
        lengths = np.diff((0, *cuts, count))
        if any(lengths[i] != runs[i][1] for i in range(min(fixed_head, len(runs)))):
            continue
        labels = np.repeat([int(d) for d, _ in runs], lengths)
        score = _alikeness(labels, similarity)
        if best is None or score > best[0]:
            best = (float(score), labels)
    if best is None:
        return None
    score, labels = best
    different = similarity[labels[:, None] != labels[None, :]]
    z = [
        (similarity[i, i + 1] - different.mean()) / (different.std() + 1e-9)
        for i in range(count - 1)
        if labels[i] == labels[i + 1]
    ]
    return Spread("".join(map(str, labels)), score, float(min(z)) if z else float("inf"))


def _alikeness(labels: np.ndarray, similarity: np.ndarray) -> float:
    """How much more alike syllables labelled with one digit sound than syllables with different ones."""
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    different = labels[:, None] != labels[None, :]
    if not different.any():
        return 0.0
    return float((similarity[same].mean() if same.any() else 0.0) - similarity[different].mean())


def runs_by_sound(
    readings: Sequence[str], text: str, run: DigitRun, audio: np.ndarray, encoded: np.ndarray
) -> str | None:
    """Of `readings` (best first) of the number `run` in `text` (one Whisper segment, heard in
    `audio`, whose encoder output is `encoded`), those that differ from the first only in how many
    times each digit is said (13611111122, 13611112222): the one under which syllables said with one
    digit sound most alike. The decoder ranks which digits were said well, but not how often one
    was said over and over; the syllables tell that (see the module doc).

    None when no other reading is such a variant, or the number's syllables are not set apart
    clearly enough to be counted."""
    first = readings[0]
    variants = [r for r in readings if len(r) == len(first) and _digit_order(r) == _digit_order(first)]
    if len(variants) < 2:
        return None
    syllables = find_syllables(audio)
    starts = _place(text, run, syllables)
    if starts is None:
        return None
    embeddings = syllable_embeddings(encoded, syllables.spans)
    similarities = [embeddings[s : s + len(first)] @ embeddings[s : s + len(first)].T for s in starts]

    labels = {reading: np.array([int(d) for d in reading]) for reading in variants}
    # The number's syllables are where the readings fit them best on the whole. Were each reading
    # let choose its own stretch, a wrong one finds one that happens to fit it (dev2's e029:
    # 15912270368 a syllable early beat 15911270368 where it lies); the decoder's best alone
    # chooses the stretch that suits itself.
    where = max(similarities, key=lambda similarity: sum(_alikeness(labels[r], similarity) for r in variants))
    return max(variants, key=lambda reading: _alikeness(labels[reading], where))  # first of equals


def recounted(digits: str, head: str = "", most: int = 2) -> list[str]:
    """`digits` with the boundary between two runs of one digit moved by up to `most` places, where
    one of the two runs says its digit more than once (13611111122 → 13611112222, 13611111112 …):
    the readings a decoder that hears the digits but miscounts repeats may have missed. Each run
    keeps at least one digit, the number its length and its `head`."""
    runs = [[digit, len(list(group))] for digit, group in itertools.groupby(digits)]
    found: dict[str, None] = {}
    for i in range(len(runs) - 1):
        if runs[i][1] < 2 and runs[i + 1][1] < 2:
            continue  # single digits either side: the decoder heard those one by one
        for shift in range(-most, most + 1):
            left, right = runs[i][1] + shift, runs[i + 1][1] - shift
            if shift and left >= 1 and right >= 1:
                moved = [*runs[:i], [runs[i][0], left], [runs[i + 1][0], right], *runs[i + 2 :]]
                variant = "".join(digit * count for digit, count in moved)
                if variant.startswith(head):
                    found[variant] = None
    return list(found)


def _digit_order(digits: str) -> str:
    """The digits said, each run of one digit counted once: 13611112222 → 13612."""
    return "".join(digit for digit, _ in itertools.groupby(digits))


def restore_repeats(text: str, audio: np.ndarray, encode: Encoder) -> str:
    """`text` (one Whisper segment) with its too-short numbers repaired from `audio` (that segment)."""
    runs = short_digit_runs(text)
    if not runs:
        return text
    syllables = find_syllables(audio)
    embeddings: np.ndarray | None = None
    for run in reversed(runs):  # from the end, so earlier offsets stay valid
        place = _place(text, run, syllables)
        if place is None:
            continue
        if embeddings is None:
            embeddings = syllable_embeddings(encode(audio), syllables.spans)
        digits = _best_digits(run, embeddings, place)
        if digits is not None:
            text = text[: run.start] + write_like(text[run.start : run.end], digits) + text[run.end :]
    return text


def _place(text: str, run: DigitRun, syllables: Syllables) -> list[int] | None:
    """Where the run's syllables may start: near where the text puts them, set off by clear dips."""
    count = len(syllables.spans)
    before = len(_SYLLABLE_CHAR.findall(text[: run.start]))
    after = len(_SYLLABLE_CHAR.findall(text[run.end :]))
    guesses = {before, count - after - run.length}
    starts = sorted(
        s
        for guess in guesses
        for s in range(guess - PLACE_TOLERANCE, guess + PLACE_TOLERANCE + 1)
        if 0 <= s <= count - run.length
    )
    # Every dip inside the number and at its two ends must be clear, else the count is a guess.
    clear = [
        s
        for s in dict.fromkeys(starts)
        if all(syllables.clear[i] for i in range(max(0, s - 1), min(len(syllables.clear), s + run.length)))
    ]
    return clear or None


def _best_digits(run: DigitRun, embeddings: np.ndarray, starts: list[int]) -> str | None:
    head = 3 if run.digits.startswith("010") else 1 if run.digits.startswith("1") else 0
    best: Spread | None = None
    for start in starts:
        spread = spread_runs(run.digits, embeddings[start : start + run.length], fixed_head=head)
        if spread is not None and (best is None or spread.score > best.score):
            best = spread
    if best is None or best.repeat_z < MIN_REPEAT_Z:
        return None
    return best.digits
