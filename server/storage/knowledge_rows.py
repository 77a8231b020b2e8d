"""The seat's knowledge as stored rows: KB articles, catalogue entries, gazetteer places.

An import replaces one kind wholesale in a single transaction, so a file that fails half way
(a duplicate id, a constraint) leaves the previous data exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from knowledge.catalogue import CatalogueEntry
from knowledge.kb import KbArticle
from server.storage.db import session_scope
from server.storage.models import CatalogueEntryRow, GazetteerPlace, KbArticleRow, KnowledgeRevision
from server.storage.types import utc_now

KNOWLEDGE_KINDS = ("kb", "catalogue", "gazetteer")


def _bump_revision(session: Session, kind: str) -> None:
    row = session.get(KnowledgeRevision, kind) or KnowledgeRevision(kind=kind, revision=0)
    row.revision += 1
    row.updated_at = utc_now()
    session.add(row)


def replace_kb(engine: Engine, articles: Iterable[KbArticle]) -> int:
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
        session.exec(delete(KbArticleRow))
        session.add_all(rows)
        _bump_revision(session, "kb")
    return len(rows)


def replace_catalogue(engine: Engine, entries: Iterable[CatalogueEntry]) -> int:
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
        session.exec(delete(CatalogueEntryRow))
        session.add_all(rows)
        _bump_revision(session, "catalogue")
    return len(rows)


def replace_gazetteer(engine: Engine, mapping: Mapping[str, Sequence[str]]) -> tuple[int, int]:
    """Replace the gazetteer; returns (districts, streets) stored now."""
    rows: list[GazetteerPlace] = []
    for district, streets in mapping.items():
        # The district's own row keeps districts without streets, and the file's order.
        for street in (None, *streets):
            rows.append(GazetteerPlace(position=len(rows), district=district, street=street))
    with session_scope(engine) as session:
        session.exec(delete(GazetteerPlace))
        session.add_all(rows)
        _bump_revision(session, "gazetteer")
    return len(mapping), sum(len(s) for s in mapping.values())


def _kb(session: Session) -> list[KbArticle]:
    rows = session.exec(select(KbArticleRow).order_by(col(KbArticleRow.position)))
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
    rows = session.exec(select(CatalogueEntryRow).order_by(col(CatalogueEntryRow.position)))
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
    for place in session.exec(select(GazetteerPlace).order_by(col(GazetteerPlace.position))):
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


def knowledge_is_empty(engine: Engine) -> bool:
    """True when no kind of knowledge has been stored yet (a fresh database)."""
    with Session(engine) as session:
        return all(
            session.exec(select(table).limit(1)).first() is None
            for table in (KbArticleRow, CatalogueEntryRow, GazetteerPlace)
        )


def knowledge_version(engine: Engine) -> tuple[tuple[str, int], ...]:
    """Changes whenever any kind of knowledge is imported; cheap enough to ask before every call."""
    with Session(engine) as session:
        rows = session.exec(select(KnowledgeRevision).order_by(col(KnowledgeRevision.kind)))
        return tuple((r.kind, r.revision) for r in rows)
