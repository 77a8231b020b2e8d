"""Resampling a stream that arrives in 20 ms pieces.

Resampling each piece on its own (resample_poly) pads every edge with zeros, which puts a
click into the audio fifty times a second; Whisper hears those. A FIR filter whose state
carries over from one piece to the next gives the same output as resampling the whole
stream at once.
"""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import firwin, lfilter


class StreamResampler:
    def __init__(self, src_rate: int, dst_rate: int, taps_per_phase: int = 16) -> None:
        divisor = gcd(src_rate, dst_rate)
        self.up = dst_rate // divisor
        self.down = src_rate // divisor
        numtaps = taps_per_phase * max(self.up, self.down) * 2 + 1
        # Cut just below the lower of the two Nyquist frequencies.
        cutoff = 0.95 / max(self.up, self.down)
        self._taps = firwin(numtaps, cutoff) * self.up
        self._state = np.zeros(numtaps - 1)
        self._phase = 0  # where the next decimation pick falls in the upsampled stream

    def process(self, audio: np.ndarray) -> np.ndarray:
        if audio.size == 0:
            return np.zeros(0, dtype=np.float32)
        stuffed = np.zeros(audio.size * self.up)
        stuffed[:: self.up] = audio
        filtered, self._state = lfilter(self._taps, 1.0, stuffed, zi=self._state)
        picked = filtered[self._phase :: self.down]
        self._phase = (self._phase - stuffed.size) % self.down
        return picked.astype(np.float32)
