"""The audit log: who played which call's recording when, and how it went (refusals too), and which
recordings retention deleted. Rows are only ever added; admins read them (GET /api/audit,
/admin/audit).

Nothing in it names a caller: the actor is a role and a key id ("agent:7") and the target a call
sid, which the gateway made up. Who holds key 7 is in the key list (`hotline key list`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Engine, func
from sqlmodel import col, select

from server.storage.db import session_scope
from server.storage.recording_tables import AuditEntry

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
PLAY_RECORDING = "recording.play"
PURGE_RECORDING = "recording.purge"
ACTIONS = (PLAY_RECORDING, PURGE_RECORDING)

UNKNOWN_CALL = "(unknown call)"  # the target of a request for a call sid that is none of ours

PLAYED = "played"
DENIED = "denied"
NOT_FOUND = "not found"
FAILED = "failed"
PURGED = "purged"


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to show; None: any. `since` inclusive, `until` exclusive."""

    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of_days(cls, actor: str | None, action: str | None, first: date | None, last: date | None) -> AuditQuery:
        """Entries from Beijing day `first` through Beijing day `last` (both included)."""

        def midnight(day: date) -> datetime:
            return datetime.combine(day, time(), BEIJING)

        return cls(actor=actor or None, action=action or None, since=midnight(first) if first else None,
                   until=midnight(last + timedelta(days=1)) if last else None)


def write(engine: Engine, actor: str, action: str, target: str, outcome: str) -> None:
    with session_scope(engine) as session:
        session.add(AuditEntry(actor=actor[:64], action=action, target=target[:128], outcome=outcome))


def _filtered(query, wanted: AuditQuery):  # noqa: ANN001, ANN202 - a sqlmodel select of either shape
    if wanted.actor:
        query = query.where(AuditEntry.actor == wanted.actor)
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.since is not None:
        query = query.where(col(AuditEntry.at) >= wanted.since)
    if wanted.until is not None:
        query = query.where(col(AuditEntry.at) < wanted.until)
    return query


def entries(engine: Engine, wanted: AuditQuery, limit: int, offset: int = 0) -> tuple[list[AuditEntry], int]:
    """The entries `wanted` asks for, newest first, a page of `limit` from `offset`; and how many in all."""
    with session_scope(engine) as session:
        total = session.exec(_filtered(select(func.count()).select_from(AuditEntry), wanted)).one()
        page = session.exec(
            _filtered(select(AuditEntry), wanted).order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)
        )
        return list(page), int(total)
