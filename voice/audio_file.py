"""Read an audio file of any format PyAV (ffmpeg) understands as mono float32 at one rate."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from faster_whisper.audio import decode_audio

from voice.asr.base import SAMPLE_RATE


class AudioFileError(Exception):
    """The file is missing or holds no readable audio; the message says which and why."""


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode `path` (wav incl. μ-law, mp3, m4a, ogg, flac, video files ...) to mono float32."""
    file = Path(path)
    if not file.exists():
        raise AudioFileError(f"audio file not found: {file}")
    if not file.is_file():
        raise AudioFileError(f"not a file: {file}")
    try:
        audio = decode_audio(str(file), sampling_rate=sample_rate)
    except (IndexError, StopIteration) as exc:  # ffmpeg opened the container: no audio stream in it
        raise AudioFileError(f"{file} has no audio stream") from exc
    except (av.error.FFmpegError, ValueError) as exc:
        raise AudioFileError(
            f"cannot read audio from {file}: not an audio file or an unsupported format ({_reason(exc)})"
        ) from exc
    except OSError as exc:
        raise AudioFileError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if audio.size == 0:
        raise AudioFileError(f"{file} contains no audio samples")
    return np.ascontiguousarray(audio, dtype=np.float32)


def _reason(exc: BaseException) -> str:
    # ffmpeg errors carry a readable strerror ("Invalid data found when processing input").
    text = (getattr(exc, "strerror", None) or str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
