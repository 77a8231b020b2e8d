"""The OpenAI-compatible voice against a stand-in speech service on a real loopback socket
(tests/speech_service.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from speech_service import SECONDS_PER_CHAR, SpeechService, speech_service

from server.config import ConfigError, load_settings
from server.services import build_synthesizer
from voice.tts.openai_speech import OpenAISpeechSynthesizer, SpeechServiceError


@pytest.fixture
def service() -> Iterator[str]:
    with speech_service() as url:
        yield url


def test_speech_comes_back_at_our_rate_and_the_request_is_the_api(service: str) -> None:
    voice = OpenAISpeechSynthesizer(service, model="tts-1", voice="alloy", api_key="sk-test", sample_rate=24000)
    audio = voice.synthesize("您好，请讲。")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert voice.sample_rate == 24000
    assert abs(audio.size / 24000 - 6 * SECONDS_PER_CHAR) < 0.01  # resampled, not just relabelled
    assert 0.25 < float(np.abs(audio).max()) < 0.35
    (request,) = SpeechService.requests
    assert request["path"] == "/v1/audio/speech" and request["auth"] == "Bearer sk-test"
    assert (request["model"], request["voice"], request["input"]) == ("tts-1", "alloy", "您好，请讲。")
    assert request["response_format"] == "wav"


def test_a_refusal_names_the_status_and_the_services_reason(service: str) -> None:
    voice = OpenAISpeechSynthesizer(service, model="tts-1", voice="nobody")
    with pytest.raises(SpeechServiceError, match=r"HTTP 400: voice 'nobody' not found"):
        voice.synthesize("你好")


def test_audio_that_is_not_wav_is_a_clear_error(service: str) -> None:
    voice = OpenAISpeechSynthesizer(service, model="tts-1", voice="garbled")
    with pytest.raises(SpeechServiceError, match="not WAV"):
        voice.synthesize("你好")


def test_no_service_listening_is_a_clear_error() -> None:
    voice = OpenAISpeechSynthesizer("http://127.0.0.1:9/v1", model="tts-1", voice="alloy", timeout_s=2)
    with pytest.raises(SpeechServiceError, match="cannot reach the speech service at http://127.0.0.1:9/v1"):
        voice.synthesize("你好")


def test_configured_backend_is_cached_so_repeats_cost_no_request(service: str, tmp_path: Path) -> None:
    environ = {
        "HOTLINE_TTS_BACKEND": "openai",
        "HOTLINE_TTS_BASE_URL": service,
        "HOTLINE_TTS_API_KEY": "sk-env",
        "HOTLINE_PATHS_CACHE_DIR": str(tmp_path),
    }
    synthesizer = build_synthesizer(load_settings(environ=environ))
    first = synthesizer.synthesize("感谢您的来电，再见。")
    again = synthesizer.synthesize("感谢您的来电，再见。")
    assert np.array_equal(first, again)
    assert len(SpeechService.requests) == 1 and SpeechService.requests[0]["auth"] == "Bearer sk-env"


def test_openai_backend_without_a_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="tts.base_url is empty"):
        build_synthesizer(load_settings(environ={"HOTLINE_TTS_BACKEND": "openai"}))
