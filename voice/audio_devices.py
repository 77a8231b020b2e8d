"""The computer's microphone and speaker as a telephone line: 20 ms frames of 8 kHz int16 each way.

`sounddevice` (PortAudio) is imported only when a device is opened, because most machines that
run Hotline (servers, CI) have neither PortAudio nor a sound card, and everything else must work
there. Whatever is missing comes out as one `AudioDeviceError` saying what to install or use.

Devices that cannot run at 8 kHz run at their own rate; `MicFramer` and `PlaybackQueue` resample
with a filter whose state carries across blocks, because resampling each 20 ms block on its own
puts a click at every block edge.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from math import gcd
from types import ModuleType
from typing import Any

import numpy as np
from scipy.signal import firwin

from voice.codec import float_to_int16, int16_to_float

PHONE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms at 8 kHz
FRAME_S = FRAME_SAMPLES / PHONE_RATE

_INSTALL_HINT = (
    "install PortAudio (Debian/Ubuntu: `apt install libportaudio2`), or place calls from audio files "
    "with `hotline call` / `hotline simulate`"
)


class AudioDeviceError(Exception):
    """No usable microphone or speaker: PortAudio missing, no device, or the device refused."""


def _sounddevice() -> ModuleType:
    try:
        import sounddevice
    except ImportError:
        raise AudioDeviceError(
            "the Python package sounddevice is not installed (`pip install sounddevice`)") from None
    except OSError as exc:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise AudioDeviceError(f"cannot load the PortAudio library ({exc}); {_INSTALL_HINT}") from None
    return sounddevice


class PolyphaseStreamResampler:
    """Resampling in pieces, the same filter as voice.stream_resample.StreamResampler, evaluated
    only at the output samples.

    StreamResampler filters the whole zero-stuffed stream, which is cheap for 8 <-> 16 kHz but
    means about 10^9 multiply-adds per 20 ms between 44.1 and 8 kHz (up 80, down 441): far too
    slow for a sound card's callback. Here each output sample is one dot product of one filter phase.
    """

    def __init__(self, src_rate: int, dst_rate: int, taps_per_phase: int = 16) -> None:
        divisor = gcd(src_rate, dst_rate)
        self.up, self.down = dst_rate // divisor, src_rate // divisor
        numtaps = taps_per_phase * max(self.up, self.down) * 2 + 1
        taps = firwin(numtaps, 0.95 / max(self.up, self.down)) * self.up
        self._span = -(-numtaps // self.up)  # input samples under the filter for one output sample
        padded = np.zeros(self._span * self.up)
        padded[:numtaps] = taps
        # Phase p's taps, ordered to meet the input newest-first: y[n] = sum_k h[k*up + p] x[n//up - k].
        self._phases = padded.reshape(self._span, self.up).T[:, ::-1].copy()
        self._history = np.zeros(self._span - 1)
        self._next = 0  # the next output's position in the upsampled stream, counted from _first
        self._first = -(self._span - 1)  # input index of _history[0]

    def process(self, audio: np.ndarray) -> np.ndarray:
        samples = np.concatenate([self._history, np.asarray(audio, dtype=np.float64).reshape(-1)])
        end = self._first + samples.size  # one past the last input index we hold
        positions = np.arange(self._next, end * self.up, self.down)
        newest = positions // self.up - self._first  # where each output's newest input sits in `samples`
        windows = samples[newest[:, None] + np.arange(-self._span + 1, 1)]
        out = np.einsum("ij,ij->i", windows, self._phases[positions % self.up])
        if positions.size:
            self._next = int(positions[-1]) + self.down
        self._history = samples[samples.size - (self._span - 1) :]
        self._first = end - (self._span - 1)
        return out.astype(np.float32)


def _device_id(device: str | int | None) -> str | int | None:
    """A device given on the command line as a number is an index, anything else a name to match."""
    if isinstance(device, str) and device.strip().isdigit():
        return int(device)
    return device


class MicFramer:
    """Microphone blocks at the device's rate → 20 ms frames of 8 kHz int16."""

    def __init__(self, device_rate: int) -> None:
        self._resampler = PolyphaseStreamResampler(device_rate, PHONE_RATE) if device_rate != PHONE_RATE else None
        self._pending = np.zeros(0, dtype=np.int16)

    def feed(self, block: np.ndarray) -> list[np.ndarray]:
        samples = np.asarray(block, dtype=np.int16).reshape(-1)
        if self._resampler is not None:
            samples = float_to_int16(self._resampler.process(int16_to_float(samples)))
        self._pending = np.concatenate([self._pending, samples])
        whole = len(self._pending) // FRAME_SAMPLES * FRAME_SAMPLES
        frames = [self._pending[i : i + FRAME_SAMPLES].copy() for i in range(0, whole, FRAME_SAMPLES)]
        self._pending = self._pending[whole:]
        return frames


class PlaybackQueue:
    """Audio waiting for the speaker, and how far playback has got.

    Positions count samples at the device's rate since the line opened. `put` says where the
    new audio ends; once `played()` reaches that, it has been heard (or dropped by `clear`).
    Thread-safe: the speaker pulls from PortAudio's thread while the call adds and clears.
    """

    def __init__(self, device_rate: int = PHONE_RATE) -> None:
        self._resampler = PolyphaseStreamResampler(PHONE_RATE, device_rate) if device_rate != PHONE_RATE else None
        self._chunks: deque[np.ndarray] = deque()
        self._queued = 0
        self._played = 0
        self._lock = threading.Lock()

    def put(self, pcm: np.ndarray) -> int:
        """Queue 8 kHz int16 audio; returns the position at which it will have played."""
        samples = np.asarray(pcm, dtype=np.int16).reshape(-1)
        if self._resampler is not None:
            samples = float_to_int16(self._resampler.process(int16_to_float(samples)))
        with self._lock:
            if samples.size:
                self._chunks.append(samples)
                self._queued += samples.size
            return self._queued

    def pull(self, count: int) -> np.ndarray:
        """The next `count` samples for the speaker, padded with silence when the queue runs dry."""
        out = np.zeros(count, dtype=np.int16)
        filled = 0
        with self._lock:
            while filled < count and self._chunks:
                chunk = self._chunks[0]
                take = min(count - filled, chunk.size)
                out[filled : filled + take] = chunk[:take]
                filled += take
                if take == chunk.size:
                    self._chunks.popleft()
                else:
                    self._chunks[0] = chunk[take:]
            self._played += filled
        return out

    def clear(self) -> None:
        """Drop everything not yet played; it counts as played, so whoever waits on it is released."""
        with self._lock:
            self._chunks.clear()
            self._played = self._queued

    def played(self) -> int:
        with self._lock:
            return self._played


def _open_settings(sd: ModuleType, device: str | int | None, kind: str) -> tuple[int, int]:
    """(device index, sample rate) for one direction: 8 kHz if the device takes it, else its own rate."""
    what = "microphone" if kind == "input" else "speaker"
    try:
        info: dict[str, Any] = sd.query_devices(device, kind)
    except (sd.PortAudioError, ValueError) as exc:
        named = f" matching {device!r}" if device is not None else " (no default device)"
        raise AudioDeviceError(
            f"no {what}{named}: {exc}; `python -m sounddevice` lists the devices; "
            "without a sound card, use `hotline call` / `hotline simulate` with audio files") from None
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=info["index"], samplerate=PHONE_RATE, channels=1, dtype="int16")
        return info["index"], PHONE_RATE
    except (sd.PortAudioError, ValueError):
        return info["index"], int(info["default_samplerate"])


class DeviceLine:
    """Microphone in, speaker out, through PortAudio.

    Creating one checks the devices (so a missing one is an error before any call is placed);
    `start` opens the streams and begins delivering microphone frames to a callback, which runs
    on PortAudio's thread.
    """

    def __init__(self, input_device: str | int | None = None, output_device: str | int | None = None) -> None:
        self._sd = _sounddevice()
        self._input, self.input_rate = _open_settings(self._sd, _device_id(input_device), "input")
        self._output, self.output_rate = _open_settings(self._sd, _device_id(output_device), "output")
        self._speaker = PlaybackQueue(self.output_rate)
        self._streams: list[Any] = []

    def describe(self) -> str:
        names = [self._sd.query_devices(self._input)["name"], self._sd.query_devices(self._output)["name"]]
        return f"microphone {names[0]!r} at {self.input_rate} Hz, speaker {names[1]!r} at {self.output_rate} Hz"

    def start(self, on_frame: Callable[[np.ndarray], None]) -> None:
        sd = self._sd
        framer = MicFramer(self.input_rate)

        def heard(indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
            for frame in framer.feed(indata[:, 0]):
                on_frame(frame)

        def speak(outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
            outdata[:, 0] = self._speaker.pull(frames)

        try:
            self._streams.append(sd.InputStream(
                device=self._input, samplerate=self.input_rate, channels=1, dtype="int16",
                blocksize=round(self.input_rate * FRAME_S), callback=heard))
            self._streams.append(sd.OutputStream(
                device=self._output, samplerate=self.output_rate, channels=1, dtype="int16",
                blocksize=round(self.output_rate * FRAME_S), callback=speak))
            for stream in self._streams:
                stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self.close()
            raise AudioDeviceError(f"cannot open the sound device: {exc}") from None

    def play(self, pcm: np.ndarray) -> int:
        return self._speaker.put(pcm)

    def played(self) -> int:
        # Counts what PortAudio took: one device buffer (tens of ms) ahead of the loudspeaker.
        return self._speaker.played()

    def clear(self) -> None:
        self._speaker.clear()

    def close(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            try:
                stream.stop()
                stream.close()
            except self._sd.PortAudioError:
                pass  # the device went away; nothing left to release
