"""The dispatch-review queue: orders the catalogue could not send (no entry, no place) and orders a
unit sent back wait here until a supervisor assigns them to a unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from server.storage.knowledge_rows import catalogue_entry
from server.storage.models import Ticket
from server.workflow.dispatch import due_at, time_limit
from server.workflow.intake import DispatchRules
from server.workflow.lifecycle import Action, Status
from server.workflow.steps import StepRefused, take_step


@dataclass(frozen=True)
class Assignment:
    unit: str
    co_unit: str | None = None
    # Hours from now; None: the catalogue entry's limit for the order's topic.
    time_limit_hours: float | None = None
    note: str = ""


def review_queue(engine: Engine, limit: int = 100) -> list[Ticket]:
    """Orders waiting for a supervisor: urgent first, then the longest waiting."""
    with Session(engine) as session:
        query = select(Ticket).where(Ticket.status == Status.REVIEW)
        query = query.order_by(col(Ticket.urgent).desc(), col(Ticket.created_at), col(Ticket.id))
        return list(session.exec(query.limit(limit)))


def assign(engine: Engine, ticket_id: str, assignment: Assignment, *, actor: str, rules: DispatchRules) -> Ticket:
    """Send an order from review to the unit a supervisor chose (with a co-handling unit: dual
    dispatch). Its time limit starts now."""

    def changes(session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        hours = assignment.time_limit_hours
        if hours is None:
            entry = catalogue_entry(session, ticket.topic)
            if entry is None:
                raise StepRefused(
                    f"topic {ticket.topic!r} has no catalogue entry: give the time limit", field="time_limit_hours"
                )
            hours = entry.time_limit_hours
        return {
            "unit": assignment.unit, "co_unit": assignment.co_unit,
            "dispatch": "dual" if assignment.co_unit else "direct",
            "due_at": due_at(now, time_limit(hours, ticket.urgent, rules.urgent_limit_hours)),
        }

    return take_step(engine, ticket_id, Action.ASSIGN, actor=actor, note=assignment.note, changes=changes)
