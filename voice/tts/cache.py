"""On-disk TTS cache: a seat says the same greetings and answers again and again.

Each text is stored once per voice as a float32 `.npy` file named by sha256(voice_id + text),
so a repeat costs one file read and returns exactly the samples first synthesised. Files are
written to a temp name and renamed, so a crash or two calls racing on one text never leave a
half-written file behind; an unreadable file counts as a miss and is rewritten.

The files are plain audio, so the owner decides which texts may be kept (`kept`): a server keeps
what it says to every caller, never a read-back of one caller's number or address, which would
sit on disk in clear where the database holds it sealed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from voice.tts.base import SpeechSynthesizer

log = logging.getLogger(__name__)


class CachedSynthesizer:
    """A SpeechSynthesizer that asks `inner` only for texts it has not spoken before."""

    def __init__(self, inner: SpeechSynthesizer, cache_dir: Path, kept: Callable[[str], bool] | None = None) -> None:
        self.inner = inner
        self.cache_dir = Path(cache_dir)
        self.kept = kept  # which texts are written to disk and read back (None: every text)

    @property
    def sample_rate(self) -> int:
        return self.inner.sample_rate

    @property
    def voice_id(self) -> str:
        return self.inner.voice_id

    def path_for(self, text: str) -> Path:
        """Where the audio of `text` in this voice lives (whether or not it exists yet)."""
        key = hashlib.sha256(f"{self.inner.voice_id}\n{text}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.npy"

    def keeps(self, text: str) -> bool:
        """Whether the audio of `text` is kept on disk."""
        return self.kept is None or self.kept(text)

    def cached(self, text: str) -> np.ndarray | None:
        """The audio of `text` if it was spoken before and is kept: a file read, no synthesis."""
        return _read(self.path_for(text)) if self.keeps(text) else None

    def synthesize(self, text: str) -> np.ndarray:
        if not self.keeps(text):
            return np.asarray(self.inner.synthesize(text), dtype=np.float32)
        path = self.path_for(text)
        cached = _read(path)
        if cached is not None:
            return cached
        audio = np.asarray(self.inner.synthesize(text), dtype=np.float32)
        try:
            _write_atomically(path, audio)
        except OSError as exc:  # a full or read-only disk must not silence the seat
            log.warning("cannot write TTS cache file %s: %s", path, exc)
        return audio


def _read(path: Path) -> np.ndarray | None:
    try:
        audio = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as exc:
        log.warning("unreadable TTS cache file %s (%s); synthesising again", path, exc)
        return None
    if audio.dtype != np.float32 or audio.ndim != 1:
        log.warning("unexpected TTS cache file %s (%s %s); synthesising again", path, audio.dtype, audio.shape)
        return None
    return audio


def _write_atomically(path: Path, audio: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=path.stem[:16] + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            np.save(out, audio, allow_pickle=False)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
