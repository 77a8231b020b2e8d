"""The seat's knowledge as stored rows: KB articles, catalogue entries, gazetteer places.

An import replaces one kind wholesale in a single transaction, so a file that fails half way
(a duplicate id, a constraint) leaves the previous data exactly as it was. It replaces retired
items too; the change log keeps everything the kind held before (knowledge_log.py), and says who
imported how much. The seat, and exports, read only the items not retired (knowledge_edits.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from knowledge.catalogue import CatalogueEntry
from knowledge.kb import KbArticle
from server.storage.db import session_scope
from server.storage.knowledge_log import COMMAND_LINE, KNOWLEDGE_KINDS, Editor, log_change
from server.storage.models import CatalogueEntryRow, GazetteerPlace, KbArticleRow, KnowledgeRevision

__all__ = ["KNOWLEDGE_KINDS"]

TABLES: dict[str, type[KbArticleRow] | type[CatalogueEntryRow] | type[GazetteerPlace]] = {
    "kb": KbArticleRow, "catalogue": CatalogueEntryRow, "gazetteer": GazetteerPlace,
}


def article_json(row: KbArticleRow) -> dict[str, Any]:
    """An article as the change log keeps it: the file's fields, and whether it is retired."""
    return {"id": row.id, "title": row.title, "question": row.question, "answer": row.answer,
            "department": row.department, "tags": list(row.tags), "retired": row.retired_at is not None}


def entry_json(row: CatalogueEntryRow) -> dict[str, Any]:
    return {"topic": row.topic, "keywords": list(row.keywords), "category_hint": row.category_hint,
            "unit": row.unit, "dispatch": row.dispatch, "co_unit": row.co_unit,
            "time_limit_hours": _whole_if_integral(row.time_limit_hours), "urgent": row.urgent,
            "police": row.police, "retired": row.retired_at is not None}


def place_json(row: GazetteerPlace) -> dict[str, Any]:
    return {"district": row.district, "street": row.street, "retired": row.retired_at is not None}


_AS_JSON = {"kb": article_json, "catalogue": entry_json, "gazetteer": place_json}


def _replace(session: Session, kind: str, rows: Sequence[Any], by: Editor, after: dict[str, Any]) -> None:
    """Swap all rows of `kind` for `rows`, logging what was there before as one import."""
    table = TABLES[kind]
    before = [_AS_JSON[kind](row) for row in session.exec(select(table).order_by(col(table.position)))]
    session.exec(delete(table))
    session.add_all(rows)
    log_change(session, kind, "import", by, before=before, after=after)


def replace_kb(
    engine: Engine, articles: Iterable[KbArticle], by: Editor = COMMAND_LINE, source: str | None = None
) -> int:
    """Replace all KB articles; returns how many are stored now."""
    rows = [
        KbArticleRow(
            id=a.id,
            position=i,
            title=a.title,
            question=a.question,
            answer=a.answer,
            department=a.department,
            tags=list(a.tags),
        )
        for i, a in enumerate(articles)
    ]
    with session_scope(engine) as session:
        _replace(session, "kb", rows, by, {"articles": len(rows), "file": source})
    return len(rows)


def replace_catalogue(
    engine: Engine, entries: Iterable[CatalogueEntry], by: Editor = COMMAND_LINE, source: str | None = None
) -> int:
    """Replace the whole responsibility catalogue; returns how many topics are stored now."""
    rows = [
        CatalogueEntryRow(
            position=i,
            topic=e.topic,
            keywords=list(e.keywords),
            category_hint=e.category_hint,
            unit=e.unit,
            dispatch=e.dispatch,
            co_unit=e.co_unit,
            time_limit_hours=e.time_limit_hours,
            urgent=e.urgent,
            police=e.police,
        )
        for i, e in enumerate(entries)
    ]
    with session_scope(engine) as session:
        _replace(session, "catalogue", rows, by, {"topics": len(rows), "file": source})
    return len(rows)


def replace_gazetteer(
    engine: Engine, mapping: Mapping[str, Sequence[str]], by: Editor = COMMAND_LINE, source: str | None = None
) -> tuple[int, int]:
    """Replace the gazetteer; returns (districts, streets) stored now."""
    rows: list[GazetteerPlace] = []
    for district, streets in mapping.items():
        # The district's own row keeps districts without streets, and the file's order.
        for street in (None, *streets):
            rows.append(GazetteerPlace(position=len(rows), district=district, street=street))
    counts = len(mapping), sum(len(s) for s in mapping.values())
    with session_scope(engine) as session:
        _replace(session, "gazetteer", rows, by, {"districts": counts[0], "streets": counts[1], "file": source})
    return counts


def _kb(session: Session) -> list[KbArticle]:
    rows = session.exec(
        select(KbArticleRow).where(col(KbArticleRow.retired_at).is_(None)).order_by(col(KbArticleRow.position))
    )
    return [
        KbArticle(
            id=r.id,
            title=r.title,
            question=r.question,
            answer=r.answer,
            department=r.department,
            tags=list(r.tags),
        )
        for r in rows
    ]


def _whole_if_integral(hours: float) -> int | float:
    """24.0 comes back as 24, so an export writes what the admin wrote."""
    return int(hours) if float(hours).is_integer() else hours


def _catalogue(session: Session) -> list[CatalogueEntry]:
    rows = session.exec(
        select(CatalogueEntryRow)
        .where(col(CatalogueEntryRow.retired_at).is_(None))
        .order_by(col(CatalogueEntryRow.position))
    )
    return [
        CatalogueEntry(
            topic=r.topic,
            keywords=list(r.keywords),
            category_hint=r.category_hint,
            unit=r.unit,
            dispatch=r.dispatch,
            co_unit=r.co_unit,
            time_limit_hours=_whole_if_integral(r.time_limit_hours),
            urgent=r.urgent,
            police=r.police,
        )
        for r in rows
    ]


def catalogue_entry(session: Session, topic: str | None) -> CatalogueEntryRow | None:
    """The catalogue's entry for `topic`, in the caller's transaction (None: no such topic)."""
    if not topic:
        return None
    return session.exec(select(CatalogueEntryRow).where(CatalogueEntryRow.topic == topic)).first()


def _gazetteer(session: Session) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    live = select(GazetteerPlace).where(col(GazetteerPlace.retired_at).is_(None))
    for place in session.exec(live.order_by(col(GazetteerPlace.position))):
        streets = mapping.setdefault(place.district, [])
        if place.street is not None:
            streets.append(place.street)
    return mapping


def load_kb(engine: Engine) -> list[KbArticle]:
    with Session(engine) as session:
        return _kb(session)


def load_catalogue(engine: Engine) -> list[CatalogueEntry]:
    with Session(engine) as session:
        return _catalogue(session)


def load_gazetteer(engine: Engine) -> dict[str, list[str]]:
    """{district: [streets…]} in the imported order; a district with no streets maps to []."""
    with Session(engine) as session:
        return _gazetteer(session)


def load_knowledge(engine: Engine) -> tuple[list[KbArticle], list[CatalogueEntry], dict[str, list[str]]]:
    """(KB articles, catalogue entries, gazetteer mapping), read in one session."""
    with Session(engine) as session:
        return _kb(session), _catalogue(session), _gazetteer(session)


def stored_kinds(engine: Engine) -> set[str]:
    """The kinds of knowledge that hold any rows, retired ones too."""
    with Session(engine) as session:
        return {kind for kind, table in TABLES.items() if session.exec(select(table).limit(1)).first() is not None}


def knowledge_is_empty(engine: Engine) -> bool:
    """True when no kind of knowledge has been stored yet (a fresh database)."""
    return not stored_kinds(engine)


def knowledge_version(engine: Engine) -> tuple[tuple[str, int], ...]:
    """Changes whenever any kind of knowledge is imported or edited; cheap enough to ask before every call."""
    with Session(engine) as session:
        rows = session.exec(select(KnowledgeRevision).order_by(col(KnowledgeRevision.kind)))
        return tuple((r.kind, r.revision) for r in rows)
