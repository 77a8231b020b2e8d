"""Retention: what is kept of a call once `[recordings] retention_days` have passed.

Past the cutoff a call's recording file is deleted (its row stays, marked `purged_at`, with an
audit entry by "retention") and the caller's details and words in the stored call are cleared:
every sealed column of the call and its turns (SEALED_COLUMNS in server/storage/sealing.py, the
list of what is the caller's) becomes NULL, or the marker PURGED_TEXT where the column needs a
value. So the call's number, callback number, name, address and keys pressed go, and its turns'
words and replies read PURGED_TEXT (a reader of the transcript sees why), their partial
transcripts and heard-replies NULL; a column sealed later is cleared with them. What the figures
are made of stays: times, status, category, route, topic, KB article, district and street, safety
flags, the turns' timings.

Work orders are not touched: a unit needs an order (its address, the caller's name and number)
while it is open, and an order is the city's record of the case after; its history and callbacks
go with it. Only calls, turns and recordings are purged here.

Each recording is purged in a transaction of its own, which claims the row first (an UPDATE
that only a row not yet purged matches), then deletes the file, then commits: two nodes running
this at once purge each recording once, a rotation writing the file again meanwhile either
finished first (its new file is the one deleted) or finds the row purged and drops its own file,
and a commit that fails leaves the row to the next run (the file being gone already is no
matter). Calls are cleared a batch at a time, each call once (`pii_purged_at`); running it again
finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, Table, insert, select, update

from server.storage.audit_log import PURGE_RECORDING, PURGED
from server.storage.models import Call, Turn
from server.storage.recording_tables import AuditEntry, Recording
from server.storage.sealing import SEALED_COLUMNS
from server.storage.types import utc_now

PURGED_TEXT = "(已按保留期清除)"
RETENTION_ACTOR = "retention"
BATCH = 200

_calls = Call.__table__  # type: ignore[attr-defined]
_turns = Turn.__table__  # type: ignore[attr-defined]
_recordings = Recording.__table__  # type: ignore[attr-defined]
_audit = AuditEntry.__table__  # type: ignore[attr-defined]


@dataclass
class Purged:
    recordings: int = 0
    calls: int = 0


def purge_recording(engine: Engine, root: Path, recording_id: int) -> bool:
    """Delete one recording's file and mark its row; False if it was purged already."""
    now = utc_now()
    with engine.begin() as connection:
        claimed = connection.execute(
            update(_recordings).where(_recordings.c.id == recording_id, _recordings.c.purged_at.is_(None))
            .values(purged_at=now)
        ).rowcount
        if not claimed:
            return False
        call_sid, path = connection.execute(
            select(_recordings.c.call_sid, _recordings.c.path).where(_recordings.c.id == recording_id)
        ).one()
        connection.execute(insert(_audit).values(at=now, actor=RETENTION_ACTOR, action=PURGE_RECORDING,
                                                 target=call_sid, outcome=PURGED))
        (root / path).unlink(missing_ok=True)
    return True


def cleared(table: Table) -> dict[str, object]:
    """What `table`'s sealed columns become: NULL, or PURGED_TEXT where a value is required."""
    return {column: None if table.c[column].nullable else PURGED_TEXT
            for name, column in SEALED_COLUMNS if name == table.name}


def clear_calls(engine: Engine, call_ids: list[int]) -> int:
    """Clear the callers' details and words of these calls; how many were not cleared before."""
    with engine.begin() as connection:
        done = connection.execute(
            update(_calls).where(_calls.c.id.in_(call_ids), _calls.c.pii_purged_at.is_(None))
            .values(**cleared(_calls), pii_purged_at=utc_now())
        ).rowcount
        connection.execute(update(_turns).where(_turns.c.call_id.in_(call_ids)).values(**cleared(_turns)))
    return done


def purge_expired(engine: Engine, root: Path, cutoff: datetime, batch: int = BATCH) -> Purged:
    """Everything recorded or said before `cutoff`, purged as the module says."""
    purged = Purged()
    while True:
        with engine.connect() as connection:
            expired = connection.execute(
                select(_recordings.c.id)
                .where(_recordings.c.purged_at.is_(None), _recordings.c.created_at < cutoff)
                .order_by(_recordings.c.id).limit(batch)
            ).scalars().all()
        if not expired:
            break
        purged.recordings += sum(purge_recording(engine, root, recording_id) for recording_id in expired)
    while True:
        with engine.connect() as connection:
            expired = connection.execute(
                select(_calls.c.id).where(_calls.c.pii_purged_at.is_(None), _calls.c.started_at < cutoff)
                .order_by(_calls.c.id).limit(batch)
            ).scalars().all()
        if not expired:
            break
        purged.calls += clear_calls(engine, list(expired))
    return purged
