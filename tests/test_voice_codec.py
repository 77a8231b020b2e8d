"""voice.codec against independent references: ffmpeg's μ-law decoder (PyAV) on the real corpus
files, the stdlib reference encoder (audioop, what sox implements), and signal properties of the
resampler."""

from __future__ import annotations

import struct
import warnings

import av
import numpy as np
import pytest
from voice_fixtures import DEV_CORPUS

from voice.codec import first_sound, float_to_int16, int16_to_float, pcm16_to_ulaw, resample, ulaw_to_pcm16

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)


def _wav_data_chunk(path) -> bytes:
    """The raw sample bytes of a WAV file (here: G.711 μ-law, format tag 7)."""
    blob = path.read_bytes()
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WAVE"
    offset = 12
    while offset < len(blob):
        chunk_id, size = blob[offset : offset + 4], struct.unpack("<I", blob[offset + 4 : offset + 8])[0]
        if chunk_id == b"fmt ":
            assert struct.unpack("<H", blob[offset + 8 : offset + 10])[0] == 7, "not a μ-law WAV"
        if chunk_id == b"data":
            return blob[offset + 8 : offset + 8 + size]
        offset += 8 + size + (size & 1)
    raise AssertionError(f"no data chunk in {path}")


def _ffmpeg_decode(path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
    return np.concatenate(frames)


@pytest.mark.parametrize("clip", ["d001_1.wav", "d013_2.wav", "d029_1.wav"])
def test_ulaw_decoding_matches_ffmpeg_on_corpus_files(clip: str) -> None:
    path = DEV_CORPUS / clip
    ours = ulaw_to_pcm16(_wav_data_chunk(path))
    reference = _ffmpeg_decode(path)
    assert reference.dtype == np.int16
    assert ours.dtype == np.int16
    np.testing.assert_array_equal(ours, reference)


def test_ulaw_encoding_matches_the_reference_encoder_for_every_sample() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")  # gone in Python 3.13; this project pins 3.11
        reference = audioop.lin2ulaw(ALL_INT16.tobytes(), 2)
    assert pcm16_to_ulaw(ALL_INT16) == reference


def test_ulaw_round_trip_error_stays_within_one_quantisation_step() -> None:
    decoded = ulaw_to_pcm16(pcm16_to_ulaw(ALL_INT16)).astype(np.int32)
    error = np.abs(decoded - ALL_INT16.astype(np.int32))
    # μ-law steps grow with amplitude (8 segments, 16 steps each), so the error does too;
    # anything louder than 32124 is clipped to it.
    magnitude = np.abs(ALL_INT16.astype(np.int32))
    unclipped = magnitude <= 32124
    assert np.all(error[unclipped] <= magnitude[unclipped] // 16 + 8)
    assert np.all(np.abs(decoded) <= 32124)
    # Every code except the second zero (0x7F, "negative zero") survives decode → encode.
    codes = bytes(code for code in range(256) if code != 0x7F)
    assert pcm16_to_ulaw(ulaw_to_pcm16(codes)) == codes


def test_ulaw_byte_counts_and_types() -> None:
    assert ulaw_to_pcm16(b"").size == 0
    assert pcm16_to_ulaw(np.zeros(0, dtype=np.int16)) == b""
    frame = pcm16_to_ulaw(np.zeros(160, dtype=np.int16))  # one 20 ms telephone frame
    assert len(frame) == 160 and set(frame) == {0xFF}
    with pytest.raises(TypeError):
        pcm16_to_ulaw(np.zeros(4, dtype=np.float32))


def test_int16_float_conversion_round_trips_and_clips() -> None:
    as_float = int16_to_float(ALL_INT16)
    assert as_float.dtype == np.float32
    assert as_float.min() == -1.0 and as_float.max() < 1.0
    back = float_to_int16(as_float)
    assert np.max(np.abs(back.astype(np.int32) - ALL_INT16)) <= 1
    loud = float_to_int16(np.array([-3.0, -1.0, 0.0, 1.0, 2.5], dtype=np.float32))
    assert loud.tolist() == [-32767, -32767, 0, 32767, 32767]  # clipped, not wrapped around


def _tone(freq: float, rate: int, seconds: float = 1.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_frequency(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.fft.rfftfreq(audio.size, 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize(("src", "dst"), [(8000, 16000), (16000, 8000), (24000, 8000), (24000, 16000)])
def test_resample_keeps_a_tone_and_the_duration(src: int, dst: int) -> None:
    tone = _tone(1000.0, src)
    out = resample(tone, src, dst)
    assert out.dtype == np.float32
    assert out.size == tone.size * dst // src
    assert abs(_peak_frequency(out, dst) - 1000.0) < 2.0
    middle = out[dst // 10 : -dst // 10]  # away from the filter's edge effects
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_resample_24k_to_8k_filters_what_the_phone_line_cannot_carry() -> None:
    # 6 kHz is above the 4 kHz Nyquist limit of 8 kHz audio: without the anti-aliasing filter
    # it would fold back to 2 kHz and be heard as a whistle.
    out = resample(_tone(6000.0, 24000), 24000, 8000)
    assert np.sqrt(np.mean(out**2)) < 0.01


def test_resample_same_rate_and_empty_input() -> None:
    audio = _tone(440.0, 16000, 0.1)
    same = resample(audio, 16000, 16000)
    np.testing.assert_array_equal(same, audio)
    assert same is not audio
    assert resample(np.zeros(0, dtype=np.float32), 8000, 16000).size == 0
    with pytest.raises(ValueError):
        resample(audio, 0, 16000)


def test_first_sound_skips_the_digital_silence_of_a_line() -> None:
    quiet = int16_to_float(ulaw_to_pcm16(b"\xff" * 400))  # what gateways send between turns
    faint = int16_to_float(ulaw_to_pcm16(b"\xfe" * 10))  # the smallest step above it
    assert first_sound(np.concatenate([quiet, faint])) == 400
    assert first_sound(quiet) is None and first_sound(np.zeros(0, np.float32)) is None
