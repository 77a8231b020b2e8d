"""PostgreSQL's side of backups (backup.py): every table's rows in COPY's text format, all read in one
snapshot; restored in one transaction into the schema the URL uses (its search_path): Hotline's
tables dropped, the schema created by the migrations at the backup's revision, the rows copied in and
the id sequences set where they were, so that new rows get the ids they would have got.
"""

from __future__ import annotations

import time
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import psycopg
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import server.storage.models  # noqa: F401  (registers the tables a restore replaces)
from server.storage.backup_manifest import BackupError, Manifest, Progress, holds_data, not_as_described, now_iso
from server.storage.db import check_connection, describe_url, lock_migrations, make_engine, migrate

_VERSION_TABLE = "alembic_version"
# Text forms that read back as the values they were written from, whatever the server's or the role's
# defaults are: times in UTC with ISO dates, floats with every digit, bytea in hex.
_SESSION = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)
# How long a restore waits for a table that a running server holds before it gives up.
_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '20s'"
_CHUNK = 1 << 20


def member(table: str) -> str:
    return f"tables/{table}.copy"


def _new_member(table: str) -> ZipInfo:
    info = ZipInfo(member(table), date_time=time.localtime()[:6])
    info.compress_type = ZIP_DEFLATED
    return info


def copy_out(url: str, archive: ZipFile, progress: Progress) -> Manifest:
    """Write every table of the URL's schema into `archive` and describe them."""
    engine = make_engine(url)
    try:
        check_connection(engine)
        progress(f"reading {describe_url(url)} in one snapshot")
        with engine.connect() as connection:
            # One snapshot for every table: rows that refer to each other are backed up together.
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.execute(text("SET TRANSACTION READ ONLY"))
                _set_session(connection)
                revision = MigrationContext.configure(connection).get_current_revision()
                if revision is None:
                    raise BackupError(f"{describe_url(url)} has no Hotline schema: there is nothing to back up")
                tables, columns = _copy_tables_out(connection, archive, progress)
                sequences = _sequences(connection)
    except psycopg.Error as exc:
        raise BackupError(f"cannot read {describe_url(url)}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()
    return Manifest(database="postgresql", revision=revision, created_at=now_iso(), tables=tables,
                    columns=columns, sequences=sequences)


def _copy_tables_out(
    connection: Connection, archive: ZipFile, progress: Progress
) -> tuple[dict[str, int], dict[str, list[str]]]:
    inspector = inspect(connection)
    tables: dict[str, int] = {}
    columns: dict[str, list[str]] = {}
    cursor = connection.connection.driver_connection.cursor()
    # Tables a foreign key refers to come first: the order a restore loads them in.
    for name, _keys in inspector.get_sorted_table_and_fkc_names():
        if name is None or name == _VERSION_TABLE:
            continue
        columns[name] = [column["name"] for column in inspector.get_columns(name)]
        with archive.open(_new_member(name), "w", force_zip64=True) as out:
            with cursor.copy(_copy_statement(name, columns[name], "TO STDOUT")) as copy:
                for chunk in copy:
                    out.write(chunk)
        tables[name] = cursor.rowcount
        progress(f"  {name}: {tables[name]} rows")
    return tables, columns


def _sequences(connection: Connection) -> dict[str, list[object]]:
    """Where each id sequence of the schema stands: "table.column": [last_value, is_called]."""
    owned = connection.execute(text(
        "SELECT table_name, column_name, pg_get_serial_sequence(format('%I', table_name::text), column_name) "
        "FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name"
    ))
    found: dict[str, list[object]] = {}
    for table, column, sequence in owned.all():
        if sequence is not None:
            # `sequence` is the name as PostgreSQL itself quotes it.
            last_value, is_called = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
            found[f"{table}.{column}"] = [last_value, is_called]
    return found


def copy_in(archive: ZipFile, manifest: Manifest, url: str, *, force: bool, progress: Progress) -> None:
    """Replace Hotline's tables in the URL's schema with the backup's, in one transaction."""
    stored = set(archive.namelist())
    missing = [name for name in manifest.tables if member(name) not in stored or name not in manifest.columns]
    if missing:
        raise not_as_described(f"it lacks the rows of {', '.join(missing)}")
    engine = make_engine(url)
    try:
        check_connection(engine)
        with engine.begin() as connection:
            connection.execute(text(_LOCK_TIMEOUT))
            lock_migrations(connection)
            counts = _rows(connection)
            if any(counts.values()) and not force:
                raise holds_data(url, counts)
            SQLModel.metadata.drop_all(connection)
            # Only the schema's own (an unqualified IF EXISTS could find one further down the search_path).
            if inspect(connection).has_table(_VERSION_TABLE):
                connection.execute(text(f"DROP TABLE {_VERSION_TABLE}"))
            progress(f"creating the schema at revision {manifest.revision}")
            migrate(connection, manifest.revision)
            _set_session(connection)
            _copy_tables_in(connection, archive, manifest, progress)
            for key, (last_value, is_called) in manifest.sequences.items():
                table, column = key.split(".", 1)
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(format('%I', CAST(:table AS text)), :column), "
                         ":value, :called)"),
                    {"table": table, "column": column, "value": last_value, "called": is_called},
                )
    except OperationalError as exc:
        if isinstance(exc.orig, psycopg.errors.LockNotAvailable):
            raise BackupError(f"{describe_url(url)} is in use (is a server running on it?): stop it, then restore "
                              "(the database was left as it was)") from exc
        raise
    except psycopg.Error as exc:
        raise BackupError(f"cannot restore into {describe_url(url)}: {_first_line(exc)} "
                          "(the database was left as it was)") from exc
    finally:
        engine.dispose()


def _copy_tables_in(connection: Connection, archive: ZipFile, manifest: Manifest, progress: Progress) -> None:
    cursor = connection.connection.driver_connection.cursor()
    for name, expected in manifest.tables.items():
        with archive.open(member(name)) as packed:
            with cursor.copy(_copy_statement(name, manifest.columns[name], "FROM STDIN")) as copy:
                while chunk := packed.read(_CHUNK):
                    copy.write(chunk)
        if cursor.rowcount != expected:
            raise not_as_described(f"its table {name} holds {cursor.rowcount} rows")
        progress(f"  {name}: {expected} rows")


def _rows(connection: Connection) -> dict[str, int]:
    """The rows in each of Hotline's tables that the schema has."""
    existing = set(inspect(connection).get_table_names())
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
        if table.name in existing
    }


def _set_session(connection: Connection) -> None:
    for statement in _SESSION:
        connection.execute(text(statement))


def _copy_statement(table: str, columns: list[str], direction: str) -> sql.Composed:
    return sql.SQL("COPY {} ({}) " + direction).format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__
