"""The knowledge's change log: every change to the KB, catalogue or gazetteer is written here in the
transaction that makes it, attributed, and bumps the kind's revision (which running servers watch,
server/services.py: KnowledgeCache), so a change reaches the next call without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from server.storage.db import NotFound
from server.storage.models import KnowledgeChange, KnowledgeRevision
from server.storage.types import utc_now

KNOWLEDGE_KINDS = ("kb", "catalogue", "gazetteer")
ACTIONS = ("create", "edit", "retire", "restore", "import")


@dataclass(frozen=True)
class Editor:
    """Who makes a change: a person's or a process's key (id and label), or a process without one."""

    label: str
    key_id: int | None = None


# The changes no key makes: files imported with `hotline …`, and the seed loaded into an empty database.
COMMAND_LINE = Editor("命令行")
SEED = Editor("初始数据")


def bump_revision(session: Session, kind: str) -> int:
    row = session.get(KnowledgeRevision, kind) or KnowledgeRevision(kind=kind, revision=0)
    row.revision += 1
    row.updated_at = utc_now()
    session.add(row)
    return row.revision


def log_change(
    session: Session,
    kind: str,
    action: str,
    by: Editor,
    *,
    item: str | None = None,
    before: Any = None,
    after: Any = None,
) -> KnowledgeChange:
    """Record a change in the caller's transaction, and bump the kind's revision with it."""
    change = KnowledgeChange(
        kind=kind, item=item, action=action, before=before, after=after, key_id=by.key_id, actor=by.label,
        revision=bump_revision(session, kind),
    )
    session.add(change)
    return change


def changes(engine: Engine, kind: str | None = None, limit: int = 100) -> list[KnowledgeChange]:
    """The latest changes, newest first; of one kind if given."""
    query = select(KnowledgeChange).order_by(col(KnowledgeChange.id).desc()).limit(limit)
    if kind is not None:
        query = query.where(KnowledgeChange.kind == kind)
    with Session(engine) as session:
        return list(session.exec(query))


def get_change(engine: Engine, change_id: int) -> KnowledgeChange:
    with Session(engine) as session:
        change = session.get(KnowledgeChange, change_id)
    if change is None:
        raise NotFound(f"no knowledge change {change_id}")
    return change


def item_history(
    engine: Engine, kind: str, item: str, name_of: Callable[[dict[str, Any]], str]
) -> list[KnowledgeChange]:
    """The changes of one item, newest first, under the names it had: an edit that renamed it (a
    street, say) is followed back to the changes made under its earlier name. `name_of` names an
    item from its logged state."""
    names = {item}
    found = []
    with Session(engine) as session:
        query = (
            select(KnowledgeChange)
            .where(KnowledgeChange.kind == kind, col(KnowledgeChange.item).is_not(None))
            .order_by(col(KnowledgeChange.id).desc())
        )
        for change in session.exec(query):
            if change.item not in names:
                continue
            found.append(change)
            if change.action == "edit" and isinstance(change.before, dict):
                names.add(name_of(change.before))
    return found
