"""The ASR seam: one small interface; one file per implementation."""

from __future__ import annotations

from collections.abc import Sequence
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


class StreamingRecognizer(SpeechRecognizer, Protocol):
    """A recogniser a live call can use: quick decodes of a growing turn, numbers repaired after."""

    restore_digits: bool

    def decode_window(
        self, audio: np.ndarray, said_before: str = "", fallback: bool = True, prompted: bool = True,
        hotwords: str = "",
    ) -> list[Segment] | None: ...

    def restore_numbers(self, segments: list[Segment], audio: np.ndarray) -> list[Segment]: ...

    def read_short_answer(self, audio: np.ndarray, heard: str) -> str: ...

    def listen_again(self, audio: np.ndarray) -> str: ...

    def score_texts(
        self, audio: np.ndarray, texts: Sequence[str], context: str = "", total: bool = False
    ) -> list[float]: ...
