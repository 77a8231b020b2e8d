"""load_audio on real files: the μ-law corpus, other formats PyAV writes, and files that are not audio."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from voice_fixtures import DEV_CORPUS

from voice.audio_file import AudioFileError, load_audio


def test_reads_a_ulaw_corpus_clip_as_16k_mono_float() -> None:
    audio = load_audio(DEV_CORPUS / "d001_1.wav")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert audio.size / 16000 == pytest.approx(8.73, abs=0.01)  # duration_s in calls.jsonl
    assert 0.1 < np.abs(audio).max() <= 1.0
    at_8k = load_audio(DEV_CORPUS / "d001_1.wav", sample_rate=8000)
    assert at_8k.size == pytest.approx(audio.size / 2, abs=2)


def test_reads_a_stereo_flac_at_another_rate(tmp_path: Path) -> None:
    rate = 44100
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)).astype(np.float32)
    path = tmp_path / "tone.flac"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("flac", rate=rate)
        stream.layout = "stereo"
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    audio = load_audio(path)
    assert audio.size == 16000  # one second, resampled to 16 kHz, down-mixed to mono
    assert np.abs(audio).max() == pytest.approx(0.5, abs=0.02)


def test_a_video_without_sound_has_no_audio_stream(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    with pytest.raises(AudioFileError, match="no audio stream"):
        load_audio(path)


@pytest.mark.parametrize("content", [b"", "这不是音频，是一段文字。".encode(), bytes(range(256)) * 40])
def test_files_that_are_not_audio_get_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFileError) as failure:
        load_audio(path)
    assert str(path) in str(failure.value)
    assert "Errno" not in str(failure.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="not found"):
        load_audio(tmp_path / "missing.wav")
    with pytest.raises(AudioFileError, match="not a file"):
        load_audio(tmp_path)
