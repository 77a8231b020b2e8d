"""The agent console (人工座席), for agents and supervisors: the queue of live calls and of calls
the seat handed off that still owe an order; a call's page with its words as they come, the
seat's reading and brief, the audio line to take the call over (or, for a supervisor, to listen
in: server/api/console_lines.py), once it has ended its recording (server/api/recordings.py), the
order form the seat's reading pre-fills, and KB suggestions for what the caller says."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse

from agent.brief import HANDOFF_REASONS
from agent.consult import Consultant
from agent.reading import normalise_turn
from server.access import Caller
from server.storage import repository
from server.storage.db import NotFound
from server.storage.keys import Role
from server.storage.recordings import recording_of_call
from server.storage.types import utc_now
from server.web.pages import page, render
from server.workflow.agent_orders import (
    ORDER_CATEGORIES,
    AlreadyFiled,
    OrderForm,
    OrderRefused,
    checked_order,
    file_agent_order,
)

router = APIRouter()

ConsoleDep = Annotated[Caller, page(Role.AGENT, Role.SUPERVISOR)]
# How far back the queue looks for handed-off calls still owed an order: a shift and a half.
HANDOFF_LOOKBACK = timedelta(hours=12)
SUGGESTIONS = 3


def _queue(request: Request) -> dict[str, Any]:
    # Calls handed to a person first, then by when they came in.
    lines = sorted(request.app.state.services.calls.lines(),
                   key=lambda line: (not line.reading.get("handoff_reason"), line.started_at))
    waiting = repository.handoffs_without_order(request.app.state.engine, utc_now() - HANDOFF_LOOKBACK)
    # Callers past [server] max_calls, waiting for a line (server/telephony/line_queue.py), oldest first.
    queued = request.app.state.services.lines.waiters()
    return {"lines": lines, "waiting": waiting, "queued": queued, "now": utc_now(), "reasons": HANDOFF_REASONS}


@router.get("/console")
def console(request: Request, caller: ConsoleDep) -> Any:
    return render(request, "console.html", caller, **_queue(request))


@router.get("/console/queue")
def console_queue(request: Request, caller: ConsoleDep) -> Any:
    return render(request, "console_queue.html", caller, **_queue(request))


def _order_values(reading: dict[str, Any]) -> dict[str, Any]:
    keys = ("category", "topic", "district", "street", "address", "caller_name", "phone", "summary")
    values = {key: reading.get(key) or "" for key in keys}
    values["urgent"], values["police"] = bool(reading.get("urgent")), bool(reading.get("police"))
    if values["category"] not in ORDER_CATEGORIES:
        values["category"] = ""
    return values


def _form_context(request: Request) -> dict[str, Any]:
    knowledge = request.app.state.services.knowledge.current()
    gazetteer = knowledge.gazetteer
    return {
        "categories": ORDER_CATEGORIES,
        "topics": [entry.topic for entry in knowledge.catalogue.entries],
        "districts": {district: gazetteer.streets(district) for district in gazetteer.districts()},
    }


@router.get("/console/calls/{call_sid}")
def call_page(call_sid: str, request: Request, caller: ConsoleDep) -> Any:
    detail = repository.get_call_detail(request.app.state.engine, call_sid)
    if detail is None:
        return render(request, "not_found.html", caller, status=404, what=f"通话 {call_sid}")
    live = request.app.state.services.calls.get(call_sid)
    line = live[0] if live is not None else None
    call = detail.call
    reading = dict(line.reading) if line is not None and line.reading else {
        "category": call.category, "route": call.route, "topic": call.topic, "urgent": call.urgent,
        "police": call.police, "handoff_reason": call.handoff_reason, "district": call.district,
        "street": call.street, "address": call.address, "caller_name": call.caller_name,
        "phone": call.callback_number, "summary": None,
    }
    recording = recording_of_call(request.app.state.engine, call.id) if line is None and call.id else None
    return render(
        request, "console_call.html", caller, call=call, turns=detail.turns, line=line, reading=reading,
        recording=recording,
        ticket=detail.ticket.ticket if detail.ticket is not None else None, values=_order_values(reading),
        errors={}, reasons=HANDOFF_REASONS, **_form_context(request),
    )


@router.get("/console/calls/{call_sid}/reading")
def live_reading(call_sid: str, request: Request, caller: ConsoleDep) -> Any:
    """The seat's whole reading of a live call, number and name included, for the agent's form: the
    live events show them masked (server/telephony/event_privacy.py)."""
    live = request.app.state.services.calls.get(call_sid)
    if live is None:
        return JSONResponse({"detail": f"no live call {call_sid!r} on this node"}, status_code=404)
    return live[0].reading


@router.get("/console/suggest")
def suggest(request: Request, caller: ConsoleDep, q: Annotated[str, Query(max_length=2000)] = "") -> Any:
    """The KB articles closest to what the caller said, for the agent to read from: searched as the
    seat searches a turn, and only those within reach of the seat's own floor (as close as a model
    backend may choose from), so an agent is not handed articles about something else."""
    knowledge = request.app.state.services.knowledge.current()
    consultant = Consultant(knowledge.kb, knowledge.sound_corrector)
    found = consultant.ranked(normalise_turn(q), k=SUGGESTIONS) if q.strip() else []
    close = [(a, score) for a, score in found if score >= 0.5 * consultant.min_score]
    return render(request, "console_suggestions.html", caller, found=close)


@router.post("/console/calls/{call_sid}/order")
def file_order(
    call_sid: str,
    request: Request,
    caller: ConsoleDep,
    category: Annotated[str, Form()] = "",
    topic: Annotated[str, Form()] = "",
    district: Annotated[str, Form()] = "",
    street: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    caller_name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    urgent: Annotated[bool, Form()] = False,
    police: Annotated[bool, Form()] = False,
) -> Any:
    form = OrderForm(category, topic, district, street, address, caller_name, phone, urgent, police, summary)
    values = {**form.__dict__}
    context = {"call_sid": call_sid, "values": values, **_form_context(request)}
    knowledge = request.app.state.services.knowledge.current()
    try:
        order = checked_order(form, knowledge.catalogue, knowledge.gazetteer)
        ticket = file_agent_order(
            request.app.state.engine, request.app.state.services.dispatch_rules, call_sid, order, caller.actor
        )
    except OrderRefused as refused:
        return render(request, "console_order_form.html", caller, status=422, errors=refused.errors, **context)
    except AlreadyFiled as filed:
        return render(request, "console_order_form.html", caller, status=409, errors={},
                      conflict=f"这通电话已经生成工单 {filed.ticket_id}，不能重复建单", **context)
    except NotFound:
        return render(request, "not_found.html", caller, status=404, what=f"通话 {call_sid}")
    return render(request, "console_order_form.html", caller, errors={}, filed=ticket, **context)
