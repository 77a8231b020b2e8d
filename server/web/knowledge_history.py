"""The knowledge's change log as pages: every change, newest first (of one kind if asked), and one
change in full: who made it, when (Beijing time), and what it changed, field by field; an import
shows its counts and everything the kind held before it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from server.storage import knowledge_log
from server.storage.db import NotFound
from server.storage.models import KnowledgeChange
from server.web.knowledge_admin import AdminPage, Missing, missing
from server.web.knowledge_kinds import ACTION_NAMES, KINDS
from server.web.pages import TEMPLATES, render

router = APIRouter()


def what_changed(change: KnowledgeChange) -> list[tuple[str, str, str]]:
    """(field's label, before, after) for each field the change set; an import's counts."""
    before = change.before if isinstance(change.before, dict) else {}
    after = change.after if isinstance(change.after, dict) else {}
    if change.action == "import":
        counts = {"articles": "条目", "topics": "事项", "districts": "区", "streets": "街道（乡镇）", "file": "文件"}
        return [(label, "", _text(after[name])) for name, label in counts.items() if after.get(name) is not None]
    labels = {**KINDS[change.kind].fields, "retired": "已停用"} if change.kind in KINDS else {}
    return [
        (labels.get(name, name), _text(before.get(name)), _text(after.get(name)))
        for name in after
        if before.get(name) != after.get(name)
    ]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "，".join(map(str, value))
    return "" if value is None else str(value)


TEMPLATES.env.globals["what_changed"] = what_changed
TEMPLATES.env.globals["ACTION_NAMES"] = ACTION_NAMES


@router.get("/admin/knowledge/history")
def history(request: Request, caller: AdminPage, kind: str = "") -> Any:
    kind = kind if kind in KINDS else ""
    changes = knowledge_log.changes(request.app.state.engine, kind or None, limit=200)
    return render(request, "knowledge_history.html", caller, kinds=KINDS, kind=kind, changes=changes)


@router.get("/admin/knowledge/history/{change_id}")
def one_change(request: Request, change_id: str, caller: AdminPage) -> Any:
    try:
        if not change_id.isdigit():
            raise NotFound(change_id)
        change = knowledge_log.get_change(request.app.state.engine, int(change_id))
    except NotFound:
        return missing(request, caller, Missing(f"没有编号为“{change_id}”的修改记录"))
    before = json.dumps(change.before, ensure_ascii=False, indent=1) if change.action == "import" else None
    return render(request, "knowledge_change.html", caller, kinds=KINDS, change=change, before_file=before)
