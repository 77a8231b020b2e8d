"""Admin commands: `hotline kb|catalogue|gazetteer import|export FILE`, `hotline db upgrade|seed` and
`hotline db backup|restore FILE`.

Mounted into the main `hotline` app by server/cli/main.py through `register(app)`. Every command takes
--database URL. Errors a user can cause (bad file, unreachable database, unwritable path) print one
line and exit 1; the database is never left half-imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from knowledge.formats import KnowledgeFormatError
from server.config import ConfigError, load_settings
from server.data_keys import ensure_loaded
from server.storage import knowledge_store
from server.storage.backup import BackupError, backup_database, restore_database
from server.storage.db import (
    DatabaseError,
    check_connection,
    current_revision,
    describe_url,
    head_revision,
    make_engine,
    normalise_url,
    upgrade,
)
from server.storage.sealing import SealingError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

kb_app = typer.Typer(help="Knowledge-base articles (JSON lines).", no_args_is_help=True)
catalogue_app = typer.Typer(help="Responsibility catalogue (职责目录, a JSON list).", no_args_is_help=True)
gazetteer_app = typer.Typer(help="Gazetteer: districts and their streets/towns (JSON).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema, seed data, backups.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount the admin sub-commands on the main CLI."""
    app.add_typer(kb_app, name="kb")
    app.add_typer(catalogue_app, name="catalogue")
    app.add_typer(gazetteer_app, name="gazetteer")
    app.add_typer(db_app, name="db")


def default_database_url() -> str:
    """The database used when --database is not given: HOTLINE_DATABASE_URL, else the config's
    SQLite file (var/hotline.db under the current directory by default)."""
    return load_settings().database_url


def default_seed_path(kind: str) -> Path:
    """configs/seed/<file> as named in the config's [seed] section."""
    return load_settings().seed_path(kind)


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database", "-d", metavar="URL", help="Database URL (default: HOTLINE_DATABASE_URL or var/hotline.db)."
    ),
]
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False)]


class UserError(Exception):
    """A one-line error for the user."""


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except (UserError, KnowledgeFormatError, DatabaseError, ConfigError, BackupError, SealingError) as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(f"database error: {_first_line(exc)}")


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(1)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _resolve_url(database: str | None) -> str:
    return normalise_url(database or default_database_url())


@contextmanager
def open_database(database: str | None, *, migrate: bool) -> Iterator[Engine]:
    """An engine on a reachable database whose schema is current.

    Commands that write migrate first (a fresh database just works); commands that only read
    refuse a database that was never set up rather than create an empty one.
    """
    url = _resolve_url(database)
    shown = describe_url(url)
    if not migrate:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            if not Path(parsed.database).exists():
                raise UserError(f"no database at {shown}: import data or run `hotline db seed` first")
    engine = make_engine(url)
    try:
        check_connection(engine)
        ensure_loaded(load_settings())
        if migrate:
            upgrade(url)
        else:
            revision, head = current_revision(engine), head_revision()
            if revision != head:
                raise UserError(f"database {shown} is at schema {revision}, expected {head}: run `hotline db upgrade`")
        yield engine
    finally:
        engine.dispose()


def _write_guard(path: Path) -> None:
    if not path.parent.exists():
        raise UserError(f"cannot write {path}: folder {path.parent} does not exist")


# ---------------------------------------------------------------- kb

@kb_app.command("import")
def kb_import(file: FileArgument, database: DatabaseOption = None) -> None:
    """Replace all KB articles with those in FILE."""
    with user_errors(), open_database(database, migrate=True) as engine:
        count = knowledge_store.import_kb(engine, file)
        console.print(f"imported {count} articles from {escape(str(file))}")


@kb_app.command("export")
def kb_export(file: FileArgument, database: DatabaseOption = None) -> None:
    """Write all KB articles to FILE (JSON lines)."""
    with user_errors(), open_database(database, migrate=False) as engine:
        _write_guard(file)
        count = knowledge_store.export_kb(engine, file)
        console.print(f"exported {count} articles to {escape(str(file))}")


# ---------------------------------------------------------------- catalogue

@catalogue_app.command("import")
def catalogue_import(file: FileArgument, database: DatabaseOption = None) -> None:
    """Replace the whole responsibility catalogue with FILE."""
    with user_errors(), open_database(database, migrate=True) as engine:
        count = knowledge_store.import_catalogue(engine, file)
        console.print(f"imported {count} catalogue topics from {escape(str(file))}")


@catalogue_app.command("export")
def catalogue_export(file: FileArgument, database: DatabaseOption = None) -> None:
    """Write the responsibility catalogue to FILE (JSON list)."""
    with user_errors(), open_database(database, migrate=False) as engine:
        _write_guard(file)
        count = knowledge_store.export_catalogue(engine, file)
        console.print(f"exported {count} catalogue topics to {escape(str(file))}")


# ---------------------------------------------------------------- gazetteer

@gazetteer_app.command("import")
def gazetteer_import(file: FileArgument, database: DatabaseOption = None) -> None:
    """Replace the gazetteer with FILE."""
    with user_errors(), open_database(database, migrate=True) as engine:
        districts, streets = knowledge_store.import_gazetteer(engine, file)
        console.print(f"imported {districts} districts and {streets} streets/towns from {escape(str(file))}")


@gazetteer_app.command("export")
def gazetteer_export(file: FileArgument, database: DatabaseOption = None) -> None:
    """Write the gazetteer to FILE (JSON object)."""
    with user_errors(), open_database(database, migrate=False) as engine:
        _write_guard(file)
        districts, streets = knowledge_store.export_gazetteer(engine, file)
        console.print(f"exported {districts} districts and {streets} streets/towns to {escape(str(file))}")


# ---------------------------------------------------------------- db

@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Create or migrate the database schema to the latest version."""
    with user_errors():
        url = _resolve_url(database)
        ensure_loaded(load_settings())  # the migrations seal what an older schema held in clear
        revision = upgrade(url)
        console.print(f"database {escape(describe_url(url))} is at schema {revision} (latest)")


@db_app.command("seed")
def db_seed(
    database: DatabaseOption = None,
    kb: Annotated[Path | None, typer.Option(help="KB file (default: configs/seed/kb.jsonl).")] = None,
    catalogue: Annotated[Path | None, typer.Option(help="Catalogue file (default: configs/seed).")] = None,
    gazetteer: Annotated[Path | None, typer.Option(help="Gazetteer file (default: configs/seed).")] = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only fill kinds that have no data yet.")] = False,
) -> None:
    """Migrate the database and load the seed knowledge (all three files, validated first)."""
    with user_errors():
        paths = {
            "kb": kb or default_seed_path("kb"),
            "catalogue": catalogue or default_seed_path("catalogue"),
            "gazetteer": gazetteer or default_seed_path("gazetteer"),
        }
        with open_database(database, migrate=True) as engine:
            report = knowledge_store.seed(engine, **paths, only_if_empty=if_empty)
        parts = []
        parts.append(f"{report.articles} articles" if report.articles is not None else "KB kept")
        parts.append(f"{report.topics} catalogue topics" if report.topics is not None else "catalogue kept")
        if report.districts is not None:
            parts.append(f"{report.districts} districts and {report.streets} streets/towns")
        else:
            parts.append("gazetteer kept")
        console.print(f"seeded {escape(describe_url(_resolve_url(database)))}: {', '.join(parts)}")


@db_app.command("backup")
def db_backup(file: FileArgument, database: DatabaseOption = None) -> None:
    """Write the whole database to FILE, a new file (a zip: server/storage/backup.py). The server may be running."""
    with user_errors():
        url = _resolve_url(database)
        manifest = backup_database(url, file, progress=_progress)
        size = file.stat().st_size
        err_console.print(
            f"backed up {escape(describe_url(url))} to {escape(str(file))}: schema {manifest.revision}, "
            f"{len(manifest.tables)} tables, {manifest.rows} rows, {_size(size)}"
        )


@db_app.command("restore")
def db_restore(
    file: FileArgument,
    database: DatabaseOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a database that holds data.")] = False,
) -> None:
    """Replace the database with the backup in FILE (stop the server first). A database that holds
    data is only replaced with --force; a restore that fails leaves it as it was."""
    with user_errors():
        url = _resolve_url(database)
        manifest = restore_database(file, url, force=force, progress=_progress)
        head = head_revision()
        then = " (latest)" if manifest.revision == head else f"; `hotline db upgrade` takes it to {head}"
        err_console.print(
            f"restored {escape(str(file))} into {escape(describe_url(url))}: {len(manifest.tables)} tables, "
            f"{manifest.rows} rows, schema {manifest.revision}{then}"
        )


def _progress(line: str) -> None:
    err_console.print(escape(line))


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
