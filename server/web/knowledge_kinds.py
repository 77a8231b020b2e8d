"""The three kinds of knowledge as the admin pages show them: their Chinese names and fields, how a
form becomes an item for server/storage/knowledge_edits.py, and the storage's problems worded in
Chinese beside the fields they concern. The rules themselves are the import formats'
(knowledge.formats), applied by the storage; nothing here checks an item."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from knowledge.catalogue import CatalogueEntry
from knowledge.formats import CATEGORIES, FieldProblem
from knowledge.kb import KbArticle
from server.access import Caller
from server.storage import knowledge_edits as edits
from server.storage.knowledge_log import Editor

# How people separate tags and keywords when they type them.
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
DISPATCH_NAMES = {"direct": "直派", "dual": "双派（主办＋属地协办）"}
ACTION_NAMES = {"create": "新建", "edit": "修改", "retire": "停用", "restore": "恢复", "import": "导入文件"}


@dataclass(frozen=True)
class Kind:
    name: str  # "kb", "catalogue", "gazetteer": the kind in URLs and the change log
    title: str
    item_title: str  # what one item is called
    search_hint: str
    fields: dict[str, str]  # form field → its label, in the form's order
    fixed: str  # the field an edit keeps (the item's name for calls and orders); "" when none
    export_name: str
    export_type: str
    lister: Callable[..., list[Any]]

    def values_of(self, row: Any) -> dict[str, str]:
        """A stored item as its form shows it."""
        return {name: _shown(getattr(row, name)) for name in self.fields}

    def key_of(self, row: Any) -> str:
        """The item's key in its page's URL: the article's id, the row's id for the others."""
        return row.id if self.name == "kb" else str(row.id)

    def label_of(self, row: Any) -> str:
        if self.name == "kb":
            return f"{row.id} {row.title}"
        return row.topic if self.name == "catalogue" else f"{row.district} {row.street}"


KINDS = {
    "kb": Kind(
        "kb", "知识库", "知识条目", "搜索编号、标题、典型问题或标签",
        {"id": "编号", "title": "标题", "question": "典型问题", "answer": "答复口径", "department": "主管部门",
         "tags": "标签（用逗号或顿号分开）"},
        "id", "kb.jsonl", "application/x-ndjson; charset=utf-8", edits.list_articles,
    ),
    "catalogue": Kind(
        "catalogue", "职责目录", "目录事项", "搜索事项、关键词或承办单位",
        {"topic": "事项", "keywords": "关键词（用逗号或顿号分开）", "category_hint": "诉求类别", "unit": "主办单位",
         "dispatch": "派单方式", "co_unit": "协办单位", "time_limit_hours": "办理时限（小时）", "urgent": "紧急事项",
         "police": "需转 110"},
        "topic", "catalogue.json", "application/json; charset=utf-8", edits.list_entries,
    ),
    "gazetteer": Kind(
        "gazetteer", "地名库", "街道（乡镇）", "搜索区或街道（乡镇）",
        {"district": "区", "street": "街道（乡镇）"},
        "", "gazetteer.json", "application/json; charset=utf-8", edits.list_streets,
    ),
}
STATE_NAMES = {"all": "全部", "live": "在用", "retired": "已停用"}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "，".join(value)
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def editor_of(caller: Caller) -> Editor:
    """Who a change is written down as: the label and id of the key that logged in."""
    return Editor(caller.key_label, caller.key_id)


def _words(text: str) -> list[str]:
    return [word for word in _LIST_SEPARATORS.split(text) if word]


def _hours(text: str) -> Any:
    """A number where one was typed; the text itself otherwise, for the format's rule to refuse."""
    try:
        hours = float(text)
    except ValueError:
        return text
    return int(hours) if math.isfinite(hours) and hours.is_integer() else hours


def form_values(kind: Kind, form: Mapping[str, Any]) -> dict[str, str]:
    """What was typed into the form, trimmed, for storing and for showing again."""
    return {name: str(form.get(name, "")).strip() for name in kind.fields}


def save(engine: Engine, kind: Kind, values: dict[str, str], by: Editor, key: str | None = None) -> Any:
    """Create the item (no `key`) or store the edit of item `key`; raises InvalidKnowledge or NotFound."""
    if kind.name == "kb":
        article = KbArticle(id=values["id"], title=values["title"], question=values["question"],
                            answer=values["answer"], department=values["department"], tags=_words(values["tags"]))
        if key is None:
            return edits.create_article(engine, article, by)
        return edits.edit_article(engine, key, article, by)
    if kind.name == "catalogue":
        entry = CatalogueEntry(
            topic=values["topic"], keywords=_words(values["keywords"]), category_hint=values["category_hint"],
            unit=values["unit"], dispatch=values["dispatch"], co_unit=values["co_unit"] or None,
            time_limit_hours=_hours(values["time_limit_hours"]), urgent=bool(values["urgent"]),
            police=bool(values["police"]),
        )
        return edits.create_entry(engine, entry, by) if key is None else edits.edit_entry(engine, key, entry, by)
    if key is None:
        return edits.create_street(engine, values["district"], values["street"], by)
    return edits.edit_street(engine, key, values["district"], values["street"], by)


def worded(problem: FieldProblem) -> str:
    """A storage problem as the page says it beside its field."""
    if problem.rule == "too_long":
        return f"太长了，最多 {edits.MAX_LENGTHS[problem.field]} 个字"
    if problem.rule == "choice" and problem.field == "category_hint":
        return f"请选择：{'、'.join(CATEGORIES)}"
    return {
        "empty": "不能为空",
        "type": "格式不对",
        "list_item": "不能有空的一项",
        "choice": "请从列表中选择",
        "co_unit_needed": "双派需要填写协办单位（例如“属地街道(乡镇)”）",
        "co_unit_not_allowed": "直派只派给主办单位，协办单位请留空",
        "positive": "请填写大于 0 的小时数",
        "boolean": "只能选“是”或“否”",
        "duplicate": "已经有了（停用的也算：可在列表里找到并恢复）",
    }.get(problem.rule, problem.message)


def field_errors(problems: list[FieldProblem]) -> dict[str, str]:
    """{field: what is wrong with it}, the first problem of each field."""
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field, worded(problem))
    return errors
