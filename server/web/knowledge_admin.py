"""知识管理: the admin's pages for the KB, the responsibility catalogue and the gazetteer: an
overview, each kind's list with search, an item's form (create, edit) with its history, retire and
restore. Every change goes through server/storage/knowledge_edits.py, which logs who made it and
bumps the kind's revision: the next call reads it, no restart. A form the storage refuses comes
back (422) with each problem beside its field, and nothing stored has changed.

Files (import, export) are in knowledge_files.py, the change log's pages in knowledge_history.py,
the "try it" box in knowledge_try.py; those routers come first in the app, as their fixed paths
(/admin/knowledge/history…) would otherwise be read as a kind here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.access import Caller
from server.storage import knowledge_edits as edits
from server.storage import knowledge_log
from server.storage.db import NotFound
from server.storage.keys import Role
from server.storage.knowledge_rows import knowledge_version
from server.web.knowledge_kinds import KINDS, STATE_NAMES, Kind, editor_of, field_errors, form_values, save
from server.web.pages import page, render

router = APIRouter()
# Every page here is the admin's (agents read the KB in their console).
AdminPage = Annotated[Caller, page(Role.ADMIN)]


class Missing(Exception):
    """An unknown kind or item: the page says which (404)."""


def kind_or_404(kind: str) -> Kind:
    if kind not in KINDS:
        raise Missing(f"没有“{kind}”这类知识：只有知识库（kb）、职责目录（catalogue）和地名库（gazetteer）")
    return KINDS[kind]


def item_or_404(request: Request, kind: Kind, key: str) -> Any:
    try:
        return edits.get_item(request.app.state.engine, kind.name, key)
    except NotFound:
        raise Missing(f"{kind.title}里没有“{key}”这一{kind.item_title}") from None


def missing(request: Request, caller: Caller, problem: Missing) -> HTMLResponse:
    return render(request, "knowledge_missing.html", caller, status=404, detail=str(problem))


def go_to(request: Request, target: str) -> Response:
    """After a change, to `target`: htmx is told to load it as a page, a plain client is redirected."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def item_url(kind: Kind, key: str) -> str:
    return f"/admin/knowledge/{kind.name}/item/{key}"


@router.get("/admin/knowledge")
def overview(request: Request, caller: AdminPage) -> Any:
    engine = request.app.state.engine
    return render(
        request, "knowledge_overview.html", caller, kinds=KINDS, counts=edits.counts(engine),
        revisions=dict(knowledge_version(engine)), recent=knowledge_log.changes(engine, limit=10),
    )


def list_page(
    request: Request, caller: Caller, kind: Kind, q: str = "", state: str = "all", status: int = 200, **extra: Any
) -> HTMLResponse:
    state = state if state in STATE_NAMES else "all"
    rows = kind.lister(request.app.state.engine, q, state)
    return render(request, "knowledge_list.html", caller, status=status, kind=kind, kinds=KINDS, rows=rows, q=q,
                  state=state, states=STATE_NAMES, **{"import_error": None, **extra})


@router.get("/admin/knowledge/{kind}")
def list_items(request: Request, kind: str, caller: AdminPage, q: str = "", state: str = "all") -> Any:
    try:
        return list_page(request, caller, kind_or_404(kind), q.strip(), state)
    except Missing as problem:
        return missing(request, caller, problem)


def item_page(
    request: Request, caller: Caller, kind: Kind, key: str | None, values: dict[str, str],
    errors: dict[str, str] | None = None, status: int = 200,
) -> HTMLResponse:
    engine = request.app.state.engine
    row = item_or_404(request, kind, key) if key is not None else None
    history = edits.history_of(engine, kind.name, key) if key is not None else []
    return render(
        request, "knowledge_item.html", caller, status=status, kind=kind, kinds=KINDS, row=row, key=key,
        values=values, errors=errors or {}, history=history, saved=request.query_params.get("saved") == "1",
    )


@router.get("/admin/knowledge/{kind}/new")
def new_item(request: Request, kind: str, caller: AdminPage) -> Any:
    try:
        found = kind_or_404(kind)
    except Missing as problem:
        return missing(request, caller, problem)
    blank = {name: "" for name in found.fields}
    if found.name == "catalogue":
        blank.update(category_hint="投诉", dispatch="direct", time_limit_hours="72")
    return item_page(request, caller, found, None, blank)


@router.post("/admin/knowledge/{kind}/new")
async def create_item(request: Request, kind: str, caller: AdminPage) -> Any:
    try:
        found = kind_or_404(kind)
    except Missing as problem:
        return missing(request, caller, problem)
    values = form_values(found, await request.form())
    try:
        row = save(request.app.state.engine, found, values, editor_of(caller))
    except edits.InvalidKnowledge as refused:
        return item_page(request, caller, found, None, values, field_errors(refused.problems), status=422)
    return go_to(request, item_url(found, found.key_of(row)) + "?saved=1")


@router.get("/admin/knowledge/{kind}/item/{key}")
def show_item(request: Request, kind: str, key: str, caller: AdminPage) -> Any:
    try:
        found = kind_or_404(kind)
        return item_page(request, caller, found, key, found.values_of(item_or_404(request, found, key)))
    except Missing as problem:
        return missing(request, caller, problem)


@router.post("/admin/knowledge/{kind}/item/{key}")
async def edit_item(request: Request, kind: str, key: str, caller: AdminPage) -> Any:
    try:
        found = kind_or_404(kind)
        stored = found.values_of(item_or_404(request, found, key))
        values = form_values(found, await request.form())
        if found.fixed:
            values[found.fixed] = stored[found.fixed]  # the item's name stays, whatever the form says
        try:
            save(request.app.state.engine, found, values, editor_of(caller), key=key)
        except edits.InvalidKnowledge as refused:
            return item_page(request, caller, found, key, values, field_errors(refused.problems), status=422)
    except Missing as problem:
        return missing(request, caller, problem)
    return go_to(request, item_url(found, key) + "?saved=1")


@router.post("/admin/knowledge/{kind}/item/{key}/retire")
def retire_item(request: Request, kind: str, key: str, caller: AdminPage) -> Any:
    return _retire_or_restore(request, kind, key, caller, edits.retire)


@router.post("/admin/knowledge/{kind}/item/{key}/restore")
def restore_item(request: Request, kind: str, key: str, caller: AdminPage) -> Any:
    return _retire_or_restore(request, kind, key, caller, edits.restore)


def _retire_or_restore(request: Request, kind: str, key: str, caller: Caller, change: Any) -> Any:
    try:
        found = kind_or_404(kind)
        item_or_404(request, found, key)
        change(request.app.state.engine, found.name, key, editor_of(caller))
    except Missing as problem:
        return missing(request, caller, problem)
    return go_to(request, item_url(found, key) + "?saved=1")
