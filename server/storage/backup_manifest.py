"""What a backup file holds (backup.py): its manifest, and the refusals every kind of database shares."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.storage.db import describe_url

FORMAT = "hotline-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KINDS = ("sqlite", "postgresql")
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be taken or restored; the message says why, in one line."""


@dataclass
class Manifest:
    """What a backup holds."""

    database: str  # "sqlite" or "postgresql"
    revision: str  # the alembic revision of the schema
    created_at: str  # ISO 8601, UTC
    tables: dict[str, int]  # rows per table, in the order they are loaded (alembic_version aside)
    columns: dict[str, list[str]] = field(default_factory=dict)  # PostgreSQL: each table's COPY columns
    sequences: dict[str, list[Any]] = field(default_factory=dict)  # PostgreSQL: "table.column": [last_value, is_called]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(self)},
                          ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes, path: Path) -> Manifest:
        try:
            raw = json.loads(data)
        except ValueError:
            raise BackupError(f"{path} is not a Hotline backup (its manifest is not JSON)") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError(f"{path} is not a Hotline backup")
        if raw.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"{path} is a backup in format {raw.get('format_version')!r}, which this version of "
                              f"Hotline does not read (it reads {FORMAT_VERSION})")
        try:
            manifest = cls(**{key: value for key, value in raw.items() if key not in ("format", "format_version")})
        except TypeError as exc:
            raise BackupError(f"{path} has a manifest this version of Hotline does not read ({exc})") from None
        tables_ok = isinstance(manifest.tables, dict) and all(isinstance(n, int) for n in manifest.tables.values())
        if manifest.database not in KINDS or not isinstance(manifest.revision, str) or not tables_ok:
            raise BackupError(f"{path} has a manifest this version of Hotline does not read")
        return manifest


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def holds_data(url: str, counts: dict[str, int]) -> BackupError:
    """The refusal to replace a database that holds rows."""
    filled = ", ".join(f"{name} {rows}" for name, rows in counts.items() if rows)
    return BackupError(f"{describe_url(url)} holds data ({filled}): restore with --force to replace it with the backup")


def not_as_described(what: str) -> BackupError:
    """The refusal of a backup whose data is not what its manifest says (a damaged or doctored file)."""
    return BackupError(f"the backup is damaged: {what}, not what its manifest says; the database was left as it was")

