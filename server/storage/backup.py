"""A whole database in one file, and back: `hotline db backup FILE` and `hotline db restore FILE`.

A backup is a zip file. `manifest.json` says what it is: the format, the kind of database, its schema
revision, when it was taken, every table's row count (and on PostgreSQL the columns and id sequences
the rows need). The data beside it:
- SQLite: `database.sqlite3`, a copy made with SQLite's online backup API, which reads one consistent
  state of the file while the server goes on writing (backup_sqlite.py);
- PostgreSQL: `tables/<table>.copy`, each table's rows in PostgreSQL's own COPY text format, all read
  in one REPEATABLE READ snapshot, so the tables agree with each other (backup_postgres.py).
Every zip member carries a CRC-32, so a damaged file is found before anything is restored; a truncated
one has lost the zip's directory at its end and does not open.

Values travel exactly as stored, never decoded into Python and encoded again: SQLite's pages are copied
as they are, and COPY writes each value as PostgreSQL's text form of what is stored (text as it is,
bytea in hex, times in UTC with every microsecond, floats with every digit), which COPY FROM reads back
to the same value. The columns sealed at rest (server/storage/sealing.py) therefore come back as the
same ciphertext, which opens with the same data keys: a backup holds no caller's data in clear, and is
no use without the keys, which it does not carry (keep them apart, as the key file's warning says).

Why not pg_dump: its archives name the schema in every statement (`COPY "test_x".calls …`), so
pg_restore can only put a backup back into the schema it came from, not into the one the target URL
uses; and it runs in a session of its own, so clearing the target, creating the schema at the backup's
revision and loading the rows could not be one transaction that a failure undoes. Its data section is
this same COPY text: written from the connection we already have, it needs no client binaries whose
major version must match the server's.

A backup restores into the kind of database it was taken from: SQLite and PostgreSQL store times,
booleans and JSON differently, and converting values is what a backup must not do.

Restoring refuses a target that holds rows unless forced, and leaves it as it was when anything fails:
SQLite is restored into a fresh file that replaces the target only once it checks out, PostgreSQL in
one transaction. Stop the servers first: a restore replaces the database under them. Afterwards the
database is at the backup's schema revision; `hotline db upgrade` takes it to the latest.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zipfile import ZIP_DEFLATED, BadZipFile, ZipFile

from sqlalchemy.engine import make_url

from server.storage import backup_postgres, backup_sqlite
from server.storage.backup_manifest import KIND_NAMES, KINDS, MANIFEST, BackupError, Manifest, Progress
from server.storage.db import DatabaseError, describe_url, is_known_revision, normalise_url

_ZIP_MAGIC = b"PK\x03\x04"


def database_kind(url: str) -> str:
    """"sqlite" or "postgresql", or BackupError for a database backups are not made for."""
    try:
        kind = make_url(normalise_url(url)).get_backend_name()
    except Exception as exc:
        raise DatabaseError(f"not a database URL: {url!r} ({exc})") from exc
    if kind not in KINDS:
        raise BackupError(f"cannot back up or restore {describe_url(url)}: only SQLite and PostgreSQL")
    return kind


# ---------------------------------------------------------------- taking a backup

def backup_database(url: str, path: Path, progress: Progress = lambda _line: None) -> Manifest:
    """Write a backup of the database at `url` to `path`, which must not exist yet."""
    url = normalise_url(url)
    kind = database_kind(url)
    if path.exists():
        raise BackupError(f"{path} already exists: remove it or choose another name")
    if not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with ZipFile(partial, "w", ZIP_DEFLATED) as archive:
            if kind == "sqlite":
                manifest = backup_sqlite.copy_out(url, archive, progress)
            else:
                manifest = backup_postgres.copy_out(url, archive, progress)
            # Last: a manifest is only there when everything it describes is.
            archive.writestr(MANIFEST, manifest.to_json())
        # Under its name only once complete: an interrupted backup never looks like a good one.
        os.replace(partial, path)
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return manifest


# ---------------------------------------------------------------- reading and restoring one

@contextmanager
def open_backup(path: Path) -> Iterator[tuple[ZipFile, Manifest]]:
    """The backup at `path` and its manifest, every member checked against its CRC first."""
    try:
        with path.open("rb") as file:
            start = file.read(4)
        archive = ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"no backup file at {path}") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file") from None
    except BadZipFile:
        if start == _ZIP_MAGIC:
            raise BackupError(f"{path} is truncated or damaged: it is not a whole backup") from None
        raise BackupError(f"{path} is not a Hotline backup") from None
    with archive:
        if MANIFEST not in archive.namelist():
            raise BackupError(f"{path} is not a Hotline backup (it has no {MANIFEST})")
        try:
            damaged = archive.testzip()
        except (BadZipFile, zlib.error, EOFError) as exc:
            raise BackupError(f"{path} is damaged: {exc}") from None
        if damaged is not None:
            raise BackupError(f"{path} is damaged: {damaged} does not match its checksum")
        yield archive, Manifest.from_json(archive.read(MANIFEST), path)


def restore_database(path: Path, url: str, *, force: bool = False,
                     progress: Progress = lambda _line: None) -> Manifest:
    """Replace the database at `url` with the backup at `path`. A target that holds rows is only
    replaced with `force`; whatever fails, the target is left as it was."""
    url = normalise_url(url)
    kind = database_kind(url)
    with open_backup(path) as (archive, manifest):
        if manifest.database != kind:
            raise BackupError(f"{path} is a backup of a {KIND_NAMES[manifest.database]} database and "
                              f"{describe_url(url)} is {KIND_NAMES[kind]}: a backup restores into its own kind")
        if not is_known_revision(manifest.revision):
            raise BackupError(f"{path} was taken at schema {manifest.revision}, which this version of Hotline "
                              "does not know: restore it with the (newer) version that made it")
        progress(f"restoring {path}: {KIND_NAMES[kind]} backup of {manifest.created_at}, schema {manifest.revision}, "
                 f"{len(manifest.tables)} tables, {manifest.rows} rows")
        try:
            if kind == "sqlite":
                backup_sqlite.copy_in(archive, manifest, url, force=force, progress=progress)
            else:
                backup_postgres.copy_in(archive, manifest, url, force=force, progress=progress)
        except (BadZipFile, zlib.error, EOFError) as exc:
            raise BackupError(f"{path} is damaged: {exc}") from None
    return manifest
