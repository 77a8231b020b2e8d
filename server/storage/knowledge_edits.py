"""Editing the seat's knowledge one item at a time: create, edit, retire and restore a KB article,
a catalogue entry or a gazetteer street, each written with its change-log entry (knowledge_log.py)
in one transaction, which also tells running servers to reload.

An item is checked by the import formats' own rules (knowledge.formats) and against what is stored
(a taken id, a column's size) before anything is written: a problem raises InvalidKnowledge naming
every field at fault, and changes nothing. An article's id and an entry's topic are what calls and
orders refer to, so an edit keeps them; a street may be renamed or moved to another district.
A retired item stays, and can be restored, but the seat no longer reads it.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from knowledge.catalogue import CatalogueEntry
from knowledge.formats import FieldProblem, catalogue_entry_problems, kb_article_problems, place_problems
from knowledge.kb import KbArticle, normalise
from server.storage.db import NotFound, session_scope
from server.storage.knowledge_log import Editor, item_history, log_change
from server.storage.knowledge_rows import TABLES, article_json, entry_json, place_json
from server.storage.models import CatalogueEntryRow, GazetteerPlace, KbArticleRow, KnowledgeChange
from server.storage.types import utc_now

Row = KbArticleRow | CatalogueEntryRow | GazetteerPlace
STATES = ("all", "live", "retired")
# Column sizes the formats do not know (PostgreSQL refuses a longer value).
MAX_LENGTHS = {"id": 64, "topic": 128, "unit": 128, "co_unit": 128, "district": 64, "street": 64}


class InvalidKnowledge(ValueError):
    """An item that cannot be stored as it is; `problems` says which fields and why."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


# ---------------------------------------------------------------- reading

def name_of(kind: str, item: dict[str, Any]) -> str:
    """What an item is called in the change log, from its logged state."""
    if kind == "kb":
        return item["id"]
    if kind == "catalogue":
        return item["topic"]
    return f"{item['district']}/{item['street']}"


def as_json(kind: str, row: Row) -> dict[str, Any]:
    return {"kb": article_json, "catalogue": entry_json, "gazetteer": place_json}[kind](row)  # type: ignore[operator]


def _matches(query: str, *texts: str | None) -> bool:
    """Every word of `query` is found in one of `texts` (full-width and case folded)."""
    haystack = normalise("\n".join(text for text in texts if text))
    return all(word in haystack for word in normalise(query).split())


def _in_state(row: Row, state: str) -> bool:
    return state == "all" or (row.retired_at is None) == (state == "live")


def _all(engine: Engine, table: type[Row]) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(table).order_by(col(table.position))))


def list_articles(engine: Engine, query: str = "", state: str = "all") -> list[KbArticleRow]:
    """Articles in the file's order whose id, title, question or tags hold every word of `query`."""
    return [r for r in _all(engine, KbArticleRow)
            if _in_state(r, state) and _matches(query, r.id, r.title, r.question, *r.tags)]


def list_entries(engine: Engine, query: str = "", state: str = "all") -> list[CatalogueEntryRow]:
    """Catalogue entries whose topic, keywords or units hold every word of `query`."""
    return [r for r in _all(engine, CatalogueEntryRow)
            if _in_state(r, state) and _matches(query, r.topic, r.unit, r.co_unit, *r.keywords)]


def list_streets(engine: Engine, query: str = "", state: str = "all") -> list[GazetteerPlace]:
    """Streets (not the districts' own rows) whose district or name holds every word of `query`."""
    return [r for r in _all(engine, GazetteerPlace)
            if r.street is not None and _in_state(r, state) and _matches(query, r.district, r.street)]


def counts(engine: Engine) -> dict[str, tuple[int, int]]:
    """(in use, retired) items of each kind; the gazetteer's are its streets."""
    found = {}
    with Session(engine) as session:
        for kind, table in TABLES.items():
            query = select(col(table.retired_at).is_(None), func.count()).group_by(col(table.retired_at).is_(None))
            if kind == "gazetteer":
                query = query.where(col(GazetteerPlace.street).is_not(None))
            by_state = {bool(live): n for live, n in session.exec(query)}
            found[kind] = (by_state.get(True, 0), by_state.get(False, 0))
    return found


def _find(session: Session, kind: str, key: str) -> Any:
    """The item of `kind` called `key` (an article's id; an entry's or a street's row id)."""
    if kind == "kb":
        row = session.get(KbArticleRow, key)
    elif kind in ("catalogue", "gazetteer") and key.isdigit():
        row = session.get(TABLES[kind], int(key))
        if kind == "gazetteer" and row is not None and row.street is None:
            row = None  # a district's own row is not an item
    else:
        row = None
    if row is None:
        what = {"kb": "KB article", "catalogue": "catalogue entry", "gazetteer": "gazetteer street"}.get(kind, kind)
        raise NotFound(f"no {what} {key!r}")
    return row


def get_item(engine: Engine, kind: str, key: str) -> Any:
    with Session(engine) as session:
        return _find(session, kind, key)


def history_of(engine: Engine, kind: str, key: str) -> list[KnowledgeChange]:
    """The item's changes, newest first, under every name it has had."""
    name = name_of(kind, as_json(kind, get_item(engine, kind, key)))
    return item_history(engine, kind, name, lambda item: name_of(kind, item))


# ---------------------------------------------------------------- checks

def _refuse(problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidKnowledge(problems)


def _size_problems(values: dict[str, Any], problems: list[FieldProblem]) -> list[FieldProblem]:
    """Values longer than their column, for the fields that have no other problem."""
    faulty = {problem.field for problem in problems}
    return [
        FieldProblem(name, "too_long", f"field {name} must be at most {limit} characters, got {len(values[name])}")
        for name, limit in MAX_LENGTHS.items()
        if name in values and name not in faulty and isinstance(values[name], str) and len(values[name]) > limit
    ]


def _next_position(session: Session, table: type[Row]) -> int:
    last = session.exec(select(func.max(table.position))).one()
    return 0 if last is None else last + 1


# ---------------------------------------------------------------- KB articles

def _article_problems(article: KbArticle) -> list[FieldProblem]:
    problems = kb_article_problems(asdict(article))
    return problems + _size_problems(asdict(article), problems)


def create_article(engine: Engine, article: KbArticle, by: Editor) -> KbArticleRow:
    problems = _article_problems(article)
    with session_scope(engine) as session:
        if isinstance(article.id, str) and session.get(KbArticleRow, article.id) is not None:
            problems.append(FieldProblem("id", "duplicate", f"article {article.id!r} exists already"))
        _refuse(problems)
        row = KbArticleRow(
            id=article.id, position=_next_position(session, KbArticleRow), title=article.title,
            question=article.question, answer=article.answer, department=article.department, tags=list(article.tags),
        )
        session.add(row)
        log_change(session, "kb", "create", by, item=row.id, after=article_json(row))
    return row


def edit_article(engine: Engine, article_id: str, article: KbArticle, by: Editor) -> KbArticleRow:
    """Store the article's new text; its id stays `article_id`. Nothing is logged if nothing changed."""
    with session_scope(engine) as session:
        row = _find(session, "kb", article_id)
        article = replace(article, id=article_id)
        _refuse(_article_problems(article))
        before = article_json(row)
        row.title, row.question, row.answer = article.title, article.question, article.answer
        row.department, row.tags = article.department, list(article.tags)
        _log_edit(session, "kb", row, before, by)
    return row


def _log_edit(session: Session, kind: str, row: Row, before: dict[str, Any], by: Editor) -> None:
    after = as_json(kind, row)
    if after != before:
        session.add(row)
        log_change(session, kind, "edit", by, item=name_of(kind, after), before=before, after=after)


# ---------------------------------------------------------------- catalogue entries

def _entry_problems(entry: CatalogueEntry) -> list[FieldProblem]:
    problems = catalogue_entry_problems(asdict(entry))
    return problems + _size_problems(asdict(entry), problems)


def create_entry(engine: Engine, entry: CatalogueEntry, by: Editor) -> CatalogueEntryRow:
    problems = _entry_problems(entry)
    with session_scope(engine) as session:
        taken = session.exec(select(CatalogueEntryRow).where(CatalogueEntryRow.topic == entry.topic)).first()
        if taken is not None:
            problems.append(FieldProblem("topic", "duplicate", f"topic {entry.topic!r} exists already"))
        _refuse(problems)
        row = CatalogueEntryRow(position=_next_position(session, CatalogueEntryRow), **asdict(entry))
        session.add(row)
        session.flush()  # the row's id, which pages link to
        log_change(session, "catalogue", "create", by, item=row.topic, after=entry_json(row))
    return row


def edit_entry(engine: Engine, entry_id: str, entry: CatalogueEntry, by: Editor) -> CatalogueEntryRow:
    """Store the entry's new rules; its topic stays. Nothing is logged if nothing changed."""
    with session_scope(engine) as session:
        row = _find(session, "catalogue", entry_id)
        entry = replace(entry, topic=row.topic)
        _refuse(_entry_problems(entry))
        before = entry_json(row)
        for name, value in asdict(entry).items():
            setattr(row, name, value)
        _log_edit(session, "catalogue", row, before, by)
    return row


# ---------------------------------------------------------------- gazetteer streets

def _street_problems(session: Session, district: str, street: str, moving: int | None = None) -> list[FieldProblem]:
    values = {"district": district, "street": street}
    problems = place_problems(district, street)
    problems += _size_problems(values, problems)
    if not problems:
        taken = session.exec(
            select(GazetteerPlace).where(GazetteerPlace.district == district, GazetteerPlace.street == street)
        ).first()
        if taken is not None and taken.id != moving:
            problems.append(FieldProblem("street", "duplicate", f"{district} has {street} already"))
    return problems


def _ensure_district(session: Session, district: str) -> None:
    """The district's own row, which keeps it (and its order) in the gazetteer."""
    own = select(GazetteerPlace).where(GazetteerPlace.district == district, col(GazetteerPlace.street).is_(None))
    if session.exec(own).first() is None:
        session.add(GazetteerPlace(position=_next_position(session, GazetteerPlace), district=district, street=None))
        session.flush()


def create_street(engine: Engine, district: str, street: str, by: Editor) -> GazetteerPlace:
    """A street of `district`; a district not yet in the gazetteer is added with it."""
    with session_scope(engine) as session:
        _refuse(_street_problems(session, district, street))
        _ensure_district(session, district)
        row = GazetteerPlace(position=_next_position(session, GazetteerPlace), district=district, street=street)
        session.add(row)
        session.flush()
        log_change(session, "gazetteer", "create", by, item=name_of("gazetteer", place_json(row)),
                   after=place_json(row))
    return row


def edit_street(engine: Engine, place_id: str, district: str, street: str, by: Editor) -> GazetteerPlace:
    """Rename a street, or move it to another district. Nothing is logged if nothing changed."""
    with session_scope(engine) as session:
        row = _find(session, "gazetteer", place_id)
        _refuse(_street_problems(session, district, street, moving=row.id))
        _ensure_district(session, district)
        before = place_json(row)
        row.district, row.street = district, street
        _log_edit(session, "gazetteer", row, before, by)
    return row


# ---------------------------------------------------------------- retiring

def retire(engine: Engine, kind: str, key: str, by: Editor) -> Any:
    """Take an item out of the seat's knowledge, keeping it; retiring a retired item changes nothing."""
    return _set_retired(engine, kind, key, by, retired=True)


def restore(engine: Engine, kind: str, key: str, by: Editor) -> Any:
    """Put a retired item back into the seat's knowledge."""
    return _set_retired(engine, kind, key, by, retired=False)


def _set_retired(engine: Engine, kind: str, key: str, by: Editor, retired: bool) -> Any:
    with session_scope(engine) as session:
        row = _find(session, kind, key)
        if (row.retired_at is not None) == retired:
            return row
        before = as_json(kind, row)
        row.retired_at = utc_now() if retired else None
        session.add(row)
        after = as_json(kind, row)
        log_change(session, kind, "retire" if retired else "restore", by, item=name_of(kind, after),
                   before=before, after=after)
    return row
