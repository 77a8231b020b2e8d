"""The alembic migrations are the schema: they must match the models, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, Integer, MetaData, inspect, text
from sqlmodel import SQLModel

import server.storage.models  # noqa: F401  (registers the tables)
from server.storage import repository
from server.storage.db import (
    DatabaseError,
    alembic_config,
    current_revision,
    describe_url,
    head_revision,
    make_engine,
    normalise_url,
    upgrade,
)

TABLES = {
    "calls", "turns", "kb_articles", "catalogue_entries", "gazetteer_places", "tickets", "ticket_events",
    "knowledge_revisions", "knowledge_changes", "api_keys", "callbacks", "callback_attempts",
}


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert TABLES <= set(inspect(engine).get_table_names())


def test_schema_comparison_does_see_a_difference(engine: Engine) -> None:
    """Guards the test above: a model column the migrations lack must show up as a diff."""
    changed = MetaData()
    for table in SQLModel.metadata.tables.values():
        copy = table.to_metadata(changed)
        if table.name == "calls":
            copy.append_column(Column("not_migrated", Integer))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, changed)
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "not_migrated")]


def test_upgrade_is_idempotent_and_reaches_head(database_url: str) -> None:
    assert upgrade(database_url) == head_revision()
    assert upgrade(database_url) == head_revision()


def test_downgrade_to_base_and_back(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert not TABLES & set(inspect(engine).get_table_names())
        assert current_revision(engine) is None
    finally:
        engine.dispose()
    assert upgrade(database_url) == head_revision()


def test_times_come_back_timezone_aware_in_utc(engine: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    started = datetime(2026, 11, 21, 9, 30, tzinfo=beijing)
    repository.create_call(engine, "CA-tz", started_at=started)
    call = repository.get_call(engine, "CA-tz")
    assert call is not None
    assert call.started_at == started
    assert call.started_at.utcoffset() == timedelta(0)
    assert call.started_at == datetime(2026, 11, 21, 1, 30, tzinfo=UTC)


def test_naive_times_are_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        repository.create_call(engine, "CA-naive", started_at=datetime(2026, 11, 21, 9, 30))
    assert repository.get_call(engine, "CA-naive") is None


def test_unreachable_database_is_named() -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/nothing"
    with pytest.raises(DatabaseError) as raised:
        upgrade(url)
    message = str(raised.value)
    assert "127.0.0.1:1/nothing" in message and "secret" not in message


def test_urls_are_normalised_and_passwords_hidden() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///var/hotline.db") == "sqlite:///var/hotline.db"
    assert "pw" not in describe_url("postgresql+psycopg://u:pw@h/db")


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_orders_filed_before_the_workflow_take_their_place_in_it(database_url: str) -> None:
    # 0005: an order stored as "created" with a unit had been sent to it; one without waits for review.
    assert upgrade(database_url, "0004") == "0004"
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for ticket_id, unit in (("HL20261201-0001", "朝阳区城管执法局"), ("HL20261201-0002", None)):
                connection.execute(text(
                    "INSERT INTO tickets (id, urgent, police, unit, summary, status, created_at) "
                    "VALUES (:id, false, false, :unit, '', 'created', :at)"
                ), {"id": ticket_id, "unit": unit, "at": datetime(2026, 12, 1, tzinfo=UTC)})
        assert upgrade(database_url) == head_revision()
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status FROM tickets ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("HL20261201-0001", "dispatched"), ("HL20261201-0002", "review")]
    finally:
        engine.dispose()
