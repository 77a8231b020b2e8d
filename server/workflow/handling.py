"""What a handling unit does with an order it was sent: accept it, send it back (to review, with a
reason), ask for more time (a supervisor grants or refuses), report the result. Overdue orders are
those still open past their due time."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from server.storage.models import Ticket
from server.storage.types import utc_now
from server.workflow import callbacks
from server.workflow.callbacks import CallbackRules
from server.workflow.lifecycle import OPEN_STATUSES, Action
from server.workflow.steps import StepRefused, take_step


class Result(StrEnum):
    SOLVED = "solved"            # 已解决
    NOT_SOLVED = "not_solved"    # 未解决
    EXPLAINED = "explained"      # 已解释说明 (nothing to fix, or not the citizen's way)


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    return ticket.status in OPEN_STATUSES and ticket.due_at is not None and ticket.due_at < (now or utc_now())


def accept(engine: Engine, ticket_id: str, *, unit: str, actor: str) -> Ticket:
    return take_step(engine, ticket_id, Action.ACCEPT, actor=actor, unit=unit,
                     changes=lambda _s, _t, now: {"accepted_at": now})


def return_order(engine: Engine, ticket_id: str, *, unit: str, actor: str, reason: str) -> Ticket:
    """Not this unit's to handle: back to the review queue, unassigned, with the unit's reason."""

    def changes(_session: Session, _ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {"unit": None, "co_unit": None, "dispatch": None, "due_at": None, "accepted_at": None,
                "extension_hours": None, "extension_reason": None}

    return take_step(engine, ticket_id, Action.RETURN, actor=actor, unit=unit, note=reason, changes=changes)


def ask_extension(engine: Engine, ticket_id: str, *, unit: str, actor: str, hours: float, reason: str) -> Ticket:
    def changes(_session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        if ticket.extension_hours is not None:
            raise StepRefused(f"an extension of {ticket.extension_hours:g} h is already waiting for a decision")
        return {"extension_hours": hours, "extension_reason": reason}

    return take_step(engine, ticket_id, Action.ASK_EXTENSION, actor=actor, unit=unit, note=reason, changes=changes)


def decide_extension(engine: Engine, ticket_id: str, *, grant: bool, actor: str, note: str = "") -> Ticket:
    """A supervisor grants (the due time moves by the hours asked) or refuses an extension."""

    def changes(_session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        if ticket.extension_hours is None:
            raise StepRefused("no extension was asked for")
        cleared: dict[str, Any] = {"extension_hours": None, "extension_reason": None}
        if grant:
            start = ticket.due_at or now
            cleared["due_at"] = start + timedelta(hours=ticket.extension_hours)
        return cleared

    action = Action.GRANT_EXTENSION if grant else Action.REFUSE_EXTENSION
    return take_step(engine, ticket_id, action, actor=actor, note=note, changes=changes)


def report(
    engine: Engine, ticket_id: str, *, unit: str, actor: str, result: Result, text: str, rules: CallbackRules
) -> Ticket:
    """The unit's result; every caller of the order is then to be called back."""

    def changes(_session: Session, _ticket: Ticket, now: datetime) -> dict[str, Any]:
        return {"result": str(result), "result_text": text, "reported_at": now,
                "extension_hours": None, "extension_reason": None}

    def call_back(session: Session, ticket: Ticket, now: datetime) -> None:
        callbacks.schedule(session, ticket, now, rules)

    return take_step(engine, ticket_id, Action.REPORT, actor=actor, unit=unit, note=text, changes=changes,
                     then=call_back)
