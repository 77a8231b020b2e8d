"""REST API (read side): calls with their turns and outcome, health. Work orders: server/api/tickets.py.

The app factory sets `app.state.engine`; every route reads it through `get_engine`, so tests and
the server use the same router over a real database. Unknown ids answer 404 {"detail": "..."}.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from server.access import allow, public
from server.storage import repository
from server.storage.db import DatabaseError, check_connection, current_revision, head_revision
from server.storage.keys import Role
from server.storage.serialize import call_detail_to_dict, call_to_dict

router = APIRouter()


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_engine)]
Limit = Annotated[int, Query(ge=1, le=500, description="how many, most recent first")]
Offset = Annotated[int, Query(ge=0)]
# Calls hold what citizens said: the seats and those who run them read them.
CALL_READERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@router.get("/healthz", dependencies=[public()])
def healthz(engine: EngineDep) -> Any:
    """200 when the database answers and its schema is current; 503 with the reason otherwise."""
    try:
        check_connection(engine)
        revision = current_revision(engine)
    except DatabaseError as exc:
        return JSONResponse({"status": "error", "detail": str(exc)}, status_code=503)
    head = head_revision()
    if revision != head:
        detail = f"database schema is at {revision}, expected {head}: run `hotline db upgrade`"
        return JSONResponse({"status": "error", "detail": detail}, status_code=503)
    return {"status": "ok", "database": engine.dialect.name, "schema": revision}


@router.get("/api/calls", dependencies=[allow(*CALL_READERS)])
def list_calls(engine: EngineDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    calls = repository.list_calls(engine, limit=limit, offset=offset)
    return {"calls": [call_to_dict(c) for c in calls]}


@router.get("/api/calls/{call_sid}", dependencies=[allow(*CALL_READERS)])
def get_call(call_sid: str, engine: EngineDep) -> dict[str, Any]:
    detail = repository.get_call_detail(engine, call_sid)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no call {call_sid!r}")
    return call_detail_to_dict(detail)
