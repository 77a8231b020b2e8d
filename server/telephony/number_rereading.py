"""A turn with a dictated number transcribed again, whole, from cuts a few milliseconds apart until
two read the same number (voice/asr/number_consensus.py), while the caller hears that the seat is
on it. Whole: the partial decodes heard the number in pieces, and a piece Whisper writes short
(于36111222) does not even look like a phone number. Each cut is its own slow job, so another
call's number waits for one cut, not for all of ours."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging

import numpy as np

from server.services import Services
from voice.asr.base import Transcript
from voice.asr.number_consensus import NumberConsensus, replaces, with_read_numbers

log = logging.getLogger("hotline.call")

# No further cut of a dictated number is started after this long: a cut of a long turn takes 4 s,
# and five of them (a minute-long turn whose cuts disagree, dev2's e035) kept the caller 21 s.
NUMBER_WAIT_S = 9.0


async def numbers_read_again(
    services: Services, transcript: Transcript, audio: np.ndarray, label: str, turn: int
) -> Transcript:
    """The turn's transcript with its numbers as the cuts read them (or its own read again)."""
    recognizer = services.recognizer
    consensus = NumberConsensus(audio)
    reading = None
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + NUMBER_WAIT_S
    while reading is None and consensus.cuts_left and loop.time() < give_up_at:
        cut = consensus.next_cut()
        reading = consensus.add(await services.run_slow(functools.partial(recognizer.transcribe, cut)))
    reading = reading or consensus.best()
    # Words two cuts agree on a number in stand for the turn; one cut's words do not.
    if reading.agreed and replaces(transcript.text, reading):
        log.debug("call %s: turn %d's numbers read from %d cuts (two agreed)", label, turn, reading.cuts)
        return reading.transcript
    spliced = with_read_numbers(transcript, reading)
    if spliced is not None:
        log.debug("call %s: turn %d's numbers as %d cuts read them (%s), in its streamed words", label, turn,
                  reading.cuts, "two agreed" if reading.agreed else "none agreed")
        return spliced
    if replaces(transcript.text, reading):
        log.debug("call %s: turn %d's numbers read from %d cuts (none agreed)", label, turn, reading.cuts)
        return reading.transcript
    log.debug("call %s: turn %d's cuts read no better; its own numbers read again", label, turn)
    heard = transcript.segments
    restored = await services.run_slow(lambda: recognizer.restore_numbers(heard, audio))
    return dataclasses.replace(transcript, text="".join(s.text for s in restored), segments=restored)
