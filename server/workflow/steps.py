"""One step on one order, taken in one transaction with the order's row locked: the status the
lifecycle allows, the fields the step sets, and the event that records who, when, what and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from server.storage.db import NotFound, session_scope
from server.storage.models import Ticket
from server.storage.tickets import record_step
from server.storage.types import utc_now
from server.workflow.lifecycle import Action, next_status


class NotYourOrder(Exception):
    """A unit's step on an order it does not handle."""


class StepRefused(ValueError):
    """A step the order's state does not allow for a reason other than its status (an extension
    already asked for, none to decide); `field` names what to put right, where a field can."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# What a step sets, decided on the locked order (its catalogue entry, its current due time…) at the
# step's time.
Changes = Callable[[Session, Ticket, datetime], dict[str, Any]]


def take_step(
    engine: Engine,
    ticket_id: str,
    action: Action,
    *,
    actor: str,
    note: str = "",
    unit: str | None = None,
    changes: Changes | None = None,
    then: Callable[[Session, Ticket, datetime], object] | None = None,
) -> Ticket:
    """Take `action` on the order (and `then` what follows from it): IllegalTransition if its status
    does not allow it, NotYourOrder if `unit` is given and is not the order's handling unit,
    NotFound if there is no such order. Nothing is written unless the whole step holds."""
    with session_scope(engine) as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id!r}")
        if unit is not None and ticket.unit != unit:
            raise NotYourOrder(f"ticket {ticket_id!r} is not handled by {unit}")
        now = utc_now()
        fields: dict[str, Any] = {"status": next_status(action, ticket.status)}
        if changes is not None:
            fields.update(changes(session, ticket, now))
        record_step(session, ticket, kind=action, actor=actor, note=note, at=now, **fields)
        if then is not None:
            session.flush()
            then(session, ticket, now)  # what follows from the step, in its transaction
        return ticket
