"""Everything the seat understands from one caller turn, before it decides what to say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.category import CategoryEvidence, category_evidence
from agent.cues import Utterance, utterance
from agent.intents import (
    asks_to_repeat,
    is_closing,
    is_greeting_only,
    is_no,
    is_thats_all,
    is_yes,
    wants_human,
)
from agent.names import NameHeard, extract_name
from agent.phone import HeardNumber, extract_phone, says_line_number
from agent.place import CORRECTION, PlaceHeard, address_anywhere, hear_place
from agent.safety import SafetySignals, safety_signals
from knowledge.gazetteer import Gazetteer

_SPACES = re.compile(r"\s+")
# "是南里，不是北里" and "不是东里，是北里": the caller rules one value out for another.
_RULES_OUT = re.compile(r"是[^，,。.]{1,12}[，,]\s*(?:而)?不是|不是[^，,。.]{1,12}[，,]\s*(?:而)?是")


@dataclass
class TurnReading:
    text: str
    utt: Utterance
    evidence: CategoryEvidence
    safety: SafetySignals
    wants_human: bool
    phone: HeardNumber | None
    line_number: bool
    name: NameHeard | None
    place: PlaceHeard | None
    loose_address: str | None  # place-like phrases in a turn that names no district or street
    yes: bool
    no: bool
    thats_all: bool
    closing: bool
    greeting_only: bool
    say_again: bool
    corrects: bool  # the caller takes back something said before ("不对，是西里，不是东里")
    backend: str = "offline"  # who read the turn
    fallback: str | None = None  # why the LLM's reading was not used ("error", "timeout", "invalid")
    kb_choice: str | None = None  # the KB article a backend judged to answer the turn

    @property
    def gives_slots(self) -> bool:
        return bool(self.phone or self.name or self.place or self.loose_address or self.line_number)


def normalise_turn(text: str) -> str:
    """Trim and collapse whitespace (the recogniser's spaces between phrases count as pauses)."""
    return _SPACES.sub(" ", text.replace("\u3000", " ")).strip()


def read_turn(gazetteer: Gazetteer, text: str, earlier: str) -> TurnReading:
    utt = utterance(text)
    phone = extract_phone(text)
    # The number dictated, with any correction of it, is no address ("不对不对，是一三九……" is no
    # new place): the place is heard with the number's stretch blanked, indices kept.
    place_text = text if phone is None else text[: phone.start] + "，" * (phone.end - phone.start) + text[phone.end :]
    place = hear_place(gazetteer, place_text)
    safety = safety_signals(utt, earlier)
    human = wants_human(utt)
    evidence = category_evidence(utt, danger=safety.urgent, about_the_call=human)
    if human and evidence.named["建议"] > 0:
        human = wants_human(utt, suggesting=True)
    return TurnReading(
        text=text,
        utt=utt,
        evidence=evidence,
        safety=safety,
        wants_human=human,
        phone=phone,
        line_number=says_line_number(text),
        name=extract_name(text),
        place=place,
        loose_address=None if place else address_anywhere(place_text),
        yes=is_yes(text),
        no=is_no(text),
        thats_all=is_thats_all(text),
        closing=is_closing(text),
        greeting_only=is_greeting_only(text),
        say_again=asks_to_repeat(text),
        corrects=bool(CORRECTION.search(text) or _RULES_OUT.search(text)),
    )
