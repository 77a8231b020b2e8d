"""The TTS seam: one small interface; one file per implementation."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class SpeechSynthesizer(Protocol):
    """Turns Chinese text into mono float32 audio in [-1, 1] at `sample_rate`."""

    @property
    def sample_rate(self) -> int: ...

    @property
    def voice_id(self) -> str:
        """Names the backend and voice, so a cache never mixes two voices."""
        ...

    def synthesize(self, text: str) -> np.ndarray: ...
