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
import re
from dataclasses import dataclass

from agent import replies
from agent.category import CLEAR_TOPIC, decide_category
from agent.consult import Consultant
from agent.phone import line_number
from agent.place import without_place
from agent.reading import TurnReading, normalise_turn, read_turn
from agent.safety import DISTRESS, MEDICAL
from agent.state import (
    AWAIT_LINE_CONFIRM,
    AWAIT_MORE,
    AWAIT_NAME,
    AWAIT_OFFER,
    AWAIT_PHONE,
    AWAIT_PLACE,
    CallState,
    TopicTracker,
)
from agent.summary import compose_summary
from agent.types import TICKET_CATEGORIES, CallOutcome, SeatKnowledge, SeatReply, WorkOrderDraft
from knowledge.catalogue import CatalogueEntry

# A category, once acted on, changes only for clearly stronger evidence or the caller's own words.
_CATEGORY_SWITCH_MARGIN = 2.0
# How much the category evidence of earlier turns counts beside the turn just heard.
_EARLIER_TURNS_WEIGHT = 0.5
# A turn's own framing of a problem that makes a consultation a work order ("找了三回了，到现在也
# 没动静", "我要投诉他们"); and a turn that frames a grievance this strongly is never answered
# from the knowledge base, whatever words it shares with an article.
_TURN_TICKET_FRAMING = 2.0


# Whisper's prompt holds ~220 tokens; the names share it with what the caller said before.
HOTWORD_NAMES = 30


@dataclass(frozen=True)
class SeatSnapshot:
    state: CallState
    topics: tuple[dict[str, float], dict[str, CatalogueEntry]]


class OfflineSeat:
    def __init__(self, knowledge: SeatKnowledge, caller_number: str | None = None):
        self._knowledge = knowledge
        corrector = knowledge.sound_corrector
        self._consultant = Consultant(knowledge.kb, corrector)
        self._topics = TopicTracker(knowledge.catalogue)
        self._caller_number = line_number(caller_number)
        self._state = CallState()

    # ------------------------------------------------------------------ API

    def greeting(self) -> str:
        return replies.GREETING

    def turn(self, text: str) -> SeatReply:
        s = self._state
        text = normalise_turn(text)
        if not text:
            return SeatReply(replies.NOT_UNDERSTOOD, "ask")
        reading = read_turn(self._knowledge.gazetteer, text, "".join(s.turns))
        s.turns.append(text)
        if reading.greeting_only:
            return SeatReply(replies.PLEASE_GO_ON, "ask")
        if reading.say_again and s.last_reply and not reading.gives_slots and len(text) <= 12:
            return SeatReply(s.last_reply, "ask")
        self._remember(reading)
        reply = self._respond(reading)
        s.last_reply = reply.text
        return reply

    def snapshot(self) -> SeatSnapshot:
        """Everything a turn changes, to take the turn back (the caller was not done after all)."""
        return SeatSnapshot(copy.deepcopy(self._state), self._topics.snapshot())

    def restore(self, snapshot: SeatSnapshot) -> None:
        self._state = copy.deepcopy(snapshot.state)
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
        "offer") or None, so the server can bias recognition of the next turn (digits, places)."""
        return self._state.awaiting

    def finish(self) -> CallOutcome:
        self._state.finished = True
        return self.outcome()

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
        elif s.category in ("表扬", "建议"):
            topic = f"{s.category}-{topic}" if topic else s.category
        work_order = None
        if s.category in TICKET_CATEGORIES:
            work_order = self._draft(topic_entry.topic if topic_entry else None, urgent, police)
        return CallOutcome(
            category=s.category, route=route, topic=topic,
            kb_article=s.kb_article.id if s.kb_article else None,
            urgent=urgent, police=police, handoff_reason=reason if route == "handoff" else None,
            work_order=work_order,
        )

    def caller_record(self) -> dict[str, str | None]:
        """What the seat holds of the caller and the place, whatever the route (a praise names
        its caller and place too)."""
        s = self._state
        return {
            "district": s.district, "street": s.street, "address": s.address,
            "caller_name": s.name, "phone": self._callback_number(),
        }

    # ------------------------------------------------------------------ understanding

    def _remember(self, r: TurnReading) -> None:
        s = self._state
        # What the caller says now weighs more than what they said before: a consultation that
        # turns into a complaint is a complaint.
        s.evidence.add(r.evidence, keep=_EARLIER_TURNS_WEIGHT)
        s.safety.merge(r.safety)
        answering = s.awaiting in (AWAIT_PLACE, AWAIT_PHONE, AWAIT_NAME, AWAIT_LINE_CONFIRM)
        if answering and r.gives_slots:
            # An answer to a slot question: the place words in it (底商, 菜市场) say where, not what.
            self._topics.hear(without_place(r.text), weight=0.5)
        else:
            self._topics.hear(r.text)
            s.problem_texts.append(r.text)
        self._remember_place(r)
        self._remember_phone(r)
        if r.name is not None:
            if r.name.declined:
                s.name_declined = s.name is None
            elif s.name is None or s.awaiting == AWAIT_NAME or len(r.name.name or "") > len(s.name):
                s.name = r.name.name

    def _remember_place(self, r: TurnReading) -> None:
        """Every turn is read for the place, whatever was asked. A place named with its district or
        street replaces one pieced together from loose words; a correction replaces what it corrects."""
        s = self._state
        asked = s.awaiting == AWAIT_PLACE
        if r.place is not None:
            same_district = r.place.district is None or r.place.district == s.district
            if s.district is None or asked or r.corrects or (same_district and s.street is None):
                s.district = r.place.district or s.district
                s.street = r.place.street or (s.street if same_district else None)
            if r.place.address and (s.address is None or asked or r.corrects or s.address_loose):
                s.address, s.address_loose = r.place.address, False
        elif r.loose_address and r.corrects and s.address is not None:
            s.address = r.loose_address
        elif r.loose_address and (asked or s.address is None and s.district is not None):
            if s.address and r.loose_address not in s.address:
                s.address = f"{s.address}，{r.loose_address}"
            else:
                s.address = r.loose_address
            s.address_loose = s.address_loose or not asked

    def _remember_phone(self, r: TurnReading) -> None:
        s = self._state
        if r.phone is not None and r.phone.number:
            s.phone, s.bad_phone = r.phone.number, None
        elif r.phone is not None and (s.phone is None or s.awaiting == AWAIT_PHONE):
            s.bad_phone = r.phone.digits
        elif r.line_number and self._caller_number and s.phone is None:
            s.phone = self._caller_number
        elif s.awaiting == AWAIT_LINE_CONFIRM and self._caller_number:
            if r.yes and not r.no:
                s.phone = self._caller_number
            elif r.no:
                s.line_declined = True

    def _decide_category(self, r: TurnReading) -> str | None:
        s = self._state
        best = self._topics.best(s.safety.urgent)
        hint, topic_conf = (best[0].category_hint, best[1]) if best else (None, 0.0)
        s.kb_confidence *= _EARLIER_TURNS_WEIGHT
        if r.evidence.asks and not self._grievance(r):
            hit = self._consultant.best(r.text)
            if hit is not None:
                s.kb_confidence = max(s.kb_confidence, self._consultant.confidence(hit[1]))
        new = decide_category(s.evidence, hint, topic_conf, s.kb_confidence)
        if r.evidence.disowns_ticket and r.evidence.asks and new in (None, "咨询", *TICKET_CATEGORIES):
            return "咨询"  # "我不是要告他，就想问问……": the caller's own word
        if s.category is None or new is None or new == s.category:
            return new or s.category
        turn_best, turn_score = r.evidence.turn_best()
        named_now = r.evidence.named[turn_best] > 0 and turn_best == new
        if s.category in TICKET_CATEGORIES and new == "咨询":
            # A complaint does not become a consultation by a question about it ("多久能修好？").
            return s.category
        if new in TICKET_CATEGORIES and s.category not in TICKET_CATEGORIES:
            volunteers_place = r.place is not None and r.place.address is not None and s.awaiting != AWAIT_PLACE
            if named_now or self._grievance(r) or volunteers_place and topic_conf >= CLEAR_TOPIC:
                return new
        scores = {c: s.evidence.framing[c] + s.evidence.named[c] for c in s.evidence.framing}
        if named_now or scores[new] - scores[s.category] >= _CATEGORY_SWITCH_MARGIN:
            return new
        return s.category

    @staticmethod
    def _grievance(r: TurnReading) -> bool:
        """The turn itself frames a problem to be handled (or names it a complaint or report)."""
        scores = {c: r.evidence.framing[c] + r.evidence.named[c] for c in TICKET_CATEGORIES}
        asked = r.evidence.framing["咨询"] + r.evidence.named["咨询"]
        strongest = max(scores.values())
        return strongest >= _TURN_TICKET_FRAMING and strongest > asked and not r.evidence.disowns_ticket

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
        return self._state.category not in ("表扬", "建议")

    # ------------------------------------------------------------------ deciding

    def _respond(self, r: TurnReading) -> SeatReply:
        s = self._state
        s.category = self._decide_category(r)
        if s.handoff_reason:
            return SeatReply(replies.HANDOFF_HOLD, "handoff")
        if r.wants_human or (s.awaiting == AWAIT_OFFER and r.yes and not r.no):
            return self._hand_off("caller_request" if r.wants_human else "no_answer")
        if s.safety.needs_human and self._danger_counts() and not self._order_underway_elsewhere():
            return self._hand_off("medical" if MEDICAL in s.safety.kinds else "distress")
        done = r.thats_all or (s.awaiting == AWAIT_MORE and r.closing)
        if done and (s.answered or s.read_back or s.recorded) and not r.gives_slots:
            s.awaiting = None
            return SeatReply(replies.GOODBYE, "goodbye")
        if s.category is None:
            s.not_understood += 1
            if s.not_understood >= 2:
                return self._hand_off("not_understood")
            return SeatReply(replies.NOT_UNDERSTOOD, "ask")
        s.not_understood = 0
        if s.category == "咨询":
            return self._consult(r)
        if s.category in ("表扬", "建议"):
            return self._record()
        return self._collect()

    def _order_underway_elsewhere(self) -> bool:
        """An illness told of in an order already being filed for another problem, with its place
        ("停电了……老爷子离不开制氧机，喘气都费劲"): the order goes out at once as urgent, with the
        advice to call 120, rather than starting over with a person. Distress and fear always
        go to a person."""
        s = self._state
        if s.safety.kinds & {DISTRESS} or s.safety.in_fear:
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
        found = self._consultant.consult(r.text, s.consult_texts, s.last_article)
        s.consult_texts.append(r.text)
        if found is None:
            if s.awaiting == AWAIT_OFFER:
                return self._hand_off("no_answer")
            s.ask(AWAIT_OFFER)
            return SeatReply(replies.NO_ANSWER, "answer")
        s.kb_article = s.kb_article or found.article
        s.last_article = found.article
        s.answered = True
        s.awaiting = AWAIT_MORE
        return SeatReply(_join(found.text, replies.ANYTHING_ELSE), "answer")

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

    def _collect(self) -> SeatReply:
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
        question = self._next_question()
        if question:
            return SeatReply(_join(*parts, question), "ask")
        if not s.read_back:
            s.read_back = True
            s.awaiting = AWAIT_MORE
            place = "".join(p for p in (s.district, s.street, s.address) if p) or None
            what = _spoken_topic(self._topics.confident(s.safety.urgent))
            text = replies.readback(what, place, self._callback_number(), urgent)
            return SeatReply(_join(*parts, text), "confirm")
        s.awaiting = AWAIT_MORE
        return SeatReply(_join(*parts, "好的，已经补充到工单里了。", replies.ANYTHING_ELSE), "confirm")

    def _next_question(self) -> str | None:
        s = self._state
        if not s.has_place and s.times_asked(AWAIT_PLACE) < 2:
            s.ask(AWAIT_PLACE)
            if s.district is None and s.address is None:
                return replies.ASK_PLACE
            return replies.ASK_DISTRICT if s.district is None else replies.ASK_ADDRESS
        if s.phone is None and s.times_asked(AWAIT_PHONE) + s.times_asked(AWAIT_LINE_CONFIRM) < 2:
            if s.bad_phone:
                s.bad_phone = None
                s.ask(AWAIT_PHONE)
                return replies.ASK_PHONE_AGAIN
            if self._caller_number and not s.line_offered and not s.line_declined:
                s.line_offered = True
                s.ask(AWAIT_LINE_CONFIRM)
                return replies.confirm_line_number(self._caller_number)
            ask_name_too = not s.name_settled
            s.ask(AWAIT_PHONE)
            if ask_name_too:
                s.asked[AWAIT_NAME] = s.times_asked(AWAIT_NAME) + 1
                return replies.ASK_PHONE + replies.ASK_NAME
            return replies.ASK_PHONE
        if not s.name_settled:
            s.ask(AWAIT_NAME)
            return replies.ASK_NAME
        return None

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
        s = self._state
        place = "".join(p for p in (s.district, s.street, s.address) if p) or None
        names = [n for n in (s.district, s.street) if n]
        names += [n[:-2] if n.endswith(("街道", "地区")) else n[:-1] for n in names if len(n) > 2]
        gazetteer = self._knowledge.gazetteer
        summary = compose_summary(
            s.category, topic, s.problem_texts, place, names, urgent, police,
            names_a_place=lambda clause: _mostly_place(gazetteer, clause),
        )
        return WorkOrderDraft(
            topic=topic, category=s.category, district=s.district, street=s.street, address=s.address,
            caller_name=s.name, phone=self._callback_number(), urgent=urgent, police=police, summary=summary,
        )


def _join(*parts: str) -> str:
    return "".join(p for p in parts if p)


def _mostly_place(gazetteer, clause: str) -> bool:
    """A phrase that is mainly a place name ("海电期学院路接到"), not a problem told at a place."""
    covered = sum(m.end - m.start for m in gazetteer.find_all(clause))
    return covered * 2 >= len(clause)


def _spoken_topic(entry) -> str:
    if entry is None:
        return "您反映的问题"
    topic = re.sub(r"[（(].*?[)）]", "", entry.topic).replace("-", "，")
    return f"您反映的是{topic}的问题"
