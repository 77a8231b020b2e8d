"""The audit log for admins: `GET /api/audit`, newest first, a page at a time, filtered by actor
(`agent:7`, `anonymous`, `retention`), action (`recording.play`, `recording.purge`) and Beijing
days (`since`, `until`, both included). What it holds: server/storage/audit_log.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from server.access import allow
from server.api.routes import EngineDep, Limit, Offset
from server.storage import audit_log
from server.storage.audit_log import AuditQuery
from server.storage.keys import Role
from server.storage.recording_tables import AuditEntry
from server.storage.serialize import iso

router = APIRouter()

Action = Literal["recording.play", "recording.purge"]
Actor = Annotated[str | None, Query(max_length=64, description="e.g. agent:7, anonymous, retention")]
Day = Annotated[date | None, Query(description="YYYY-MM-DD, a Beijing day, included")]


def entry_to_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": iso(entry.at), "actor": entry.actor, "action": entry.action,
            "target": entry.target, "outcome": entry.outcome}


@router.get("/api/audit", dependencies=[allow(Role.ADMIN)])
def read_audit_log(
    engine: EngineDep, actor: Actor = None, action: Action | None = None, since: Day = None, until: Day = None,
    limit: Limit = 50, offset: Offset = 0,
) -> dict[str, Any]:
    if since is not None and until is not None and until < since:
        raise HTTPException(status_code=422, detail=[{"loc": ["query", "until"], "msg": "until is before since",
                                                      "type": "value_error"}])
    entries, total = audit_log.entries(engine, AuditQuery.of_days(actor, action, since, until), limit, offset)
    return {"entries": [entry_to_dict(entry) for entry in entries], "total": total, "limit": limit, "offset": offset}
