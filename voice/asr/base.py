"""The ASR seam: one small interface; one file per implementation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration_s: float
    segments: list[Segment] = field(default_factory=list)


class SpeechRecognizer(Protocol):
    """Turns 16 kHz mono float32 audio into Simplified Chinese text."""

    def transcribe(self, audio: np.ndarray, hotwords: str | None = None) -> Transcript: ...
