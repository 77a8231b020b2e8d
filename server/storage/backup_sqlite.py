"""SQLite's side of backups (backup.py): the file copied through SQLite's online backup API, and
restored as a fresh file that replaces the target only once it checks out.

Plain sqlite3 rather than an engine: the backup API is sqlite3's, and a restore must look at files
(the target, the fresh copy) without the engine's pragmas writing to them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from zipfile import ZipFile

from sqlalchemy.engine import make_url

from server.storage.backup_manifest import BackupError, Manifest, Progress, holds_data, not_as_described, now_iso
from server.storage.db import describe_url

DATA = "database.sqlite3"
_VERSION_TABLE = "alembic_version"


def database_file(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:":
        raise BackupError(f"{describe_url(url)} is not a database file: only a file can be backed up or restored")
    return Path(name)


def copy_out(url: str, archive: ZipFile, progress: Progress) -> Manifest:
    """Copy the database into `archive` and describe it. The server may be writing meanwhile: the copy
    is taken in one step, under one read lock, so it is one committed state of the file."""
    source = database_file(url)
    if not source.is_file():
        raise BackupError(f"no database at {describe_url(url)}")
    progress(f"copying {describe_url(url)}")
    # The copy is as big as the database: beside the backup being written, not in a small /tmp.
    with tempfile.TemporaryDirectory(dir=Path(str(archive.filename)).parent, prefix=".hotline-backup-") as work:
        copy = Path(work) / DATA
        try:
            with closing(sqlite3.connect(source, timeout=30)) as db, closing(sqlite3.connect(copy)) as out:
                db.backup(out)
            revision, counts = describe(copy)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot copy {describe_url(url)}: {exc}") from exc
        if revision is None:
            raise BackupError(f"{describe_url(url)} has no Hotline schema: there is nothing to back up")
        for name, rows in counts.items():
            progress(f"  {name}: {rows} rows")
        archive.write(copy, DATA)
    return Manifest(database="sqlite", revision=revision, created_at=now_iso(), tables=counts)


def describe(path: Path) -> tuple[str | None, dict[str, int]]:
    """The schema revision of the database file at `path` (None: no Hotline schema), and the rows of
    each of its tables but alembic's."""
    with closing(sqlite3.connect(path)) as db:
        names = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )]
        revision = None
        if _VERSION_TABLE in names:
            row = db.execute(f"SELECT version_num FROM {_VERSION_TABLE}").fetchone()
            revision = row[0] if row else None
        counts = {name: db.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                  for name in names if name != _VERSION_TABLE}
    return revision, counts


def copy_in(archive: ZipFile, manifest: Manifest, url: str, *, force: bool, progress: Progress) -> None:
    """Replace the database file at `url` with the backup's copy."""
    target = database_file(url)
    if target.exists() and not force:
        try:
            counts = describe(target)[1]
        except sqlite3.DatabaseError as exc:
            if not _not_a_database(exc):
                raise BackupError(f"cannot read {describe_url(url)}: {exc}") from exc
            raise BackupError(f"{target} is not a SQLite database: restore with --force to replace it") from None
        if any(counts.values()):
            raise holds_data(url, counts)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, so that moving it into place is one rename on one file system.
    fresh = target.with_name(f".{target.name}.restoring")
    try:
        with archive.open(DATA) as packed, fresh.open("wb") as out:
            shutil.copyfileobj(packed, out, 1 << 20)
        _check(fresh, manifest)
        for name, rows in manifest.tables.items():
            progress(f"  {name}: {rows} rows")
        if target.exists():
            _refuse_if_in_use(target, url)
        os.replace(fresh, target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore into {describe_url(url)}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"cannot restore into {describe_url(url)}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (fresh, fresh.with_name(fresh.name + "-wal"), fresh.with_name(fresh.name + "-shm")):
            leftover.unlink(missing_ok=True)


def _check(fresh: Path, manifest: Manifest) -> None:
    try:
        with closing(sqlite3.connect(fresh)) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        revision, counts = describe(fresh)
    except sqlite3.DatabaseError as exc:
        raise not_as_described(f"its database cannot be read ({exc})") from None
    if verdict != "ok":
        raise not_as_described(f"its database fails SQLite's integrity check ({verdict})")
    if revision != manifest.revision:
        raise not_as_described(f"its database is at schema {revision}")
    if counts != manifest.tables:
        differ = ", ".join(name for name in sorted({*counts, *manifest.tables})
                           if counts.get(name) != manifest.tables.get(name))
        raise not_as_described(f"its database holds other rows in {differ}")


def _refuse_if_in_use(target: Path, url: str) -> None:
    """A server with the file open would go on writing to the replaced file and lose it all. The last
    connection to close a WAL database folds its log back in and deletes it: if the log outlives ours,
    someone else has the file open."""
    try:
        with closing(sqlite3.connect(target, timeout=5)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as exc:
        if _not_a_database(exc):
            return  # then nobody has it open as one
        raise
    if target.with_name(target.name + "-wal").exists():
        raise BackupError(f"{describe_url(url)} is in use (is a server running on it?): stop it, then restore")


def _not_a_database(exc: sqlite3.DatabaseError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
