"""Work orders over REST: read (a unit its own only, overdue ones marked and filterable), the
dispatch-review queue, and a supervisor's assignment. The unit's own steps are in
server/api/handling.py. A step the order's status does not allow answers 409 naming the steps it
does; unknown ids 404; a bad body 422 naming the field; a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server.access import Caller, allow
from server.api.routes import EngineDep, Limit, Offset
from server.storage import repository
from server.storage.db import NotFound
from server.storage.keys import Role
from server.storage.models import Ticket
from server.storage.serialize import callback_to_dict, event_to_dict, ticket_to_dict
from server.storage.types import utc_now
from server.workflow import review
from server.workflow.handling import is_overdue
from server.workflow.intake import DispatchRules
from server.workflow.lifecycle import OPEN_STATUSES, IllegalTransition, Status
from server.workflow.steps import NotYourOrder, StepRefused

router = APIRouter()

# Orders: the seats and those who run them, and a handling unit its own.
TICKET_READERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.UNIT)
# Who decides which unit handles an order, and whether it gets more time.
DISPATCHERS = (Role.SUPERVISOR, Role.ADMIN)


def ticket_json(ticket: Ticket, call_sid: str | None = None) -> dict[str, Any]:
    return {**ticket_to_dict(ticket, call_sid), "overdue": is_overdue(ticket)}


def run_step(step: Callable[[], Ticket]) -> Any:
    """The order after `step`, or the HTTP answer to a step refused (nothing is written then)."""
    try:
        return ticket_json(step())
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except NotYourOrder as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except IllegalTransition as exc:
        return JSONResponse(
            {"detail": str(exc), "status": exc.status, "allowed": [a.name.lower() for a in exc.allowed]},
            status_code=409,
        )
    except StepRefused as exc:
        if exc.field is not None:
            detail = [{"loc": ["body", exc.field], "msg": str(exc), "type": "value_error"}]
            raise HTTPException(status_code=422, detail=detail) from None
        return JSONResponse({"detail": str(exc)}, status_code=409)


@router.get("/api/tickets")
def list_tickets(
    engine: EngineDep,
    caller: Annotated[Caller, allow(*TICKET_READERS)],
    limit: Limit = 50,
    offset: Offset = 0,
    status: Status | None = None,
    overdue: Annotated[bool, Query(description="only open orders past their due time")] = False,
) -> dict[str, Any]:
    """A unit's key lists only its own orders."""
    unit = caller.unit if caller.role == Role.UNIT else None
    tickets = repository.list_tickets(
        engine, limit=limit, offset=offset, status=status, unit=unit,
        statuses=OPEN_STATUSES if overdue else None, due_before=utc_now() if overdue else None,
    )
    return {"tickets": [ticket_json(t.ticket, t.call_sid) for t in tickets]}


@router.get("/api/tickets/{ticket_id}")
def get_ticket(ticket_id: str, engine: EngineDep, caller: Annotated[Caller, allow(*TICKET_READERS)]) -> dict[str, Any]:
    """The order with its history (every step, who took it, when, what it changed and why) and its
    callback surveys (every attempt, and what the callers answered)."""
    detail = repository.get_ticket(engine, ticket_id)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no ticket {ticket_id!r}")
    if not caller.may_see_unit(detail.ticket.unit, detail.ticket.co_unit):
        raise HTTPException(status_code=403, detail=f"ticket {ticket_id!r} is another unit's order")
    return {**ticket_json(detail.ticket, detail.call_sid), "events": [event_to_dict(e) for e in detail.events],
            "callbacks": [callback_to_dict(callback, attempts) for callback, attempts in detail.callbacks]}


@router.get("/api/review", dependencies=[allow(*DISPATCHERS)])
def review_queue(engine: EngineDep, limit: Limit = 100) -> dict[str, Any]:
    """Orders waiting for a supervisor to choose their unit: urgent first, then the longest waiting."""
    return {"tickets": [ticket_json(t) for t in review.review_queue(engine, limit=limit)]}


class AssignBody(BaseModel):
    unit: str = Field(min_length=1, max_length=128, description="the unit that handles the order")
    co_unit: str | None = Field(
        default=None, min_length=1, max_length=128, description="a co-handling unit: dual dispatch (双派)"
    )
    time_limit_hours: float | None = Field(
        default=None, gt=0, le=24 * 90, description="from now; default: the catalogue entry's limit for the topic"
    )
    note: str = Field(default="", max_length=2000, description="why this unit")


@router.post("/api/tickets/{ticket_id}/assign")
def assign(
    ticket_id: str,
    body: AssignBody,
    request: Request,
    engine: EngineDep,
    caller: Annotated[Caller, allow(*DISPATCHERS)],
) -> Any:
    """Send an order from the review queue to a unit (and a co-handling unit)."""
    rules: DispatchRules = request.app.state.dispatch_rules
    assignment = review.Assignment(body.unit, body.co_unit, body.time_limit_hours, body.note)
    return run_step(lambda: review.assign(engine, ticket_id, assignment, actor=caller.actor, rules=rules))
