"""Knowledge files ↔ database: the import/export behind `hotline kb|catalogue|gazetteer` and the
seeding of a fresh database.

A file is read and validated completely before the database is touched, and stored in one
transaction, so a bad file (KnowledgeFormatError) or a failing write loses nothing.
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


@dataclass
class SeedReport:
    """What a seed stored; None for a kind that was left as it was."""

    articles: int | None = None
    topics: int | None = None
    districts: int | None = None
    streets: int | None = None


def import_kb(engine: Engine, path: Path) -> int:
    return knowledge_rows.replace_kb(engine, read_kb(path))


def export_kb(engine: Engine, path: Path) -> int:
    articles = knowledge_rows.load_kb(engine)
    write_kb(path, articles)
    return len(articles)


def import_catalogue(engine: Engine, path: Path) -> int:
    return knowledge_rows.replace_catalogue(engine, read_catalogue(path))


def export_catalogue(engine: Engine, path: Path) -> int:
    entries = knowledge_rows.load_catalogue(engine)
    write_catalogue(path, entries)
    return len(entries)


def import_gazetteer(engine: Engine, path: Path) -> tuple[int, int]:
    """Returns (districts, streets)."""
    return knowledge_rows.replace_gazetteer(engine, read_gazetteer(path))


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
) -> SeedReport:
    """Import each given file. With only_if_empty, a kind that already has data is left alone,
    so re-running `make run` does not undo an admin's imports.

    All files are read and validated before anything is stored.
    """
    articles = read_kb(kb) if kb else None
    entries = read_catalogue(catalogue) if catalogue else None
    places = read_gazetteer(gazetteer) if gazetteer else None
    if only_if_empty:
        stored_kb, stored_catalogue, stored_gazetteer = knowledge_rows.load_knowledge(engine)
        articles = None if stored_kb else articles
        entries = None if stored_catalogue else entries
        places = None if stored_gazetteer else places
    report = SeedReport()
    if articles is not None:
        report.articles = knowledge_rows.replace_kb(engine, articles)
    if entries is not None:
        report.topics = knowledge_rows.replace_catalogue(engine, entries)
    if places is not None:
        report.districts, report.streets = knowledge_rows.replace_gazetteer(engine, places)
    return report
