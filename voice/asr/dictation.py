"""A dictated number read again, digit by digit, at the length it must have.

Whisper base writes what it hears of a dictated number as whole words: 一五零一零二零三零四零
comes out as 1500203040, 一八八零一二三六六五五 as 188-1012-3665. Left to itself it may stop
early or run on; but asked for one digit at a time, with the text so far as the decoder's prefix,
it ranks the digits well. So the number is decoded again as a beam search over exactly `length`
digits (a mobile number has 11): each step extends every kept reading by each of the ten digits,
scored by the decoder's log-probability of that digit's token; after the last digit the reading
must end, scored by the probability that no further digit follows. Only the ten digit tokens are
ever compared, so the model cannot merge 一一 into one word or wander off into the next sentence.

Measured on the dev calls' dictated numbers (bench/phone_digits.py): this reads the numbers with
zeros and alternations that the whole-turn decode never gets (15010203040, 15101177889).

Cost: one decoder step per digit for each kept reading, when the decoder keeps each sequence's
state (voice/asr/cached_decoder.py); through CTranslate2's `generate`, which starts from scratch
on every call, the same search took seconds.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

DigitTokens = Sequence[Sequence[int]]
"""The tokens that write each digit 0-9. Some digits take two (零 in Whisper's vocabulary); the
first token of each is what is scored, as the digits' first tokens differ from one another."""

NextTokenLogProbs = Callable[[Sequence[Sequence[int]]], list[np.ndarray]]
"""For each token sequence (what the decoder has written after the fixed prefix), the
log-probabilities over the whole vocabulary of the token that comes next."""


@dataclass(frozen=True)
class Reading:
    # Every reading the search ended with and its score (log-probability), best first.
    alternatives: tuple[tuple[str, float], ...]

    @property
    def digits(self) -> str:
        return self.alternatives[0][0]

    @property
    def score(self) -> float:
        return self.alternatives[0][1]

    @property
    def margin(self) -> float:
        """How far the best reading's score is ahead of the second best's."""
        return self.score - self.alternatives[1][1] if len(self.alternatives) > 1 else math.inf


def read_digits(
    next_token: NextTokenLogProbs,
    digit_tokens: DigitTokens,
    length: int,
    head: str = "",
    beam: int = 6,
    prune: float = math.inf,
    known: str = "",
) -> Reading | None:
    """The best `length`-digit reading that starts with `head`.

    `head` is what must be true of any such number (a mobile number starts with 1); it only
    narrows the search and adds nothing to the score. Readings more than `prune` behind the best
    are dropped (each kept reading costs a row in every later decoder call). `known`, if given,
    has one character per digit: a digit where that digit is known, anything else where it is not.
    """
    if length <= len(head) or len(digit_tokens) != 10 or (known and len(known) != length):
        return None
    start = tuple(token for digit in head for token in digit_tokens[int(digit)])
    readings: list[tuple[float, str, tuple[int, ...]]] = [(0.0, head, start)]
    for at in range(len(head), length):
        dists = next_token([tokens for _, _, tokens in readings])
        extended = (
            (score + float(dist[written[0]]), digits + str(digit), (*tokens, *written))
            for (score, digits, tokens), dist in zip(readings, dists, strict=True)
            for digit, written in enumerate(digit_tokens)
            if not known or not known[at].isdigit() or known[at] == str(digit)
        )
        readings = heapq.nlargest(beam, extended, key=lambda reading: reading[0])
        readings = [reading for reading in readings if reading[0] >= readings[0][0] - prune]
    dists = next_token([tokens for _, _, tokens in readings])
    ended = sorted(
        (
            (score + _log_no_more_digits(dist, digit_tokens), digits)
            for (score, digits, _), dist in zip(readings, dists, strict=True)
        ),
        reverse=True,
    )
    return Reading(tuple((digits, score) for score, digits in ended))


def score_digits(next_token: NextTokenLogProbs, digit_tokens: DigitTokens, digits: str, head: str = "") -> float:
    """How `read_digits` would score this one reading of the number (same start, same end)."""
    tokens = tuple(token for digit in head for token in digit_tokens[int(digit)])
    score = 0.0
    for digit in digits[len(head) :]:
        written = digit_tokens[int(digit)]
        score += float(next_token([tokens])[0][written[0]])
        tokens = (*tokens, *written)
    return score + _log_no_more_digits(next_token([tokens])[0], digit_tokens)


def _log_no_more_digits(dist: np.ndarray, digit_tokens: DigitTokens) -> float:
    more = float(np.exp(dist[[written[0] for written in digit_tokens]]).sum())
    return math.log(max(1e-9, 1.0 - more))
