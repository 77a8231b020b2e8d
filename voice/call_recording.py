"""Both legs of a phone call as one two-channel audio file, and back, through PyAV (ffmpeg).

Left is the caller, right what the caller heard, sample for sample on one clock: a player plays the
conversation as it went, a reviewer can pan to either side, and each side stays clean for a
recogniser to read again. Two codecs:

- "flac" (the default): lossless, so the file holds exactly what was on the line (every μ-law
  sample decodes to the same 16-bit value again), and every browser plays it. About 9-12 kB a
  second for the two sides of telephone speech: a little more than the μ-law itself.
- "opus" in Ogg: lossy, speech-tuned, about a quarter of that (16 kbit/s a side); for a city that
  keeps months of calls and can spare the exactness. Decoded, it comes back at 48 kHz.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from voice.codec import ulaw_to_pcm16

PHONE_RATE = 8000
OPUS_BITS_PER_CHANNEL = 16_000


@dataclass(frozen=True)
class Codec:
    name: str  # as the config and the recordings table name it
    container: str
    encoder: str
    content_type: str  # what an HTTP answer says it is


CODECS = {
    "flac": Codec("flac", "flac", "flac", "audio/flac"),
    "opus": Codec("opus", "ogg", "libopus", "audio/ogg"),
}


class RecordingAudioError(Exception):
    """Audio bytes that do not decode as a two-channel recording; the message says why."""


def encode_two_channels(left_ulaw: bytes, right_ulaw: bytes, codec: str) -> bytes:
    """Two 8 kHz μ-law tracks of the same length as one stereo file in `codec` ("flac" or "opus")."""
    if len(left_ulaw) != len(right_ulaw) or not left_ulaw:
        raise ValueError(f"two sides of the same length and not empty, not {len(left_ulaw)} and {len(right_ulaw)} "
                         "samples")
    chosen = CODECS[codec]
    interleaved = np.stack([ulaw_to_pcm16(left_ulaw), ulaw_to_pcm16(right_ulaw)], axis=1).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(interleaved), format="s16", layout="stereo")
    frame.sample_rate = PHONE_RATE
    out = io.BytesIO()
    with av.open(out, "w", format=chosen.container) as container:
        stream = container.add_stream(chosen.encoder, rate=PHONE_RATE, layout="stereo")
        if chosen.name == "opus":
            stream.bit_rate = 2 * OPUS_BITS_PER_CHANNEL
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def decode_two_channels(data: bytes) -> tuple[np.ndarray, int]:
    """A recording's audio as float32 of shape (2, samples) and its sample rate."""
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                raise RecordingAudioError("the file holds no audio stream")
            stream = container.streams.audio[0]
            if stream.codec_context.channels != 2:
                raise RecordingAudioError(f"the recording has {stream.codec_context.channels} channel(s), not 2")
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=stream.codec_context.sample_rate)
            parts = [plane for frame in container.decode(stream) for plane in resampler.resample(frame)]
            parts += resampler.resample(None)
            rate = stream.codec_context.sample_rate
    except av.error.FFmpegError as exc:
        raise RecordingAudioError(f"not a readable recording: {exc}") from exc
    if not parts:
        return np.zeros((2, 0), dtype=np.float32), rate
    return np.concatenate([part.to_ndarray() for part in parts], axis=1).astype(np.float32), rate
