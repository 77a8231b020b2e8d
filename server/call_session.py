"""One phone call: caller audio in, seat replies out, everything stored.

The WebSocket handler feeds parsed events in; this class owns the per-call state (VAD, seat,
marks) and the turn worker that runs ASR → seat → TTS off the event loop, one turn at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from agent import replies
from agent.seat import OfflineSeat, SeatReply
from server.protocol import (
    CLOSE_PROTOCOL,
    Connected,
    Dtmf,
    Event,
    Mark,
    Media,
    ProtocolError,
    Start,
    Stop,
    Unknown,
    frames,
    mark_message,
    media_message,
)
from server.services import Services
from server.storage import repository
from voice.codec import float_to_int16, int16_to_float, pcm16_to_ulaw, resample, ulaw_to_pcm16
from voice.stream_resample import StreamResampler
from voice.tts.chunks import PAUSE_BETWEEN_S, speech_chunks
from voice.vad import EndOfTurnDetector, TurnEnded

log = logging.getLogger("hotline.call")

PHONE_RATE = 8000
ASR_RATE = 16000


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CallState:
    start: Start
    call_id: int
    seat: OfflineSeat
    detector: EndOfTurnDetector
    resampler: StreamResampler = field(default_factory=lambda: StreamResampler(PHONE_RATE, ASR_RATE))
    # A reply has been heard only once the gateway sends its mark back, not when we sent it.
    marks_sent: set[str] = field(default_factory=set)
    marks_heard: list[str] = field(default_factory=list)
    dtmf: list[str] = field(default_factory=list)
    turn_count: int = 0


class CallSession:
    def __init__(self, services: Services, send_text: Callable[[str], Awaitable[None]]) -> None:
        self._services = services
        self._send_text = send_text
        self._send_lock = asyncio.Lock()
        self.state: CallState | None = None
        self._turns: asyncio.Queue[TurnEnded | None] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._hung_up = False
        self.ended = False

    @property
    def label(self) -> str:
        return self.state.start.call_sid if self.state else "(not started)"

    # ---- events from the gateway ------------------------------------------------------------

    async def handle(self, event: Event) -> None:
        if isinstance(event, Connected):
            return
        if isinstance(event, Start):
            if self.state is not None:
                raise ProtocolError(CLOSE_PROTOCOL, "a second 'start' on the same stream")
            await self._begin(event)
            return
        if isinstance(event, Unknown):
            log.info("call %s: ignoring unknown event %r", self.label, event.event)
            return
        if self.state is None:
            raise ProtocolError(CLOSE_PROTOCOL, f"'{type(event).__name__.lower()}' before 'start'")
        if isinstance(event, Media):
            self._on_audio(event.payload)
        elif isinstance(event, Mark):
            self._on_mark(event.name)
        elif isinstance(event, Dtmf):
            self.state.dtmf.append(event.digit)
            log.info("call %s: caller pressed %s", self.label, event.digit)
        elif isinstance(event, Stop):
            await self.end(error=None)

    async def _begin(self, start: Start) -> None:
        services = self._services
        caller = start.custom_parameters.get("from") or None
        knowledge = await asyncio.to_thread(services.knowledge.current)
        seat = OfflineSeat(knowledge, caller_number=caller)
        call_id = await asyncio.to_thread(
            repository.create_call,
            services.engine,
            call_sid=start.call_sid,
            stream_sid=start.stream_sid,
            caller_number=caller,
        )
        detector = services.new_turn_detector()
        self.state = CallState(start=start, call_id=call_id, seat=seat, detector=detector)
        log.info("call %s started (from %s)", start.call_sid, caller or "unknown number")
        self._worker = asyncio.create_task(self._turn_worker())
        await self._say(seat.greeting(), mark="greeting")

    def _on_audio(self, ulaw: bytes) -> None:
        assert self.state is not None
        if self._hung_up:
            return
        pcm = int16_to_float(ulaw_to_pcm16(ulaw))
        for event in self.state.detector.feed(self.state.resampler.process(pcm)):
            if isinstance(event, TurnEnded):
                self._turns.put_nowait(event)

    def _on_mark(self, name: str) -> None:
        assert self.state is not None
        if name not in self.state.marks_sent:
            log.info("call %s: mark %r that we never sent", self.label, name)
            return
        self.state.marks_heard.append(name)

    # ---- turns ------------------------------------------------------------------------------

    async def _turn_worker(self) -> None:
        while True:
            ended = await self._turns.get()
            if ended is None:
                return
            try:
                await self._take_turn(ended)
            except Exception:
                # One bad turn must not end the call; the caller is asked to repeat.
                log.exception("call %s: turn failed", self.label)
                if not self._hung_up:
                    await self._say(replies.SYSTEM_ERROR, mark=None)

    async def _take_turn(self, ended: TurnEnded) -> None:
        state = self.state
        assert state is not None
        services = self._services
        transcript = await asyncio.to_thread(services.recognizer.transcribe, ended.audio)
        final_at = utcnow()
        reply: SeatReply = await asyncio.to_thread(state.seat.turn, transcript.text.strip())
        index = state.turn_count
        state.turn_count += 1
        await asyncio.to_thread(
            repository.add_turn,
            services.engine,
            call_id=state.call_id,
            index=index,
            asr_text=transcript.text.strip(),
            reply_text=reply.text,
            reply_action=reply.action,
            speech_started_at=ended.started_at_s,
            speech_ended_at=ended.ended_at_s,
            asr_final_at=final_at,
        )
        if not self._hung_up:
            first_audio_at = await self._say(reply.text, mark=f"reply-{index}")
            await asyncio.to_thread(
                repository.set_turn_reply_audio_at, services.engine, state.call_id, index, first_audio_at
            )

    # ---- speaking ---------------------------------------------------------------------------

    async def _say(self, text: str, mark: str | None) -> datetime:
        """Synthesise and stream a reply sentence by sentence; returns when its first audio went out."""
        state = self.state
        assert state is not None
        synth = self._services.synthesizer
        sid = state.start.stream_sid
        pause = pcm16_to_ulaw(np.zeros(int(PAUSE_BETWEEN_S * PHONE_RATE), dtype=np.int16))
        first_audio_at: datetime | None = None
        async with self._send_lock:
            for number, sentence in enumerate(speech_chunks(text)):
                try:
                    audio = await asyncio.to_thread(synth.synthesize, sentence)
                except Exception as exc:  # noqa: BLE001 - a voice outage must not stop the call's work
                    # The caller misses this sentence; the turn, the ticket and the rest of the call
                    # are still handled and stored.
                    log.warning("call %s: cannot synthesise %r: %s", self.label, sentence, exc)
                    continue
                ulaw = pcm16_to_ulaw(float_to_int16(resample(audio, synth.sample_rate, PHONE_RATE)))
                if number:
                    ulaw = pause + ulaw
                first_audio_at = first_audio_at or utcnow()
                for frame in frames(ulaw):
                    await self._send_text(media_message(sid, frame))
            if mark is not None:
                state.marks_sent.add(mark)
                await self._send_text(mark_message(sid, mark))
        return first_audio_at or utcnow()

    # ---- the end ----------------------------------------------------------------------------

    async def end(self, error: str | None) -> None:
        """Finish the call once: transcribe what is left, let the seat conclude, store the outcome."""
        if self.ended:
            return
        self.ended = True
        self._hung_up = True
        state = self.state
        if state is None:
            return
        for leftover in state.detector.flush():
            if isinstance(leftover, TurnEnded):
                self._turns.put_nowait(leftover)
        self._turns.put_nowait(None)
        if self._worker is not None:
            await self._worker
        outcome = await asyncio.to_thread(state.seat.finish)
        await asyncio.to_thread(
            repository.finish_call,
            self._services.engine,
            call_id=state.call_id,
            outcome=outcome,
            error=error,
            heard_marks=state.marks_heard,
            dtmf="".join(state.dtmf) or None,
        )
        log.info(
            "call %s ended: %s / %s%s", state.start.call_sid, outcome.category, outcome.route,
            f" ({error})" if error else "",
        )
