"""Engines, sessions and schema migrations.

SQLite (a file) is the embedded default; PostgreSQL (postgresql+psycopg://…) is for production,
where several server nodes share one database. The schema comes only from the alembic migrations
in migrations/versions, never from create_all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number: PostgreSQL nodes starting together take turns migrating.
_MIGRATION_LOCK_ID = 12345_0001


class DatabaseError(Exception):
    """The database cannot be used (unreachable, bad URL); the message says which one."""


class NotFound(LookupError):
    """No call, turn or ticket with that id; the message names it."""


def normalise_url(url: str) -> str:
    """Point plain postgresql:// URLs at psycopg 3, the driver we ship (psycopg2 is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def describe_url(url: str) -> str:
    """The URL as it is safe to print: without the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL too broken to parse is shown as given
        return url


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Calls run in several threads; SQLite's own locking keeps them apart.
        connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    connect_args = kwargs.pop("connect_args", {})
    if "connect_timeout" not in parsed.query:
        # A database host that does not answer (a dropped link) fails a connection in seconds, not
        # after the system's TCP timeout of minutes: a call's writes retry (server/telephony/call_writes.py).
        connect_args = {"connect_timeout": 10, **connect_args}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web pages read while a call writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises.

    Objects stay readable after the block (expire_on_commit=False), so they can be returned.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config() -> Config:
    """The alembic configuration, built in code: nothing to find on disk at run time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(url: str, revision: str = "head") -> str | None:
    """Migrate the database at `url` to `revision`; returns the revision it is at afterwards."""
    engine = make_engine(url)
    try:
        check_connection(engine)
        with engine.begin() as connection:
            migrate(connection, revision)
        return current_revision(engine)
    finally:
        engine.dispose()


def migrate(connection: Connection, revision: str = "head") -> None:
    """Migrate through an open connection, inside its transaction (which commits or rolls back the lot)."""
    lock_migrations(connection)
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def lock_migrations(connection: Connection) -> None:
    """On PostgreSQL, wait for and hold until the transaction ends the lock that makes nodes starting
    together (or a restore) take turns changing the schema."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known_revision(revision: str) -> bool:
    """Whether this code's migrations know `revision` (a database or backup made by a newer version
    is at one they do not)."""
    try:
        script = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
        return script is not None and script.revision == revision
    except CommandError:
        return False


def check_connection(engine: Engine) -> None:
    """Raise DatabaseError naming the URL when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        url = describe_url(engine.url.render_as_string(hide_password=False))
        # The driver's own message ("connection refused") without SQLAlchemy's wrapping.
        cause = getattr(exc, "orig", None) or exc
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        raise DatabaseError(f"cannot reach database {url}: {reason}") from exc
