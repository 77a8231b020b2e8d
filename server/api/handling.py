"""A handling unit's steps on the orders it was sent, with its unit key: accept, return (to review,
with a reason), ask for more time, report the result; and a supervisor's decision on the time asked.
Another unit's order is 403; errors as in server/api/tickets.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from server.access import Caller, allow
from server.api.routes import EngineDep
from server.api.tickets import DISPATCHERS, run_step
from server.storage.keys import Role
from server.workflow import handling
from server.workflow.handling import Result

router = APIRouter()

UnitDep = Annotated[Caller, allow(Role.UNIT)]


def unit_of(caller: Caller) -> str:
    # A unit key always names its unit (hotline key create refuses one without).
    return caller.unit or ""


@router.post("/api/tickets/{ticket_id}/accept")
def accept(ticket_id: str, engine: EngineDep, caller: UnitDep) -> Any:
    """签收: the unit takes the order on."""
    return run_step(lambda: handling.accept(engine, ticket_id, unit=unit_of(caller), actor=caller.actor))


class ReturnBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="why this is not the unit's to handle")


@router.post("/api/tickets/{ticket_id}/return")
def return_order(ticket_id: str, body: ReturnBody, engine: EngineDep, caller: UnitDep) -> Any:
    """退回: not this unit's; the order goes back to the review queue."""
    return run_step(lambda: handling.return_order(
        engine, ticket_id, unit=unit_of(caller), actor=caller.actor, reason=body.reason))


class ExtensionBody(BaseModel):
    hours: float = Field(gt=0, le=24 * 90, description="more time asked for, in hours")
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/api/tickets/{ticket_id}/extension")
def ask_extension(ticket_id: str, body: ExtensionBody, engine: EngineDep, caller: UnitDep) -> Any:
    """延期申请: one at a time; a supervisor grants or refuses it."""
    return run_step(lambda: handling.ask_extension(
        engine, ticket_id, unit=unit_of(caller), actor=caller.actor, hours=body.hours, reason=body.reason))


class DecisionBody(BaseModel):
    grant: bool
    note: str = Field(default="", max_length=2000)


@router.post("/api/tickets/{ticket_id}/extension/decision")
def decide_extension(
    ticket_id: str, body: DecisionBody, engine: EngineDep, caller: Annotated[Caller, allow(*DISPATCHERS)]
) -> Any:
    """Grant (the due time moves by the hours asked) or refuse the extension a unit asked for."""
    return run_step(lambda: handling.decide_extension(
        engine, ticket_id, grant=body.grant, actor=caller.actor, note=body.note))


class ReportBody(BaseModel):
    result: Result
    text: str = Field(min_length=1, max_length=4000, description="what was done, as the citizen will hear it")


@router.post("/api/tickets/{ticket_id}/report")
def report(ticket_id: str, body: ReportBody, request: Request, engine: EngineDep, caller: UnitDep) -> Any:
    """办结反馈: the result; every caller of the order is then called back ([callback])."""
    rules = request.app.state.callback_rules
    return run_step(lambda: handling.report(
        engine, ticket_id, unit=unit_of(caller), actor=caller.actor, result=body.result, text=body.text,
        rules=rules))
