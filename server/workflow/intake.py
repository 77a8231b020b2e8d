"""A finished call's work order filed and dispatched in the call's own transaction: the catalogue
sends it to its unit(s) at once, or it waits in the review queue for a supervisor (why is said
in its event)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from server.config import Settings
from server.storage.calls import OutcomeLike, WorkOrderLike, finish_call
from server.storage.knowledge_rows import catalogue_entry
from server.storage.models import Call, Ticket
from server.storage.tickets import insert_ticket, record_step
from server.storage.types import utc_now
from server.workflow.dispatch import plan_dispatch
from server.workflow.lifecycle import Action, next_status
from server.workflow.merging import merge, open_order_for

# Who takes the steps the system takes by itself, as events name them.
SEAT = "seat"
CATALOGUE = "catalogue"


@dataclass(frozen=True)
class DispatchRules:
    """[dispatch] in the settings."""

    # The time limit of an urgent order, where its topic's own limit is longer (hours).
    urgent_limit_hours: float = 2.0
    # A new order joins an open one about the same matter filed this recently (hours; 0: never).
    merge_window_hours: float = 72.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DispatchRules:
        return cls(
            urgent_limit_hours=float(settings.get("dispatch", "urgent_limit_hours")),
            merge_window_hours=float(settings.get("dispatch", "merge_window_hours")),
        )


def file_work_order(
    session: Session, call: Call, order: WorkOrderLike, rules: DispatchRules, actor: str = SEAT
) -> Ticket:
    """The order as the seat (or the agent who took the call) drafted it, created, then joined to
    an open order about the same matter (并单), dispatched, or held for review."""
    created_at = call.ended_at or utc_now()
    ticket = insert_ticket(
        session, call_id=call.id, category=order.category, topic=order.topic, district=order.district,
        street=order.street, address=order.address, caller_name=order.caller_name, phone=order.phone,
        urgent=order.urgent, police=order.police, summary=order.summary, created_at=created_at, actor=actor,
    )
    if rules.merge_window_hours > 0:
        joined = open_order_for(session, ticket, timedelta(hours=rules.merge_window_hours))
        if joined is not None:
            merge(session, ticket, *joined, at=created_at)
            return ticket
    dispatch_new(session, ticket, rules, at=created_at)
    return ticket


def dispatch_new(session: Session, ticket: Ticket, rules: DispatchRules, at: datetime) -> None:
    """Send a new order to the units its catalogue entry names, or hold it for review."""
    plan = plan_dispatch(
        catalogue_entry(session, ticket.topic), ticket.topic, ticket.district, ticket.street, at,
        urgent=ticket.urgent, urgent_limit_hours=rules.urgent_limit_hours,
    )
    if plan.review_reason is not None:
        record_step(session, ticket, kind=Action.HOLD, actor=CATALOGUE, note=plan.review_reason, at=at,
                    status=next_status(Action.HOLD, ticket.status))
        return
    d = plan.dispatch
    note = f"{'urgent, ' if ticket.urgent else ''}{d.dispatch} dispatch by the catalogue entry {ticket.topic!r}"
    record_step(session, ticket, kind=Action.DISPATCH, actor=CATALOGUE, note=note, at=at,
                status=next_status(Action.DISPATCH, ticket.status), unit=d.unit, co_unit=d.co_unit,
                dispatch=d.dispatch, due_at=d.due_at)


def close_call(
    engine: Engine,
    rules: DispatchRules,
    *,
    call_id: int,
    outcome: OutcomeLike | None,
    error: str | None = None,
    heard_marks: Iterable[str] = (),
    dtmf: str | None = None,
    ended_at: datetime | None = None,
) -> Call:
    """End a call (server.storage.calls.finish_call) with its work order filed and dispatched."""

    def file_order(session: Session, call: Call, order: WorkOrderLike) -> None:
        file_work_order(session, call, order, rules)

    return finish_call(
        engine, call_id=call_id, outcome=outcome, file_order=file_order, error=error,
        heard_marks=heard_marks, dtmf=dtmf, ended_at=ended_at,
    )
