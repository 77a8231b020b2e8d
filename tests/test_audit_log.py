"""The audit log's storage on both databases: entries only added, read newest first a page at a time,
filtered by actor, action and Beijing days; and the retention job that writes its own entries."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, update

from server.recording_settings import RecordingSettings
from server.storage import audit_log, repository
from server.storage.audit_log import AuditQuery
from server.storage.recording_tables import AuditEntry
from server.workflow.retention import RetentionJob


def at(engine: Engine, when: datetime, actor: str, action: str = audit_log.PLAY_RECORDING) -> None:
    audit_log.write(engine, actor, action, "CA-1", audit_log.PLAYED)
    with engine.begin() as connection:
        last = connection.execute(AuditEntry.__table__.select().order_by(AuditEntry.id.desc())).first()
        connection.execute(update(AuditEntry).where(AuditEntry.id == last.id).values(at=when))


def test_entries_are_read_newest_first_filtered_and_paged(engine: Engine) -> None:
    # 2026-12-01 23:30 in Beijing is 15:30 UTC; 2026-12-02 00:30 in Beijing is 16:30 UTC on the 1st.
    at(engine, datetime(2026, 12, 1, 15, 30, tzinfo=UTC), "agent:1")
    at(engine, datetime(2026, 12, 1, 16, 30, tzinfo=UTC), "supervisor:2")
    at(engine, datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "agent:1")
    at(engine, datetime(2026, 12, 3, 3, 0, tzinfo=UTC), "retention", audit_log.PURGE_RECORDING)
    everything, total = audit_log.entries(engine, AuditQuery(), limit=2)
    assert total == 4 and [e.actor for e in everything] == ["retention", "agent:1"]
    second, _ = audit_log.entries(engine, AuditQuery(), limit=2, offset=2)
    assert [e.actor for e in second] == ["supervisor:2", "agent:1"]
    agents, total = audit_log.entries(engine, AuditQuery(actor="agent:1"), limit=10)
    assert total == 2 and {e.actor for e in agents} == {"agent:1"}
    plays, total = audit_log.entries(engine, AuditQuery(action=audit_log.PLAY_RECORDING), limit=10)
    assert total == 3
    december_2nd = AuditQuery.of_days(None, None, date(2026, 12, 2), date(2026, 12, 2))
    assert [e.actor for e in audit_log.entries(engine, december_2nd, limit=10)[0]] == ["supervisor:2"]
    first_two = AuditQuery.of_days("", "", date(2026, 12, 1), date(2026, 12, 2))
    assert audit_log.entries(engine, first_two, limit=10)[1] == 2


def test_the_retention_job_runs_on_its_node_only_when_asked(engine: Engine, tmp_path: Path) -> None:
    def settings(minutes: float) -> RecordingSettings:
        return RecordingSettings(enabled=True, directory=tmp_path, codec="flac", retention_days=30,
                                 purge_check_minutes=minutes, max_minutes=10)

    assert RetentionJob.from_settings(engine, settings(0)) is None
    job = RetentionJob.from_settings(engine, settings(60))
    assert job is not None and job.cutoff(datetime(2026, 12, 31, tzinfo=UTC)) == datetime(2026, 12, 1, tzinfo=UTC)
    repository.create_call(engine, "CA-old", caller_number="13812345678",
                           started_at=datetime.now(UTC) - timedelta(days=31))
    repository.create_call(engine, "CA-new", caller_number="13812345678")
    purged = asyncio.run(job.run_once())
    assert (purged.recordings, purged.calls) == (0, 1)
    assert repository.get_call(engine, "CA-old").caller_number is None
    assert repository.get_call(engine, "CA-new").caller_number == "13812345678"
