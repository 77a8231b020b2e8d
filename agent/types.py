"""The seat's public data types: what it needs to run and what it hands back to the server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from agent.knowledge import SeatKnowledge  # noqa: F401  (re-exported: part of the seat's API)

Route = Literal["answer", "ticket", "handoff"]

# What a reply does, so the server can react (e.g. end the call on "goodbye").
ACTIONS = ("answer", "ask", "confirm", "record", "handoff", "goodbye")

CATEGORIES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
TICKET_CATEGORIES = ("投诉", "求助", "举报")
# Thanked and recorded, with no order to file.
RECORD_CATEGORIES = ("表扬", "建议")


@dataclass
class SeatReply:
    text: str
    action: str  # one of ACTIONS
    # The reply's sentences as a backend words them while the caller waits (an LLM's answer from
    # the KB, streamed); `text` then holds what the seat would say itself, for the record until
    # the stream has been said.
    stream: Iterator[str] | None = None
    kb_article: str | None = None  # the article the reply answers from
    backend: str = "offline"  # who read the turn
    fallback: str | None = None  # why the LLM backend's reading or wording was not used

    def sentences(self) -> Iterator[str]:
        """What the caller hears: the stream's sentences, or the text."""
        return self.stream if self.stream is not None else iter((self.text,))


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
class CallerRecord:
    """Who called and where the call is about, on every route (a praise names its caller too)."""

    caller_name: str | None = None
    phone: str | None = None
    district: str | None = None
    street: str | None = None
    address: str | None = None


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
    caller: CallerRecord = field(default_factory=CallerRecord)
