"""`hotline db backup FILE` and `hotline db restore FILE`, run as commands on real databases (a SQLite
file, a PostgreSQL schema) filled through the real paths: a restored database holds every row of every
table exactly as stored, and a restore that is refused or fails leaves its target as it was."""

from __future__ import annotations

import json
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from conftest import POSTGRES_URL
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner
from workflow_orders import NOISE_UNIT, callbacks_of, reported_order

from knowledge.kb import KbArticle
from server.cli import admin
from server.storage import audit_log, knowledge_store, repository
from server.storage.db import current_revision, head_revision, make_engine, upgrade
from server.storage.keys import Role, create_key, revoke_key
from server.storage.knowledge_edits import create_article
from server.storage.knowledge_log import Editor
from server.storage.recordings import save_recording
from server.storage.web_sessions import open_session
from server.workflow.callbacks import CallbackRules, Outcome, SurveyAnswers, claim_due, finish

SHARED = Path(__file__).resolve().parents[2] / "shared"

app = typer.Typer()
admin.register(app)
runner = CliRunner()

# Values a backup must carry exactly: COPY's escapes (tab, newline, backslash), control characters,
# characters outside the BMP, trailing blanks, microseconds, a float that is not short in binary.
AWKWARD = "第一行\n第二行\t制表\\反斜杠 \"引号\" \x01\x1f 😀 末尾空格  "
EXACT_TIME = datetime(2026, 12, 7, 5, 59, 58, 123456, tzinfo=UTC)


def hotline(*args: str | Path) -> tuple[int, str]:
    """Exit code and stderr, where the backup commands write."""
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stderr


def refused(code: int, err: str) -> str:
    """The one-line error of a refusal."""
    assert code == 1, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: "), err
    return last


@contextmanager
def engine_on(url: str) -> Iterator:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def fresh_database(like: str, tmp_path: Path, name: str) -> Iterator[str]:
    """Another empty database of the same kind as `like`: a new file, or a new PostgreSQL schema."""
    if like.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin_engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin_engine.dispose()


def every_row(url: str) -> dict[str, list]:
    """Every table's rows as stored, in a stable order: SQLite's values as the file holds them (no type
    conversion), PostgreSQL's in its text form of each stored value."""
    with engine_on(url) as engine, engine.connect() as connection:
        rows = {}
        for name in inspect(connection).get_table_names():
            if connection.dialect.name == "sqlite":
                found = [tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"')]
            else:
                found = [row[0] for row in connection.exec_driver_sql(f'SELECT CAST(t AS text) FROM "{name}" AS t')]
            rows[name] = sorted(found, key=repr)
        return rows


def fill(url: str) -> dict[str, object]:
    """A database with rows in every table, made through the repository and workflow functions; what
    the repository reads back of it."""
    upgrade(url)
    with engine_on(url) as engine:
        knowledge_store.import_kb(engine, SHARED / "kb" / "sample_kb.jsonl")
        knowledge_store.import_gazetteer(engine, SHARED / "kb" / "gazetteer.json")
        admin_key, secret = create_key(engine, Role.ADMIN, label="值班管理员")
        open_session(engine, secret)
        revoke_key(engine, create_key(engine, Role.AGENT, label="离职座席")[0].id)
        create_key(engine, Role.UNIT, unit=NOISE_UNIT)
        create_article(engine, KbArticle(id="kb-backup", title="备份测试", question="问题？", answer=AWKWARD,
                                         department="", tags=["备份", "恢复"]), Editor(admin_key.label, admin_key.id))

        call_id = repository.create_call(engine, "CA-backup", caller_number="13800138000", started_at=EXACT_TIME)
        repository.add_turn(engine, call_id=call_id, asr_text="我想问一下社保卡怎么补办", reply_text=AWKWARD,
                            speech_started_at=0.1 + 0.2, speech_ended_at=1.75, asr_final_at=EXACT_TIME,
                            partials=json.dumps([{"audio_s": 0.5, "confirmed": "我想", "tentative": "问"}],
                                                ensure_ascii=False), backend="offline")
        repository.add_turn(engine, call_id=call_id, asr_text="好的谢谢", reply_text="不客气")  # NULL times
        # The call's recording: its row is the database's (the sealed file is not, and is not backed up).
        with tempfile.TemporaryDirectory() as folder:
            save_recording(engine, Path(folder), "CA-backup", "call", AWKWARD.encode(), "flac", 0.1 + 0.2)
        audit_log.write(engine, f"agent:{admin_key.id}", audit_log.PLAY_RECORDING, "CA-backup", audit_log.PLAYED)

        # A filed, dispatched, accepted and reported order with a merged second caller: events,
        # callbacks, and one survey call answered.
        order = reported_order(engine, "13900001111")
        rules = CallbackRules()
        due = min(callback.due_at for callback in callbacks_of(engine, order))
        (claimed, *_) = claim_due(engine, "node-a", due, rules, limit=1)
        finish(engine, claimed.id, node="node-a", outcome=Outcome.ANSWERED, now=due + timedelta(minutes=2),
               rules=rules, answers=SurveyAnswers(contacted=True, solved=True, satisfaction="满意"))
        return {
            "call": repository.get_call_detail(engine, "CA-backup"),
            "order": repository.get_ticket(engine, order),
        }


@pytest.fixture
def filled(database_url: str) -> tuple[str, dict[str, object], dict[str, list]]:
    """A filled database: its URL, what the repository reads of it, and every row it holds."""
    read = fill(database_url)
    rows = every_row(database_url)
    empty = [name for name, found in rows.items() if not found]
    assert empty == [], f"fill() leaves these tables empty, so their backup is not tested: {empty}"
    return database_url, read, rows


def test_round_trip_keeps_every_row_of_every_table(filled, tmp_path: Path) -> None:
    url, read, rows = filled
    backup = tmp_path / "hotline-backup.zip"
    code, err = hotline("db", "backup", backup, "--database", url)
    assert code == 0, err
    total = sum(len(found) for name, found in rows.items() if name != "alembic_version")
    assert f"schema {head_revision()}, {len(rows) - 1} tables, {total} rows" in err
    # The backup holds the callers' data as the database does, sealed: never a number in clear.
    with zipfile.ZipFile(backup) as archive:
        assert not any(b"13800138000" in archive.read(name) for name in archive.namelist())
    assert "13800138000" not in repr(rows["calls"]) and "hl1:" in repr(rows["calls"])

    with fresh_database(url, tmp_path, "restored") as restored:
        code, err = hotline("db", "restore", backup, "--database", restored)
        assert code == 0, err
        assert f"{total} rows, schema {head_revision()} (latest)" in err
        assert every_row(restored) == rows  # alembic_version among them; sealed values byte for byte

        assert hotline("db", "upgrade", "--database", restored)[0] == 0
        with engine_on(restored) as engine, engine_on(url) as source:
            assert repository.get_call_detail(engine, "CA-backup") == read["call"]
            assert repository.get_ticket(engine, read["order"].ticket.id) == read["order"]
            assert repository.get_call_detail(engine, "CA-backup").turns[0].reply_text == AWKWARD
            # The id sequences stand where they stood: the next call gets the id it would have got.
            assert repository.create_call(engine, "CA-next") == repository.create_call(source, "CA-next")


def test_restore_refuses_and_leaves_the_target_as_it_was(filled, tmp_path: Path) -> None:
    url, _read, rows = filled
    backup = tmp_path / "good.zip"
    assert hotline("db", "backup", backup, "--database", url)[0] == 0

    with fresh_database(url, tmp_path, "target") as target:
        upgrade(target)
        with engine_on(target) as engine:
            repository.create_call(engine, "CA-keep-me", started_at=EXACT_TIME)
        before = every_row(target)

        err = refused(*hotline("db", "restore", backup, "--database", target))
        assert "holds data (calls 1)" in err and "--force" in err

        data = backup.read_bytes()
        truncated = tmp_path / "truncated.zip"
        truncated.write_bytes(data[: len(data) // 2])
        damaged = tmp_path / "damaged.zip"
        middle = len(data) // 3
        damaged.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
        not_a_backup = tmp_path / "notes.txt"
        not_a_backup.write_text("这不是备份\n", encoding="utf-8")
        other_zip = tmp_path / "other.zip"
        with zipfile.ZipFile(other_zip, "w") as archive:
            archive.writestr("readme.txt", "hello")
        future = rewrite_manifest(backup, tmp_path / "future.zip", revision="9999")
        lying = rewrite_manifest(backup, tmp_path / "lying.zip", tables={"calls": 99})

        cases = [
            (truncated, "truncated or damaged"),
            (damaged, "damaged"),
            (not_a_backup, "is not a Hotline backup"),
            (other_zip, "is not a Hotline backup"),
            (future, "schema 9999, which this version of Hotline does not know"),
            (lying, "not what its manifest says"),  # found only while restoring: --force gets that far
            (tmp_path / "missing.zip", "no backup file"),
        ]
        for path, reason in cases:
            err = refused(*hotline("db", "restore", path, "--database", target, "--force"))
            assert reason in err, (path.name, err)
            assert every_row(target) == before, path.name

        code, err = hotline("db", "restore", backup, "--database", target, "--force")
        assert code == 0, err
        assert every_row(target) == rows


def rewrite_manifest(source: Path, path: Path, **changes: object) -> Path:
    """A copy of the backup at `source` whose manifest says otherwise (a backup from a newer version, or
    one whose data is not what its manifest says); each member's CRC is right."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                for key, value in changes.items():
                    manifest[key] = {**manifest[key], **value} if isinstance(value, dict) else value
                data = json.dumps(manifest).encode()
            new.writestr(name, data)
    return path


def test_a_backup_restores_only_into_its_own_kind(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    backup = tmp_path / "backup.zip"
    assert hotline("db", "backup", backup, "--database", database_url)[0] == 0
    other = "postgresql" if database_url.startswith("sqlite") else "sqlite"
    with fresh_database(other, tmp_path, "other") as target:
        err = refused(*hotline("db", "restore", backup, "--database", target))
        assert "a backup restores into its own kind" in err
        with engine_on(target) as engine, engine.connect() as connection:
            assert inspect(connection).get_table_names() == []


def test_an_older_schema_is_restored_as_it_was_and_upgrades(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url, "0010")
    with engine_on(database_url) as engine, engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO calls (call_sid, started_at, status, urgent, police, heard_marks) "
            "VALUES ('CA-old', :at, 'ended', false, false, '[\"greeting\"]')"
        ), {"at": EXACT_TIME.replace(tzinfo=None) if database_url.startswith("sqlite") else EXACT_TIME})
    backup = tmp_path / "old.zip"
    assert hotline("db", "backup", backup, "--database", database_url)[0] == 0
    with fresh_database(database_url, tmp_path, "restored") as restored:
        code, err = hotline("db", "restore", backup, "--database", restored)
        assert code == 0, err
        assert f"schema 0010; `hotline db upgrade` takes it to {head_revision()}" in err
        with engine_on(restored) as engine:
            assert current_revision(engine) == "0010"
        assert hotline("db", "upgrade", "--database", restored)[0] == 0
        with engine_on(restored) as engine:
            assert current_revision(engine) == head_revision()
            call = repository.get_call(engine, "CA-old")
            assert call.started_at == EXACT_TIME and call.heard_marks == ["greeting"]


def test_a_backup_is_one_committed_state_while_the_database_is_written(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    with engine_on(database_url) as engine:
        repository.create_call(engine, "CA-committed")
        with engine.connect() as writer:
            writer.begin()
            writer.execute(text(
                "INSERT INTO calls (call_sid, started_at, status, urgent, police, heard_marks) "
                "VALUES ('CA-uncommitted', CURRENT_TIMESTAMP, 'active', false, false, '[]')"
            ))
            code, err = hotline("db", "backup", tmp_path / "live.zip", "--database", database_url)
            assert code == 0, err
            writer.rollback()
    with fresh_database(database_url, tmp_path, "restored") as restored:
        assert hotline("db", "restore", tmp_path / "live.zip", "--database", restored)[0] == 0
        with engine_on(restored) as engine:
            assert [call.call_sid for call in repository.list_calls(engine)] == ["CA-committed"]


def test_backup_refusals(database_url: str, tmp_path: Path) -> None:
    err = refused(*hotline("db", "backup", tmp_path / "empty.zip", "--database", database_url))
    assert "has no Hotline schema" in err or "no database at" in err
    upgrade(database_url)
    existing = tmp_path / "existing.zip"
    existing.write_text("an earlier backup", encoding="utf-8")
    err = refused(*hotline("db", "backup", existing, "--database", database_url))
    assert "already exists" in err
    assert existing.read_text(encoding="utf-8") == "an earlier backup"
    err = refused(*hotline("db", "backup", tmp_path / "no" / "such" / "b.zip", "--database", database_url))
    assert "does not exist" in err
    # Nothing half-written is left behind (the refused backups' partial files and copies are gone).
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".zip") or path.name.startswith(".")] == [
        "existing.zip"
    ]


def test_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://hotline:secret@127.0.0.1:1/hotline"
    for args in (("backup", tmp_path / "b.zip"), ("restore", tmp_path / "b.zip")):
        err = refused(*hotline("db", *args, "--database", url))
        assert "secret" not in err
    err = refused(*hotline("db", "backup", tmp_path / "b.zip", "--database", url))
    assert "cannot reach database" in err and "127.0.0.1:1/hotline" in err


def test_sqlite_restore_refuses_a_database_in_use(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
    upgrade(source)
    upgrade(target)
    backup = tmp_path / "b.zip"
    assert hotline("db", "backup", backup, "--database", source)[0] == 0
    with engine_on(target) as engine, engine.connect() as server:
        server.execute(text("SELECT count(*) FROM calls"))  # a server with the file open
        err = refused(*hotline("db", "restore", backup, "--database", target, "--force"))
        assert "is in use" in err
    assert hotline("db", "restore", backup, "--database", target, "--force")[0] == 0
