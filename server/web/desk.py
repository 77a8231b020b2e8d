"""The unit desk (承办单位工作台), `/desk`, for a handling unit's key only: the orders it handles,
alone or as the co-handling unit, by status and due time (overdue ones in red); an order's detail
and history; and its steps on the orders it handles — accept, return with a reason, ask for more
time, report the result.

A step is a form posted by htmx to a thin endpoint here that takes it with the same workflow
function, and checks its input with the same body model, as the REST API (server/api/handling.py).
It answers with the order's panel redrawn: what changed, or — the order unchanged — the reason
beside the field (422) or the step (409). Another unit's order is the 403 page, never its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from server.access import Caller
from server.api.handling import ExtensionBody, ReportBody, ReturnBody
from server.storage import repository
from server.storage.db import NotFound
from server.storage.keys import Role
from server.storage.models import Ticket
from server.storage.types import utc_now
from server.web import desk_words as words
from server.web.pages import PageDenied, page, render
from server.workflow import handling
from server.workflow.handling import is_overdue
from server.workflow.lifecycle import Action, IllegalTransition, Status, allowed_actions, next_status
from server.workflow.steps import NotYourOrder, StepRefused

router = APIRouter()

UnitPage = Annotated[Caller, page(Role.UNIT)]


@dataclass(frozen=True)
class View:
    name: str
    statuses: tuple[Status, ...] | None  # None: every status


# What the unit still owes work on: where the desk opens, and whose time left it shows.
OWED = (Status.DISPATCHED, Status.ACCEPTED)
VIEWS = {
    "open": View("待办", OWED),
    "dispatched": View("待签收", (Status.DISPATCHED,)),
    "accepted": View("办理中", (Status.ACCEPTED,)),
    "reported": View("已反馈", (Status.REPORTED,)),
    "closed": View("已结案", (Status.CLOSED,)),
    "all": View("全部", None),
}
# Statuses in the order an order lives through them, for the desk's groups.
LIFE_ORDER = (Status.DISPATCHED, Status.ACCEPTED, Status.REPORTED, Status.CLOSED, Status.REVIEW, Status.MERGED)
# The most recent orders a view reads; a unit's open orders are far fewer.
VIEW_LIMIT = 500

# The desk's forms, by the step each takes, in the order the panel offers them.
FORMS = {Action.ACCEPT: "accept", Action.REPORT: "report", Action.ASK_EXTENSION: "extension",
         Action.RETURN: "return"}
DONE = {"accept": "已签收，请在办理时限内办结并反馈。", "extension": "延期申请已提交，等待值班长审批。",
        "report": "办理结果已反馈，系统将回访来电人。"}


@dataclass(frozen=True)
class Row:
    """An order as the desk lists it."""

    ticket: Ticket
    overdue: bool
    time_left: str
    co_handling: bool  # the unit is its co-handling unit (协办), not the one that takes its steps


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


def by_due(ticket: Ticket) -> tuple[bool, datetime, str]:
    """Soonest due first; orders without a due time last, oldest first."""
    return ticket.due_at is None, ticket.due_at or ticket.created_at, ticket.id


def unit_orders(engine: Engine, unit: str, statuses: tuple[Status, ...] | None) -> list[Ticket]:
    # Soonest due first in the database too: a unit with more orders than a page holds sees the
    # ones most at risk of running late, not the newest.
    found = repository.list_tickets(engine, unit=unit, statuses=statuses, limit=VIEW_LIMIT, soonest_due=True)
    return sorted((detail.ticket for detail in found), key=by_due)


def row_of(ticket: Ticket, unit: str, now: datetime) -> Row:
    overdue = is_overdue(ticket, now)
    left = words.time_left(ticket.due_at, now) if ticket.status in OWED else ""
    return Row(ticket, overdue, left, co_handling=ticket.unit != unit)


@router.get("/desk")
def desk(request: Request, caller: UnitPage, view: str = "open") -> Any:
    """The unit's orders in one view, grouped by status, soonest due first."""
    unit, now = caller.unit or "", utc_now()
    status, problem = 200, None
    if view not in VIEWS:
        status, problem, view = 422, f"没有“{view}”这个筛选，已显示待办工单。", "open"
    engine = engine_of(request)
    open_orders = unit_orders(engine, unit, OWED)
    shown = open_orders if view == "open" else unit_orders(engine, unit, VIEWS[view].statuses)
    groups = [
        (words.status_name(s), [row_of(t, unit, now) for t in shown if t.status == s])
        for s in LIFE_ORDER if any(t.status == s for t in shown)
    ]
    counts = {
        "dispatched": sum(t.status == Status.DISPATCHED for t in open_orders),
        "accepted": sum(t.status == Status.ACCEPTED for t in open_orders),
        "overdue": sum(is_overdue(t, now) for t in open_orders),
    }
    return render(request, "desk.html", caller, status=status, views=VIEWS, view=view, groups=groups,
                  counts=counts, problem=problem, limit=VIEW_LIMIT, shown=len(shown))


@dataclass
class Outcome:
    """What the panel says after a step was tried: done, or why not (the order then unchanged)."""

    form: str | None = None
    notice: str | None = None
    problem: str | None = None  # the step refused: said beside the form's button
    errors: dict[str, str] = field(default_factory=dict)  # bad input, by field: said beside it
    values: dict[str, str] = field(default_factory=dict)  # what was typed, given back to the form


def offered_forms(ticket: Ticket, unit: str) -> list[str]:
    """The steps this unit may take now: only the unit that handles the order takes them (a
    co-handling unit reads it), and one extension waits for a decision at a time."""
    if ticket.unit != unit:
        return []
    allowed = set(allowed_actions(ticket.status))
    offered = [form for action, form in FORMS.items() if action in allowed]
    if ticket.extension_hours is not None:
        offered.remove("extension")
    return offered


def why_not(ticket: Ticket, form: str | None) -> str:
    """Why the handling unit may not take this form's step now: the order's status, or an
    extension already waiting."""
    action = next(action for action, name in FORMS.items() if name == form)
    try:
        next_status(action, ticket.status)
    except IllegalTransition as exc:
        return words.refused_step(exc)
    return words.pending_extension(ticket.extension_hours)


def history(events: list[Any]) -> list[dict[str, Any]]:
    """The order's steps as a unit reads them: when, what, who (by role), and a person's own words."""
    return [
        {"at": e.at, "step": words.step_name(e.kind), "who": words.actor_name(e.actor),
         "note": e.note if words.by_a_person(e.actor) else "",
         "moved": (words.status_name(e.from_status), words.status_name(e.to_status))
         if e.from_status and e.to_status and e.from_status != e.to_status else None}
        for e in events
    ]


def order_page(
    request: Request, caller: Caller, ticket_id: str, template: str, outcome: Outcome | None = None, status: int = 200
) -> HTMLResponse:
    """The order's page or panel, if the order is there (404) and the caller's unit handles it (403)."""
    detail = repository.get_ticket(engine_of(request), ticket_id)
    if detail is None:
        return render(request, "desk_missing.html", caller, status=404, ticket_id=ticket_id)
    ticket = detail.ticket
    if not caller.may_see_unit(ticket.unit, ticket.co_unit):
        raise PageDenied(403, f"工单 {ticket_id} 不由本单位承办")
    outcome = outcome or Outcome()
    offered = offered_forms(ticket, caller.unit or "")
    if outcome.errors and outcome.form not in offered:
        # Bad input for a step the unit may not take now anyway: that it may not is the answer.
        if ticket.unit != caller.unit:
            raise PageDenied(403, f"工单 {ticket_id} 由主办单位办理，本单位是协办单位")
        outcome, status = Outcome(outcome.form, problem=why_not(ticket, outcome.form), values=outcome.values), 409
    now = utc_now()
    return render(
        request, template, caller, status=status, ticket=ticket, row=row_of(ticket, caller.unit or "", now),
        events=history(detail.events), offered=offered, outcome=outcome,
        stray_problem=outcome.problem if outcome.form not in offered else None,
        words=words, hours_limit=hours_limit(),
    )


def hours_limit() -> float:
    """The most hours an extension may ask for, as the API's body model sets it."""
    return next(rule.le for rule in ExtensionBody.model_fields["hours"].metadata if hasattr(rule, "le"))


@router.get("/desk/orders/{ticket_id}")
def order(ticket_id: str, request: Request, caller: UnitPage) -> Any:
    """One order: what, where, for whom, by when, its history, and the steps the unit may take."""
    return order_page(request, caller, ticket_id, "desk_order.html")


Step = Callable[[Engine, str, str, Any], Ticket]  # (engine, unit, actor, body) → the order after it


def take_step(
    request: Request, caller: Caller, ticket_id: str, form: str, step: Step,
    model: type[BaseModel] | None = None, values: dict[str, str] | None = None,
) -> HTMLResponse:
    """Check the form with the API's body model, take the step with the workflow's function, and
    redraw the panel: done, or the reason beside the field or step, the order unchanged."""
    values = {name: value.strip() for name, value in (values or {}).items()}
    body = None
    if model is not None:
        try:
            # An empty field is one not filled in (for a number too, not a number badly written).
            body = model.model_validate({name: value for name, value in values.items() if value})
        except ValidationError as exc:
            errors = {str(e["loc"][-1]): words.field_problem(form, e) for e in exc.errors()}
            return order_page(request, caller, ticket_id, "desk_order_panel.html",
                              Outcome(form, errors=errors, values=values), status=422)
    engine = engine_of(request)
    try:
        step(engine, caller.unit or "", caller.actor, body)
    except NotFound:
        return render(request, "desk_missing.html", caller, status=404, ticket_id=ticket_id)
    except NotYourOrder:
        raise PageDenied(403, f"工单 {ticket_id} 不由本单位承办") from None
    except IllegalTransition as exc:
        return order_page(request, caller, ticket_id, "desk_order_panel.html",
                          Outcome(form, problem=words.refused_step(exc), values=values), status=409)
    except StepRefused as exc:
        if exc.field is not None:
            return order_page(request, caller, ticket_id, "desk_order_panel.html",
                              Outcome(form, errors={exc.field: str(exc)}, values=values), status=422)
        current = repository.get_ticket(engine, ticket_id)
        pending = current.ticket.extension_hours if current is not None else None
        said = words.pending_extension(pending) if form == "extension" and pending is not None else str(exc)
        return order_page(request, caller, ticket_id, "desk_order_panel.html",
                          Outcome(form, problem=said, values=values), status=409)
    if form == "return":
        # Back in the review queue, the order is no longer this unit's to read.
        return render(request, "desk_returned.html", caller, ticket_id=ticket_id)
    return order_page(request, caller, ticket_id, "desk_order_panel.html", Outcome(form, notice=DONE[form]))


@router.post("/desk/orders/{ticket_id}/accept")
def accept(ticket_id: str, request: Request, caller: UnitPage) -> Any:
    return take_step(request, caller, ticket_id, "accept",
                     lambda engine, unit, actor, _: handling.accept(engine, ticket_id, unit=unit, actor=actor))


@router.post("/desk/orders/{ticket_id}/return")
def return_order(ticket_id: str, request: Request, caller: UnitPage, reason: Annotated[str, Form()] = "") -> Any:
    def step(engine: Engine, unit: str, actor: str, body: ReturnBody) -> Ticket:
        return handling.return_order(engine, ticket_id, unit=unit, actor=actor, reason=body.reason)

    return take_step(request, caller, ticket_id, "return", step, ReturnBody, {"reason": reason})


@router.post("/desk/orders/{ticket_id}/extension")
def ask_extension(
    ticket_id: str, request: Request, caller: UnitPage,
    hours: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
) -> Any:
    def step(engine: Engine, unit: str, actor: str, body: ExtensionBody) -> Ticket:
        return handling.ask_extension(engine, ticket_id, unit=unit, actor=actor, hours=body.hours, reason=body.reason)

    return take_step(request, caller, ticket_id, "extension", step, ExtensionBody, {"hours": hours, "reason": reason})


@router.post("/desk/orders/{ticket_id}/report")
def report(
    ticket_id: str, request: Request, caller: UnitPage,
    result: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
) -> Any:
    rules = request.app.state.callback_rules

    def step(engine: Engine, unit: str, actor: str, body: ReportBody) -> Ticket:
        return handling.report(engine, ticket_id, unit=unit, actor=actor, result=body.result, text=body.text,
                               rules=rules)

    return take_step(request, caller, ticket_id, "report", step, ReportBody, {"result": result, "text": text})
