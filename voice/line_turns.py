"""A recording played down the phone line and cut into turns as a live call cuts it, for the
benches and tests that must hand the recogniser what the server would (bench/phone_digits.py,
bench/streaming_asr.py, tests/test_voice_digits.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voice.asr.base import SAMPLE_RATE
from voice.audio_file import load_audio
from voice.codec import float_to_int16, int16_to_float, pcm16_to_ulaw, ulaw_to_pcm16
from voice.stream_resample import StreamResampler
from voice.vad import EndOfTurnDetector, TurnEnded

PHONE_RATE = 8000
FRAME = 160  # 20 ms at 8 kHz, as the carrier sends it
# Before the caller speaks the line carries digital silence (the softphone sends μ-law 0xff while
# the seat talks), and the turn's pre-roll takes some of it in, as it does in `hotline simulate`.
LINE_SILENCE_S = 1.0


def turns_off_the_line(path: Path, detector: EndOfTurnDetector) -> list[np.ndarray]:
    """The turns (16 kHz) the server would hand to the recogniser for this clip: after the line's
    silence, μ-law in 20 ms frames, resampled as the stream comes, ended by `detector` (one per
    clip: it holds the call's voice activity state)."""
    silence = np.zeros(int(LINE_SILENCE_S * PHONE_RATE), np.float32)
    audio = np.concatenate([silence, load_audio(path, sample_rate=PHONE_RATE), silence, silence])
    resampler = StreamResampler(PHONE_RATE, SAMPLE_RATE)
    turns = []
    for start in range(0, audio.size, FRAME):
        line = int16_to_float(ulaw_to_pcm16(pcm16_to_ulaw(float_to_int16(audio[start : start + FRAME]))))
        turns += [e.audio for e in detector.feed(resampler.process(line)) if isinstance(e, TurnEnded)]
    turns += [e.audio for e in detector.flush() if isinstance(e, TurnEnded)]
    return turns
