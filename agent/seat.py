"""The offline virtual seat (虚拟座席): one per call, rules and retrieval, no LLM.

The server calls `greeting()`, then `turn(text)` with each final transcript of the caller, and
`finish()` when the call ends; `outcome()` is the current view of the call at any time.

Per turn the seat first *understands* (agent.reading: category cues, danger, place, phone, name,
a request for a person), folds that into the call's state, then *decides*: hand off, answer a
consultation from the KB, record praise or a suggestion, or collect a work order — giving safety
advice first when there is danger, then asking for what is still missing (place, then callback
number, then name) and reading the order back once it is complete.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent import replies
from agent.consult import Consultant
from agent.danger_cues import MEDICAL
from agent.memory import CallMemory
from agent.open_orders import OpenOrder, tell_open_order
from agent.phone import line_number
from agent.questions import next_question, read_back
from agent.reading import TurnReading, normalise_turn
from agent.safety import HANDOFF_KINDS
from agent.state import (
    AWAIT_CONFIRM,
    AWAIT_MORE,
    AWAIT_OFFER,
    AWAIT_PLACE,
    CallState,
    TopicTracker,
)
from agent.summary import draft_work_order
from agent.types import (
    RECORD_CATEGORIES,
    TICKET_CATEGORIES,
    CallerRecord,
    CallOutcome,
    SeatKnowledge,
    SeatReply,
    WorkOrderDraft,
)
from agent.understanding import CallView, OfflineUnderstanding, Understanding, WordingFailed
from knowledge.catalogue import CatalogueEntry

# Whisper's prompt holds ~220 tokens; the names share it with what the caller said before.
HOTWORD_NAMES = 30


@dataclass(frozen=True)
class SeatSnapshot:
    state: CallState
    topics: tuple[dict[str, float], dict[str, CatalogueEntry]]


class Seat:
    """One call's virtual seat: the dialogue policy, whichever backend reads the turns."""

    def __init__(
        self,
        knowledge: SeatKnowledge,
        caller_number: str | None = None,
        understanding: Understanding | None = None,
        open_orders: Sequence[OpenOrder] = (),
    ):
        self._knowledge = knowledge
        self._open_orders = tuple(open_orders)
        self._understanding = understanding or OfflineUnderstanding(knowledge.gazetteer)
        self._raw_caller_number = caller_number
        corrector = knowledge.sound_corrector
        self._consultant = Consultant(knowledge.kb, corrector)
        self._topics = TopicTracker(knowledge.catalogue)
        self._caller_number = line_number(caller_number)
        self._memory = CallMemory(self._topics, self._consultant, self._caller_number)

    @property
    def _state(self) -> CallState:
        return self._memory.state

    # ------------------------------------------------------------------ API

    def greeting(self) -> str:
        return replies.GREETING

    def turn(self, text: str) -> SeatReply:
        s = self._state
        text = normalise_turn(text)
        if not text:
            return SeatReply(replies.NOT_UNDERSTOOD, "ask")
        reading = self._understanding.read(text, self._view())
        s.turns.append(text)
        reply = self._worded(self._reply_to(reading), text)
        s.last_reply = reply.text
        s.dialogue += [("来电者", text), ("座席", reply.text)]
        reply.backend = reading.backend
        reply.fallback = reply.fallback or reading.fallback
        return reply

    def _worded(self, reply: SeatReply, caller_said: str) -> SeatReply:
        """A question or acknowledgement of the seat's own, in the backend's words where it words
        replies. What carries figures or safety advice (read-back, answers, advice) stays as written."""
        if reply.stream is not None or reply.action not in ("ask", "record") or _HAS_FIGURES.search(reply.text):
            return reply
        if any(advice in reply.text for advice in replies.SAFETY_ADVICE.values()):
            return reply
        try:
            reply.stream = self._understanding.word_reply(reply.text, caller_said)
        except WordingFailed as failed:
            reply.fallback = failed.reason
        return reply

    def fork(self) -> Seat:
        """A seat of the same call to try a turn on (the respelt words of a turn), this one untouched."""
        other = Seat(self._knowledge, self._raw_caller_number, self._understanding, self._open_orders)
        other.restore(self.snapshot())
        return other

    def _reply_to(self, reading: TurnReading) -> SeatReply:
        s = self._state
        if reading.greeting_only:
            return SeatReply(replies.PLEASE_GO_ON, "ask")
        if reading.say_again and s.last_reply and not reading.gives_slots and len(reading.text) <= 12:
            return SeatReply(s.last_reply, "ask")
        self._memory.remember(reading)
        return self._respond(reading)

    def _view(self) -> CallView:
        s = self._state
        known = {"category": s.category, "district": s.district, "street": s.street, "address": s.address,
                 "name": s.name, "phone": s.phone}
        return CallView(earlier="".join(s.turns), asked=s.last_reply, known=known, recent=list(s.dialogue))

    def snapshot(self) -> SeatSnapshot:
        """Everything a turn changes, to take the turn back (the caller was not done after all)."""
        return SeatSnapshot(copy.deepcopy(self._state), self._topics.snapshot())

    def restore(self, snapshot: SeatSnapshot) -> None:
        self._memory.state = copy.deepcopy(snapshot.state)
        self._topics.restore(snapshot.topics)

    def reply_cut_short(self, heard: str) -> None:
        """The caller spoke over the last reply after hearing only `heard` of it.

        A question the caller never heard does not count as asked: the seat asks a slot only so
        many times before doing without it.
        """
        s = self._state
        if s.awaiting and s.last_reply and len(heard) < len(s.last_reply) and s.asked.get(s.awaiting):
            s.asked[s.awaiting] -= 1

    def hotwords(self) -> str:
        """Names the next turn is likely to hold, to bias the recogniser: after asking where, the
        districts (or the streets of the district already given). Only then: a fixed list of
        names on every turn read the dev calls better and held-out calls worse (DESIGN.md)."""
        s = self._state
        if s.awaiting != AWAIT_PLACE:
            return ""
        gazetteer = self._knowledge.gazetteer
        names = gazetteer.streets(s.district) if s.district else gazetteer.districts()
        # Joined as Whisper writes a list (spaces made it write the caller's answer with spaces too,
        # and lose a digit of the phone number said after the place).
        return "、".join(names[:HOTWORD_NAMES]) + "。"

    def expecting(self) -> str | None:
        """What the seat has just asked for ("place", "phone", "line_confirm", "name", "more",
        "offer", "confirm") or None, so the server can bias recognition of the next turn (digits, places)."""
        return self._state.awaiting

    def wants_name(self) -> bool:
        """Whether the seat has asked for the caller's name and has none yet (CallState.name_wanted)."""
        return self._state.name_wanted

    def finish(self) -> CallOutcome:
        self._state.finished = True
        return self.outcome()

    def safety_advice_given(self) -> set[str]:
        """The kinds of danger the seat has given advice on so far (agent.safety's labels)."""
        return set(self._state.advised)

    def outcome(self) -> CallOutcome:
        s = self._state
        topic_entry = self._topics.confident(s.safety.urgent)
        urgent, police = self._flags()
        route, reason = "answer", s.handoff_reason
        if reason:
            route = "handoff"
        elif s.category in TICKET_CATEGORIES:
            # Even without a catalogue topic: a dispatcher routes such a ticket by hand, and a
            # caller who has hung up cannot be handed to anyone.
            route = "ticket"
        elif s.category is None and s.finished:
            route, reason = "handoff", "unclear"
        topic = topic_entry.topic if topic_entry else None
        if s.category == "咨询" and s.kb_article is not None:
            topic = s.kb_article.title
        elif s.category in RECORD_CATEGORIES:
            topic = f"{s.category}-{topic}" if topic else s.category
        work_order = None
        if s.category in TICKET_CATEGORIES:
            work_order = self._draft(topic_entry.topic if topic_entry else None, urgent, police)
        return CallOutcome(
            category=s.category, route=route, topic=topic,
            kb_article=s.kb_article.id if s.kb_article else None,
            urgent=urgent, police=police, handoff_reason=reason if route == "handoff" else None,
            work_order=work_order, caller=self._caller(),
        )

    def _caller(self) -> CallerRecord:
        s = self._state
        return CallerRecord(
            caller_name=s.name, phone=self._callback_number(), district=s.district, street=s.street,
            address=s.address,
        )

    def _flags(self) -> tuple[bool, bool]:
        s = self._state
        # A topic's own urgency counts only for a call that is about a problem to dispatch.
        entry = self._topics.confident(s.safety.urgent) if s.category in TICKET_CATEGORIES else None
        danger = self._danger_counts()
        urgent = (danger and s.safety.urgent) or bool(entry and entry.urgent)
        police = (danger and s.safety.police) or bool(entry and entry.police)
        return urgent, police

    def _danger_counts(self) -> bool:
        """Praise and suggestions tell of past dangers ("他们五分钟就到了，救了我父亲")."""
        return self._state.category not in RECORD_CATEGORIES

    # ------------------------------------------------------------------ deciding

    def _respond(self, r: TurnReading) -> SeatReply:
        s = self._state
        s.category = self._memory.follow_category(r)
        if s.handoff_reason:
            return SeatReply(replies.HANDOFF_HOLD, "handoff")
        if r.wants_human or (s.awaiting == AWAIT_OFFER and r.yes and not r.no):
            return self._hand_off("caller_request" if r.wants_human else "no_answer")
        if s.safety.needs_human and self._danger_counts() and not self._order_underway_elsewhere():
            return self._hand_off(
                "medical" if MEDICAL in s.safety.kinds else "child_in_danger" if s.safety.child_in_peril else "distress"
            )
        done = r.thats_all and s.awaiting != AWAIT_CONFIRM or (s.awaiting == AWAIT_MORE and r.closing)
        if done and (s.answered or s.read_back or s.recorded) and not r.gives_slots:
            s.awaiting = None
            return SeatReply(replies.GOODBYE, "goodbye")
        if s.category is None:
            s.not_understood += 1
            if s.not_understood >= 3:
                return self._hand_off("not_understood")
            # The second time the seat offers the kinds of call, which a caller can answer in a word.
            return SeatReply(replies.NOT_UNDERSTOOD if s.not_understood == 1 else replies.WHICH_KIND, "ask")
        s.not_understood = 0
        if s.category == "咨询":
            return self._consult(r)
        if s.category in RECORD_CATEGORIES:
            return self._record()
        return self._collect(r)

    def _order_underway_elsewhere(self) -> bool:
        """An illness told of in an order already being filed for another problem, with its place
        ("停电了……老爷子离不开制氧机，喘气都费劲"): the order goes out at once as urgent, with the
        advice to call 120, rather than starting over with a person. Every other kind a person
        must handle (distress, someone about to jump, a swindle under way) and fear always go to one."""
        s = self._state
        if (s.safety.kinds & HANDOFF_KINDS) - {MEDICAL} or s.safety.in_fear:
            return False
        return s.category in TICKET_CATEGORIES and s.has_place and self._topics.confident(True) is not None

    def _hand_off(self, reason: str) -> SeatReply:
        s = self._state
        s.handoff_reason = reason
        s.awaiting = None
        prefix = self._safety_advice()
        if reason == "not_understood":
            return SeatReply(replies.HANDOFF_STUCK, "handoff")
        return SeatReply(_join(prefix, replies.HANDOFF_AFTER_ADVICE if prefix else replies.HANDOFF), "handoff")

    def _consult(self, r: TurnReading) -> SeatReply:
        s = self._state
        # Everything said before is the question's context: a story told first, an earlier question.
        found = self._consultant.consult(r.text, s.turns[:-1], s.last_article, prefer=r.kb_choice)
        if found is None:
            if s.awaiting == AWAIT_OFFER:
                return self._hand_off("no_answer")
            s.ask(AWAIT_OFFER)
            return SeatReply(replies.NO_ANSWER, "answer")
        s.kb_article = s.kb_article or found.article
        s.last_article = found.article
        s.answered = True
        s.awaiting = AWAIT_MORE
        reply = SeatReply(_join(found.text, replies.ANYTHING_ELSE), "answer", kb_article=found.article.id)
        try:
            worded = self._understanding.word_answer(r.text, [found.article])
        except WordingFailed as failed:
            reply.fallback = failed.reason
            return reply
        if worded is not None:
            sentences, _cited = worded  # the only article offered: the cited one
            reply.stream = itertools.chain(sentences, [replies.ANYTHING_ELSE])
        return reply

    def _record(self) -> SeatReply:
        s = self._state
        thanks = replies.PRAISE if s.category == "表扬" else replies.SUGGESTION
        if s.district is None and s.times_asked(AWAIT_PLACE) == 0 and not s.recorded:
            s.recorded = True
            s.ask(AWAIT_PLACE)
            return SeatReply(_join(thanks, replies.ASK_WHERE_FOR_RECORD), "record")
        s.recorded = True
        s.awaiting = AWAIT_MORE
        return SeatReply(_join(thanks, replies.ANYTHING_ELSE), "record")

    def _collect(self, r: TurnReading) -> SeatReply:
        """A 投诉/求助/举报: safety first, then the missing slots one or two at a time."""
        s = self._state
        urgent, _ = self._flags()
        parts = [self._safety_advice()]
        if not s.acknowledged:
            parts.append(replies.ACKNOWLEDGE.get(s.category or "", ""))
            s.acknowledged = True
        if urgent and not s.urgent_told:
            parts.append(replies.URGENT_DISPATCH)
            s.urgent_told = True
        if self._open_orders and not s.order_status_told:
            entry = self._topics.confident(s.safety.urgent)
            told = tell_open_order(self._open_orders, entry.topic if entry else None, r.text)
            s.order_status_told = bool(told)
            parts.append(told)
        question = self._next_question()
        if question:
            return SeatReply(_join(*parts, question), "ask")
        if not s.read_back:
            return SeatReply(_join(*parts, self._read_back()), "confirm")
        if s.awaiting == AWAIT_CONFIRM:
            return self._confirmed(r, urgent, parts)
        s.awaiting = AWAIT_MORE
        return SeatReply(_join(*parts, "好的，已经补充到工单里了。", replies.ANYTHING_ELSE), "confirm")

    def _read_back(self, corrected: bool = False) -> str:
        what = self._topics.confident(self._state.safety.urgent)
        return read_back(self._state, what, self._callback_number(), corrected)

    def _confirmed(self, r: TurnReading, urgent: bool, parts: list[str]) -> SeatReply:
        """The caller's answer to the read-back: 对 files it; 不对 with the right words reads the order
        back again as corrected (every turn's slots were taken already); 不对 alone asks what is wrong."""
        s = self._state
        changed = r.gives_slots
        if r.no and not changed and s.times_asked(AWAIT_CONFIRM) < 3:
            s.ask(AWAIT_CONFIRM)
            return SeatReply(_join(*parts, replies.WHAT_IS_WRONG), "ask")
        if changed and s.times_asked(AWAIT_CONFIRM) < 3:
            return SeatReply(_join(*parts, self._read_back(corrected=True)), "confirm")
        if (r.thats_all or _THANKS.search(r.text)) and not r.no:  # "好的，谢谢": confirmed, and done
            s.awaiting = None
            return SeatReply(_join(*parts, replies.filed(urgent, closing=True)), "goodbye")
        s.awaiting = AWAIT_MORE
        return SeatReply(_join(*parts, replies.filed(urgent)), "confirm")

    def _next_question(self) -> str | None:
        return next_question(self._state, self._caller_number)

    def _callback_number(self) -> str | None:
        """The number the caller gave; else the line they call from, unless they turned it down."""
        s = self._state
        if s.phone is not None:
            return s.phone
        return None if s.line_declined else self._caller_number

    def _safety_advice(self) -> str:
        """Advice for each danger not yet advised on, most pressing first, and the 110 note."""
        s = self._state
        parts = []
        for kind in replies.ADVICE_ORDER:
            if kind in s.safety.kinds and kind not in s.advised:
                s.advised.add(kind)
                parts.append(replies.SAFETY_ADVICE[kind])
        _, police = self._flags()
        if police and not s.police_told:
            s.police_told = True
            if not any("110" in p for p in parts):
                parts.append(replies.POLICE_LINKED)
        return "".join(parts)

    # ------------------------------------------------------------------ work order

    def _draft(self, topic: str | None, urgent: bool, police: bool) -> WorkOrderDraft:
        return draft_work_order(self._state, topic, urgent, police, self._callback_number(), self._knowledge.gazetteer)


_THANKS = re.compile(r"谢谢|感谢|再见|拜拜|辛苦")
_HAS_FIGURES = re.compile(r"\d|[零一二三四五六七八九幺]{3,}")


def _join(*parts: str) -> str:
    return "".join(p for p in parts if p)
