"""The seat's public data types: what it needs to run and what it hands back to the server."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from agent.hearing import SoundCorrector, domain_vocabulary

if TYPE_CHECKING:  # only annotations here; importing them would load jieba/bm25s for nothing
    from knowledge.catalogue import Catalogue
    from knowledge.gazetteer import Gazetteer
    from knowledge.kb import KbIndex

Route = Literal["answer", "ticket", "handoff"]

# What a reply does, so the server can react (e.g. end the call on "goodbye").
ACTIONS = ("answer", "ask", "confirm", "record", "handoff", "goodbye")

CATEGORIES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
TICKET_CATEGORIES = ("投诉", "求助", "举报")


@dataclass
class SeatKnowledge:
    """Everything the offline seat looks things up in; shared read-only by all calls."""

    kb: KbIndex
    catalogue: Catalogue
    gazetteer: Gazetteer

    @cached_property
    def sound_corrector(self) -> SoundCorrector:
        """Undoes the recogniser's homophones of this knowledge's service and problem words;
        built once here because it costs more than a call should pay."""
        return SoundCorrector(domain_vocabulary(self.kb, self.catalogue))


@dataclass
class SeatReply:
    text: str
    action: str  # one of ACTIONS


@dataclass
class WorkOrderDraft:
    """The structured work order (工单) collected from the caller.

    Unit, co-unit and due time are not here: the server resolves them from the catalogue
    entry of `topic` and the place.
    """

    topic: str | None
    category: str | None
    district: str | None
    street: str | None
    address: str | None
    caller_name: str | None
    phone: str | None
    urgent: bool
    police: bool
    summary: str


@dataclass
class CallOutcome:
    category: str | None
    route: Route
    topic: str | None
    kb_article: str | None
    urgent: bool
    police: bool
    handoff_reason: str | None
    work_order: WorkOrderDraft | None
