"""One phone call: caller audio in, seat replies out, everything stored.

The WebSocket handler feeds parsed events in. Audio goes through the end-of-turn detector on the
event loop (cheap); recognition and synthesis run in the shared worker pool, so a busy pool
delays a call's words but never its socket. Per turn:

- while the caller speaks, `LiveTranscription` decodes the turn so far (partial transcripts,
  published as events and stored with the turn) and, in each pause, judges from the words how
  long a silence ends the turn;
- when the detector ends the turn, its final text goes to the seat (a turn holding a phone
  number first gets a short hold prompt while the number is read again digit by digit), the turn
  is stored and the reply is spoken (server/telephony/speaker.py);
- if the caller goes on speaking within the rejoin time, the turn was not over: the reply is
  cleared, the seat is put back as it was before the turn, and the longer turn is answered
  (and stored) in its place;
- if the caller speaks over a reply later than that, it is barge-in: the reply is cleared and
  the seat learns how much of it was heard;
- keypad digits closed by `#` (or left for `keypad_timeout_s`) are a turn of their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from agent import replies
from agent.brief import brief
from agent.knowledge import SeatKnowledge
from agent.phone import line_number
from agent.seat import Seat, SeatReply
from server.services import Services
from server.storage import repository
from server.telephony.agent_takeover import AgentTakeover
from server.telephony.call_events import reading_of
from server.telephony.call_line import CallLine
from server.telephony.call_record import CallRecord, draft_of
from server.telephony.call_state import AnsweredTurn, CallState, KeypadTurn, SpokenTurn
from server.telephony.event_privacy import masked_event
from server.telephony.keypad import KeypadEntry
from server.telephony.live_turn import LiveTranscription, LiveTurn, PartialRecord
from server.telephony.number_rereading import numbers_read_again
from server.telephony.protocol import (
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
)
from server.telephony.respelling import respell_answered
from server.telephony.speaker import Speaker
from server.workflow import merging
from voice.asr.number_cues import dictates_number
from voice.asr.short_answers import SHORT_TURN_S
from voice.codec import int16_to_float, ulaw_to_pcm16
from voice.vad import SpeechStarted, TurnEnded, TurnResumed

log = logging.getLogger("hotline.call")

# Speech this long that the recogniser makes no words of gets "sorry, say again"; shorter is noise.
WORDLESS_REPLY_S = 1.0
# A caller keys a number or a menu choice or two; keys past this many in one call are a stuck key
# or a hostile stream, and are dropped (the stored keys and the log stay bounded).
MAX_KEYS_A_CALL = 64


def utcnow() -> datetime:
    return datetime.now(UTC)


class CallSession(AgentTakeover):
    def __init__(
        self, services: Services, send_text: Callable[[str], Awaitable[None]],
        hang_up: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._services = services
        self._send_text = send_text
        self._close_line = hang_up  # ends the stream from our side (an agent who took the call left)
        self.state: CallState | None = None
        self.line: CallLine | None = None  # an agent or a supervisor on the call (server/telephony/call_line.py)
        self._turns: asyncio.Queue[SpokenTurn | KeypadTurn | None] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._keypad = KeypadEntry(services.settings.get("turn", "keypad_timeout_s"), self._keyed_in)
        self._hung_up = False
        self._keys_dropped = False
        self.ended = False
        self._barge_in_s = services.settings.get("turn", "barge_in_speech_ms") / 1000
        self._use_hotwords: bool = services.settings.get("asr", "place_hotwords")
        self._hotwords = ""  # names the seat expects in the caller's next turn
        self._respell: bool = services.settings.get("asr", "respell_names")
        self._knowledge: SeatKnowledge | None = None

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
            self.state.frames_in += 1
            self._on_audio(event.payload)
            if self.line is not None:
                self.line.caller_audio(event.payload)
        elif isinstance(event, Mark):
            if not self.state.speaker.mark_returned(event.name):
                log.info("call %s: mark %r that we never sent", self.label, event.name[:64])  # a flood stays small
        elif isinstance(event, Dtmf):
            self._on_key(event.digit)
        elif isinstance(event, Stop):
            await self.end(error=None)

    async def _begin(self, start: Start) -> None:
        services = self._services
        caller = start.custom_parameters.get("from") or None
        line = self.line = CallLine(start.call_sid, start.stream_sid, self._send_text)

        async def send_and_share(message: str) -> None:
            await self._send_text(message)
            line.sent_to_caller(message)

        speaker = Speaker(
            start.stream_sid, send_and_share, services.synthesizer, services.run, start.call_sid,
            run_later=services.run_soon,
        )
        # The greeting is a fixed prompt, rendered at start-up: it goes out before anything else.
        speaker.say(replies.GREETING, name="greeting")
        knowledge = await asyncio.to_thread(services.knowledge.current)
        # A repeat caller is told where their open order stands (server/workflow/merging.py).
        open_orders = await asyncio.to_thread(
            merging.open_orders_for, services.engine, line_number(caller), datetime.now(UTC)
        )
        seat = Seat(knowledge, caller_number=caller, understanding=services.understanding(knowledge),
                    open_orders=open_orders)
        self._knowledge = knowledge
        # This node holds the call by a lease, renewed until its last write is stored: should the
        # node die first, another finishes the call (server/workflow/recovery.py).
        lease = timedelta(seconds=services.settings.get("recovery", "lease_seconds"))
        call_id = await asyncio.to_thread(
            repository.create_call,
            services.engine,
            call_sid=start.call_sid,
            stream_sid=start.stream_sid,
            caller_number=caller,
            node=services.node,
            lease_until=utcnow() + lease,
        )
        recognizer = services.recognizer
        live = LiveTranscription(
            lambda audio, said_before: recognizer.decode_window(audio, said_before, hotwords=self._hotwords),
            lambda audio, said_before: recognizer.decode_window(
                audio, said_before, fallback=False, hotwords=self._hotwords
            ),
            services.run, services.turn_policy(), self._on_partial, services.live_settings(),
            run_partial=services.run_background,
        )
        self.state = CallState(
            start=start, call_id=call_id, seat=seat, detector=services.new_turn_detector(), speaker=speaker,
            live=live, record=CallRecord(services, call_id, start.call_sid),
        )
        services.held_calls.add(call_id)
        services.calls.add(line, self)
        self._publish("call_started", caller=caller)
        log.info("call %s started (%s)", start.call_sid, "caller's number given" if caller else "no caller number")
        self._worker = asyncio.create_task(self._turn_worker())

    def _on_audio(self, ulaw: bytes) -> None:
        state = self.state
        assert state is not None
        if self._hung_up:
            return
        pcm = int16_to_float(ulaw_to_pcm16(ulaw))
        for event in state.detector.feed(state.resampler.process(pcm)):
            log.debug("call %s: %s", self.label, type(event).__name__)
            if isinstance(event, SpeechStarted):
                state.turn_number += 1
                state.live.start_turn()
                state.barged = False
            elif isinstance(event, TurnResumed):
                state.resumed[state.turn_number] = state.resumed.get(state.turn_number, 0) + 1
                if state.last_live is not None:
                    state.live.resume_turn(state.last_live)
                state.barged = False
            elif isinstance(event, TurnEnded):
                log.debug("call %s: turn %d ended at %.2f s", self.label, state.turn_number, event.ended_at_s)
                state.last_live = state.live.end_turn()
                self._turns.put_nowait(self._spoken(event, state.last_live))
        detector = state.detector
        if detector.in_turn and not state.barged and detector.speech_s >= self._barge_in_s and state.speaker.busy:
            # Enough speech over a reply to be the caller, not a cough or the street.
            state.barged = True
            resumed = state.answered is not None and state.answered.number == state.turn_number
            asyncio.get_running_loop().create_task(self._barge_in(tell_seat=not resumed))
        state.live.listen(detector)

    async def _barge_in(self, tell_seat: bool) -> None:
        state = self.state
        assert state is not None
        for reply in await state.speaker.interrupt():
            if not reply.name.startswith("reply-"):
                continue  # the greeting, a hold prompt: nothing the seat needs to know
            index = int(reply.name.removeprefix("reply-"))
            self._publish("barge_in", turn=index, heard=reply.heard_text)
            if tell_seat:
                state.seat.reply_cut_short(reply.heard_text)
                if state.answered is not None:
                    state.answered.cut_short = True
            state.record.reply_heard(index, reply.heard_text)

    def _spoken(self, ended: TurnEnded, live: LiveTurn) -> SpokenTurn:
        state = self.state
        assert state is not None
        return SpokenTurn(ended, live, state.turn_number, state.resumed.get(state.turn_number, 0))

    def _stale(self, spoken: SpokenTurn) -> bool:
        """The caller took the turn up again after it ended: a longer version of it follows."""
        assert self.state is not None
        return self.state.resumed.get(spoken.number, 0) != spoken.version

    def _on_key(self, key: str) -> None:
        state = self.state
        assert state is not None
        if len(state.dtmf) >= MAX_KEYS_A_CALL:
            if not self._keys_dropped:
                log.warning("call %s: more than %d keys pressed; the rest are dropped", self.label, MAX_KEYS_A_CALL)
                self._keys_dropped = True
            return
        state.dtmf.append(key)
        # Keys are often a number being typed: which key stays out of the log.
        log.info("call %s: caller pressed a key", self.label)
        self._keypad.press(key)

    def _keyed_in(self, entry: str) -> None:
        if not self._hung_up:
            self._turns.put_nowait(KeypadTurn(entry))

    def _on_partial(self, partial: PartialRecord) -> None:
        state = self.state
        assert state is not None
        self._publish("partial", turn=state.turn_number, **partial.as_dict())

    def _publish(self, kind: str, **fields: object) -> None:
        known = self.line.reading.get("caller_name") if self.line is not None else None
        self._services.events.publish(self.label, kind, **masked_event(fields, [known] if known else []))

    # ---- turns ------------------------------------------------------------------------------

    async def _turn_worker(self) -> None:
        while True:
            item = await self._turns.get()
            if item is None:
                return
            try:
                if isinstance(item, KeypadTurn):
                    await self._answer(item.digits, None, number=-1, partials=[])
                else:
                    await self._take_turn(item)
            except Exception:
                # One bad turn must not end the call; the caller is asked to repeat. The apology
                # answers the turn (a named reply), so a phone waiting for an answer goes on.
                log.exception("call %s: turn failed", self.label)
                if not self._hung_up and self.state is not None:
                    speaker = self.state.speaker
                    await speaker.wait(speaker.say(replies.SYSTEM_ERROR, name=f"error-{self.state.turn_number}"))

    async def _take_turn(self, spoken: SpokenTurn) -> None:
        state = self.state
        assert state is not None
        transcript = await state.live.finish(spoken.live, spoken.ended)
        if self._stale(spoken):
            return  # the caller went on: the longer turn comes next
        text = transcript.text.strip()
        ended = spoken.ended
        if ended.ended_at_s - ended.started_at_s < SHORT_TURN_S:
            recognizer = self._services.recognizer
            text = await self._services.run(lambda: recognizer.read_short_answer(ended.audio, text))
        if not text and ended.ended_at_s - ended.started_at_s < WORDLESS_REPLY_S:
            log.info("call %s: a turn with no words (noise?) at %.1f s", self.label, ended.started_at_s)
            return
        # A longer turn with no words is someone the recogniser could not follow: the seat says
        # so (it asks again) rather than leave the caller in silence.
        if self._services.recognizer.restore_digits and dictates_number(text):
            self._publish("final", turn=spoken.number, text=transcript.text, numbers_pending=True)
            state.speaker.say(replies.NUMBER_HOLD, name=None)
            transcript = await numbers_read_again(self._services, transcript, spoken.ended.audio, self.label,
                                                  spoken.number)
            text = transcript.text.strip()
            if self._stale(spoken):
                return
        reply = await self._answer(text, spoken, spoken.number, [p.as_dict() for p in spoken.live.partials])
        answered, knowledge = state.answered, self._knowledge
        if (
            self._respell and reply is not None and answered is not None and knowledge is not None
            and not self._stale(spoken)
        ):
            heard = (spoken.ended.audio, transcript.segments)
            try:
                await respell_answered(self._services, knowledge, state, answered, reply.text, heard, self._publish)
            except Exception:  # noqa: BLE001 - the turn is answered; its words stay as decoded
                log.exception("call %s: respelling turn %d failed", self.label, answered.index)

    async def _answer(
        self, text: str, spoken: SpokenTurn | None, number: int, partials: list[dict]
    ) -> SeatReply | None:
        """The seat's reply to the turn, stored and said (None: the turn's answer stood as given)."""
        state = self.state
        assert state is not None
        final_at = utcnow()
        self._publish("final", turn=number, text=text)
        line = self.line
        assert line is not None
        if number >= 0 and text:
            line.heard[number] = text
        if line.agent_on:
            await self._heard_by_agent(text, spoken, number, final_at, partials)
            return None
        answered = state.answered
        replace = answered is not None and answered.number == number and number >= 0
        if replace and answered.text == text:
            # The caller only coughed or breathed: the answer given stands, and is marked again as
            # the answer to this turn for whoever waits for it.
            await state.speaker.wait(state.speaker.say("", name=f"reply-{answered.index}"))
            return None
        if replace:
            state.seat.restore(answered.before)  # the seat hears the whole turn instead
            index = answered.index
        else:
            index = state.turn_count
            state.turn_count += 1
        before = state.seat.snapshot()
        # The draft in the same worker call: nothing else touches the seat in between.
        reply, draft = await asyncio.to_thread(lambda: (state.seat.turn(text), draft_of(state.seat)))
        state.answered = AnsweredTurn(number, index, before, text)
        self._hotwords = state.seat.hotwords() if self._use_hotwords else ""
        state.record.turn(index, text, spoken, final_at, partials, reply, draft)
        self._publish("reply", turn=index, text=reply.text, action=reply.action)
        outcome = state.seat.outcome()
        line.reading = {**reading_of(outcome), "brief": brief(outcome, line.caller_words())}
        self._publish("reading", **line.reading)
        if self._hung_up or (spoken is not None and self._stale(spoken)) or line.agent_on:
            return reply  # nobody to say it to, a longer turn follows, or an agent took the call meanwhile
        # A reply heard is of a stored turn, should the node die next; the database away, it is
        # said all the same (the turn is stored when the database is back).
        await state.record.stored()
        said = await state.speaker.wait(state.speaker.say(reply.text, name=f"reply-{index}", stream=reply.stream))
        if said.first_audio_at is not None:
            state.record.reply_audio_at(index, said.first_audio_at)
        if reply.stream is not None:
            # The words a backend streamed are known once said: they are the turn's reply.
            reply.text = "".join(said.sentences)
            state.record.reply_text(index, reply.text)
        return reply

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
        if self.line is not None:
            self._services.calls.remove(self.line.call_sid)
            self.line.hang_up()
        entry = self._keypad.close()
        if entry:
            self._turns.put_nowait(KeypadTurn(entry))
        for leftover in state.detector.flush():
            if isinstance(leftover, TurnEnded):
                self._turns.put_nowait(self._spoken(leftover, state.live.end_turn()))
        self._turns.put_nowait(None)
        if self._worker is not None:
            await self._worker
        outcome = await asyncio.to_thread(state.seat.finish)
        ended = state.record.end(outcome, error, state.speaker.heard_marks, "".join(state.dtmf) or None)
        await state.record.close()  # every write stored, or given up (call_writes.py)
        self._services.held_calls.discard(state.call_id)  # a call whose end is not stored is left to the sweep
        ticket = None if ended.exception() else ended.result()
        self._publish("call_ended", category=outcome.category, route=outcome.route, error=error,
                      frames=state.frames_in, ticket=ticket)
        log.info(
            "call %s ended: %s / %s%s%s", state.start.call_sid, outcome.category, outcome.route,
            f" ({error})" if error else "", "" if ended.exception() is None else " (not stored: left to recovery)",
        )
