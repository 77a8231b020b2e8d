"""A voice from any OpenAI-compatible speech service (`POST /v1/audio/speech`), via the openai client.

OpenAI itself and the self-hosted servers that copy its API (openedai-speech, Kokoro-FastAPI, …)
all take {model, voice, input, response_format} and answer with audio bytes. We ask for WAV: it
says its own sample rate, where "pcm" is 24 kHz by convention only.
"""

from __future__ import annotations

import io
import wave

import numpy as np
import openai

from voice.codec import resample


class SpeechServiceError(Exception):
    """The speech service could not be reached or refused; the message says which and why."""


class OpenAISpeechSynthesizer:
    """`synthesize(text)` → mono float32 at `sample_rate`, whatever rate the service sends."""

    def __init__(
        self,
        base_url: str,
        model: str,
        voice: str,
        api_key: str = "",
        speed: float = 1.0,
        timeout_s: float = 30.0,
        sample_rate: int = 24000,
    ) -> None:
        if not base_url:
            raise SpeechServiceError("tts.base_url is empty: set it to the service's URL, e.g. http://host:8000/v1")
        self._client = openai.OpenAI(
            base_url=base_url,
            # Self-hosted services often need no key, but the client insists on one.
            api_key=api_key or "not-needed",
            timeout=timeout_s,
            max_retries=1,
        )
        self.base_url = base_url
        self.model = model
        self.voice = voice
        self.speed = speed
        self._rate = sample_rate

    @property
    def sample_rate(self) -> int:
        return self._rate

    @property
    def voice_id(self) -> str:
        return f"openai-speech:{self.base_url}|{self.model}|{self.voice}|{self.speed}|{self._rate}"

    def synthesize(self, text: str) -> np.ndarray:
        try:
            response = self._client.audio.speech.create(
                model=self.model,
                voice=self.voice,
                input=text,
                response_format="wav",
                speed=self.speed,
            )
        except openai.APIStatusError as exc:
            raise SpeechServiceError(
                f"the speech service at {self.base_url} answered HTTP {exc.status_code}: {_detail(exc)}"
            ) from exc
        except openai.APIError as exc:  # connection refused, timeout, …
            raise SpeechServiceError(f"cannot reach the speech service at {self.base_url}: {exc}") from exc
        audio, rate = _read_wav(response.content)
        return resample(audio, rate, self._rate)


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(exc.message)


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise SpeechServiceError(f"the speech service sent something that is not WAV audio ({exc})") from exc
    if width != 2:
        raise SpeechServiceError(f"the speech service sent {8 * width}-bit WAV; 16-bit PCM is expected")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate
