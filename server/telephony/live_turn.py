"""The caller's current turn, transcribed while it is spoken (one per call).

After every audio feed the call session asks `LiveTranscription.listen` whether to decode: every
`step_s` of speech, and once in each pause of `pause_s`. A decode runs in the shared worker pool:
one in a pause through `run` (the caller may be done and waits on it), one while the caller
speaks through `run_partial` (background work, after every call's pause decodes). Decodes of
one kind never overlap within a call (a request while one runs is remembered and served with
the newest audio), so a call costs at most two workers at a time, and a busy pool delays
partials rather than piling them up. A pause decode does not wait for a partial decode that
started just before the caller stopped (that wait was up to a whole decode on the end of a turn);
the partial's text is dropped when the pause decode heard more. A pause of `commit_pause_s`
commits the decode that heard it (voice/asr/streaming.py). The pause decode's text also decides
how long the silence must be before the turn ends (`EndOfTurnPolicy`), which is what makes a
finished answer quick and a half-said address patient.

The final text of a turn reuses the pause decode when it heard the end of speech, so in the
common case the end of a turn costs no decoding at all.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from voice.asr.base import SAMPLE_RATE, Segment, Transcript
from voice.asr.streaming import (
    COMMIT_PAUSE_S,
    MIN_COMMIT_S,
    PAUSE_S,
    STEP_S,
    Decode,
    DecodeSchedule,
    Partial,
    PartialDecode,
    StreamingTranscriber,
)
from voice.turn_taking import EndOfTurnPolicy
from voice.vad import EndOfTurnDetector, TurnEnded

log = logging.getLogger("hotline.live")

T = TypeVar("T")
Run = Callable[[Callable[[], T]], Awaitable[T]]


@dataclass(frozen=True)
class LiveSettings:
    step_s: float = STEP_S
    pause_s: float = PAUSE_S
    commit_pause_s: float = COMMIT_PAUSE_S
    min_commit_s: float = MIN_COMMIT_S

    def schedule(self) -> DecodeSchedule:
        return DecodeSchedule(self.step_s, self.pause_s, self.commit_pause_s)


@dataclass
class PartialRecord:
    """A partial transcript as stored with the turn: turn audio heard, and the text then."""

    audio_s: float
    confirmed: str
    tentative: str

    def as_dict(self) -> dict[str, Any]:
        return {"audio_s": round(self.audio_s, 2), "confirmed": self.confirmed, "tentative": self.tentative}


@dataclass
class _Lane:
    """Decodes of one kind (in pauses, or while the caller speaks) for a call, one at a time: a
    request while one runs is served after it, with the newest audio."""

    task: asyncio.Task[None] | None = None
    wanted: bool = False
    pause_end: float | None = None


@dataclass
class _Turn:
    transcriber: StreamingTranscriber
    schedule: DecodeSchedule
    partials: list[PartialRecord] = field(default_factory=list)


class LiveTranscription:
    def __init__(
        self,
        decode: Decode,
        partial_decode: PartialDecode,
        run: Run,
        policy: EndOfTurnPolicy,
        on_partial: Callable[[PartialRecord], None],
        settings: LiveSettings | None = None,
        run_partial: Run | None = None,
    ) -> None:
        self._decode = decode
        self._partial_decode = partial_decode
        self._run = run
        self._run_partial = run_partial or run
        self._policy = policy
        self._on_partial = on_partial
        self.settings = settings or LiveSettings()
        self._turn: _Turn | None = None
        self._lock = asyncio.Lock()  # one change to the transcriber at a time
        self._pauses = _Lane()
        self._partials = _Lane()

    def start_turn(self) -> None:
        """A new turn began."""
        self._turn = self._new_turn()

    def end_turn(self) -> LiveTurn:
        """The detector ended the turn: hand it over for `finish`; listening stops until the next."""
        turn, self._turn = self._turn or self._new_turn(), None
        return LiveTurn(turn)

    def resume_turn(self, ended: LiveTurn) -> None:
        """The caller went on with the turn that ended: keep transcribing it where it was."""
        self._turn = ended.turn

    def _new_turn(self) -> _Turn:
        transcriber = StreamingTranscriber(
            self._decode, min_commit_s=self.settings.min_commit_s, partial_decode=self._partial_decode
        )
        return _Turn(transcriber, self.settings.schedule())

    def listen(self, detector: EndOfTurnDetector) -> None:
        """Called after each feed: start a decode or a commit when the turn calls for one."""
        turn = self._turn
        if turn is None or not detector.in_turn:
            return
        action = turn.schedule.next(detector.now_s, detector.speech_end_s, detector.silence_s)
        if action == DecodeSchedule.DECODE_PAUSE:
            self._request(detector, pause_end=detector.speech_end_s)
        elif action == DecodeSchedule.DECODE_STEP:
            self._request(detector, pause_end=None)
        elif action == DecodeSchedule.COMMIT:
            asyncio.get_running_loop().create_task(self._commit(turn, detector, detector.speech_end_s))

    def _request(self, detector: EndOfTurnDetector, pause_end: float | None) -> None:
        lane = self._partials if pause_end is None else self._pauses
        if lane.task is not None and not lane.task.done():
            lane.wanted, lane.pause_end = True, pause_end
            return
        lane.task = asyncio.get_running_loop().create_task(self._decode_loop(lane, detector, pause_end))

    async def _decode_loop(self, lane: _Lane, detector: EndOfTurnDetector, pause_end: float | None) -> None:
        while True:
            lane.wanted = False
            if pause_end is None:
                await self._update_partial(detector)
            else:
                await self._update_in_pause(detector, pause_end)
            if not lane.wanted:
                return
            pause_end = lane.pause_end

    async def _update_partial(self, detector: EndOfTurnDetector) -> None:
        """A decode while the caller speaks, outside the lock: a pause that comes meanwhile gets its
        own decode at once instead of waiting for this one, whose result is then dropped."""
        turn = self._turn
        if turn is None or not detector.in_turn:
            return
        audio, _ = detector.turn_audio()
        asked = time.monotonic()
        try:
            hypothesis = await self._run_partial(lambda: turn.transcriber.hear(audio))
        except Exception:  # noqa: BLE001 - a partial that fails is only a partial; the final decides
            log.exception("partial decode failed")
            return
        async with self._lock:
            partial = turn.transcriber.take(hypothesis, audio.size)
        if partial is None:
            log.debug("partial at %.2f s of the turn dropped: a later decode came first", audio.size / SAMPLE_RATE)
            return
        self._publish(turn, partial, "speech", asked)

    async def _update_in_pause(self, detector: EndOfTurnDetector, pause_end: float) -> None:
        """A decode in a pause, holding the lock: a commit in this pause waits for what it heard."""
        turn = self._turn
        if turn is None or not detector.in_turn:
            return
        audio, audio_start_s = detector.turn_audio()
        async with self._lock:
            if self._turn is not turn:
                return  # the turn ended while the decode waited; the final decides
            asked = time.monotonic()
            try:
                partial: Partial = await self._run(lambda: turn.transcriber.update(audio))
            except Exception:  # noqa: BLE001 - a partial that fails is only a partial; the final decides
                log.exception("partial decode failed")
                return
        self._publish(turn, partial, f"pause since {detector.now_s - pause_end:.2f} s", asked)
        # Still the same pause: the text just decoded is everything said, and says how it ends.
        if self._turn is turn and detector.in_turn and detector.speech_end_s == pause_end:
            heard_to_s = audio_start_s + audio.size / SAMPLE_RATE
            if heard_to_s >= pause_end:
                silence_ms = self._policy.silence_ms(partial.latest)
                # The caller's words stay out of the log (numbers, names): only how long the wait is.
                log.debug("pause at %.2f s ends the turn after %d ms", pause_end, silence_ms)
                detector.end_after(silence_ms)

    def _publish(self, turn: _Turn, partial: Partial, when: str, asked: float) -> None:
        log.debug("partial at %.2f s of the turn (%s, %.0f ms): %d characters", partial.audio_s, when,
                  (time.monotonic() - asked) * 1000, len(partial.latest))
        record = PartialRecord(partial.audio_s, partial.confirmed, partial.tentative)
        turn.partials.append(record)
        self._on_partial(record)

    async def _commit(self, turn: _Turn, detector: EndOfTurnDetector, speech_end_s: float) -> None:
        _, audio_start_s = detector.turn_audio()
        async with self._lock:  # after the pause decode, which took the lock first
            turn.transcriber.commit(speech_end_s - audio_start_s)

    async def finish(self, live: LiveTurn, ended: TurnEnded) -> Transcript:
        """The turn's final text: the last decode when it heard the end of speech, else one more."""
        # Not the partial decode that may be running: the pause's decode makes it stale.
        if self._pauses.task is not None:
            await asyncio.shield(self._pauses.task)
        transcriber = live.turn.transcriber
        speech_end = ended.ended_at_s - ended.audio_start_s
        async with self._lock:
            if not transcriber.needs_decode(ended.audio, speech_end):
                # The pause's decode heard it all: no work, so no waiting in line for a worker.
                return transcriber.finish(ended.audio, speech_end)
            log.debug("final decoded again (speech ends %.2f s into the turn)", speech_end)
            return await self._run(lambda: transcriber.finish(ended.audio, speech_end))


@dataclass(frozen=True)
class LiveTurn:
    """A turn the detector ended, with what was heard of it while it was spoken."""

    turn: _Turn

    @property
    def partials(self) -> list[PartialRecord]:
        return list(self.turn.partials)

    @property
    def decodes(self) -> int:
        return self.turn.transcriber.decodes

    @property
    def committed(self) -> list[Segment]:
        """What was committed while the turn was spoken (turn time): each stretch's text came from a
        decode of its own, and the final's other segments from the last decode."""
        return list(self.turn.transcriber.committed)
