"""Knowledge files ↔ database: the import/export behind `hotline kb|catalogue|gazetteer` and the
seeding of a fresh database.

A file is read and validated completely before the database is touched, and stored in one
transaction, so a bad file (KnowledgeFormatError) or a failing write loses nothing. Every import
is one entry of the change log, with what the kind held before. An export writes the items the seat
reads: retired ones are left out (the formats have no place for them), so exporting and importing
back retires nothing anew but drops the retired items (the log still holds them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from knowledge.formats import (
    read_catalogue,
    read_gazetteer,
    read_kb,
    write_catalogue,
    write_gazetteer,
    write_kb,
)
from server.storage import knowledge_rows
from server.storage.knowledge_log import COMMAND_LINE, SEED, Editor


@dataclass
class SeedReport:
    """What a seed stored; None for a kind that was left as it was."""

    articles: int | None = None
    topics: int | None = None
    districts: int | None = None
    streets: int | None = None


def import_kb(engine: Engine, path: Path, by: Editor = COMMAND_LINE) -> int:
    return knowledge_rows.replace_kb(engine, read_kb(path), by, source=Path(path).name)


def export_kb(engine: Engine, path: Path) -> int:
    articles = knowledge_rows.load_kb(engine)
    write_kb(path, articles)
    return len(articles)


def import_catalogue(engine: Engine, path: Path, by: Editor = COMMAND_LINE) -> int:
    return knowledge_rows.replace_catalogue(engine, read_catalogue(path), by, source=Path(path).name)


def export_catalogue(engine: Engine, path: Path) -> int:
    entries = knowledge_rows.load_catalogue(engine)
    write_catalogue(path, entries)
    return len(entries)


def import_gazetteer(engine: Engine, path: Path, by: Editor = COMMAND_LINE) -> tuple[int, int]:
    """Returns (districts, streets)."""
    return knowledge_rows.replace_gazetteer(engine, read_gazetteer(path), by, source=Path(path).name)


def export_gazetteer(engine: Engine, path: Path) -> tuple[int, int]:
    mapping = knowledge_rows.load_gazetteer(engine)
    write_gazetteer(path, mapping)
    return len(mapping), sum(len(s) for s in mapping.values())


def seed(
    engine: Engine,
    *,
    kb: Path | None = None,
    catalogue: Path | None = None,
    gazetteer: Path | None = None,
    only_if_empty: bool = False,
    by: Editor = SEED,
) -> SeedReport:
    """Import each given file. With only_if_empty, a kind that already has data (retired items
    count) is left alone, so re-running `make run` does not undo an admin's imports or edits.

    All files are read and validated before anything is stored.
    """
    articles = read_kb(kb) if kb else None
    entries = read_catalogue(catalogue) if catalogue else None
    places = read_gazetteer(gazetteer) if gazetteer else None
    if only_if_empty:
        stored = knowledge_rows.stored_kinds(engine)
        articles = None if "kb" in stored else articles
        entries = None if "catalogue" in stored else entries
        places = None if "gazetteer" in stored else places
    report = SeedReport()
    if articles is not None and kb is not None:
        report.articles = knowledge_rows.replace_kb(engine, articles, by, source=kb.name)
    if entries is not None and catalogue is not None:
        report.topics = knowledge_rows.replace_catalogue(engine, entries, by, source=catalogue.name)
    if places is not None and gazetteer is not None:
        report.districts, report.streets = knowledge_rows.replace_gazetteer(engine, places, by, source=gazetteer.name)
    return report
