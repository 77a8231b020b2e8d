"""A kind of knowledge as a whole file, in DESIGN.md's import formats: export (download) and import
(upload). An upload is read and checked completely by knowledge.formats before anything is stored,
then replaces the kind in one transaction, logged as one change with everything the kind held
before (server/storage/knowledge_rows.py). A bad or empty file is shown beside the upload field
(422), and nothing stored has changed. Exports leave retired items out, as the CLI's do."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from knowledge.formats import KnowledgeFormatError, read_catalogue, read_gazetteer, read_kb
from server.storage import knowledge_rows, knowledge_store
from server.web.knowledge_admin import AdminPage, Missing, go_to, kind_or_404, list_page, missing
from server.web.knowledge_kinds import editor_of

router = APIRouter()

# An upload larger than this is not a knowledge file (the sample KB is 30 kB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
READERS = {"kb": read_kb, "catalogue": read_catalogue, "gazetteer": read_gazetteer}
REPLACERS = {
    "kb": knowledge_rows.replace_kb,
    "catalogue": knowledge_rows.replace_catalogue,
    "gazetteer": knowledge_rows.replace_gazetteer,
}
EXPORTERS = {
    "kb": knowledge_store.export_kb,
    "catalogue": knowledge_store.export_catalogue,
    "gazetteer": knowledge_store.export_gazetteer,
}


@router.get("/admin/knowledge/{kind}/export")
def export_file(request: Request, kind: str, caller: AdminPage) -> Any:
    try:
        found = kind_or_404(kind)
    except Missing as problem:
        return missing(request, caller, problem)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / found.export_name
        EXPORTERS[found.name](request.app.state.engine, path)
        body = path.read_bytes()
    return Response(body, media_type=found.export_type,
                    headers={"Content-Disposition": f'attachment; filename="{found.export_name}"'})


def _where(name: str, error: KnowledgeFormatError) -> str:
    """The format's message, naming the uploaded file rather than the temporary copy it was read from."""
    where = name + (f"，第 {error.line} 行" if error.line is not None else "")
    where += f"（{error.entry}）" if error.entry else ""
    return f"{where}：{error.problem}"


@router.post("/admin/knowledge/{kind}/import")
async def import_file(
    request: Request, kind: str, caller: AdminPage, file: Annotated[UploadFile | None, File()] = None
) -> Any:
    try:
        found = kind_or_404(kind)
    except Missing as problem:
        return missing(request, caller, problem)
    name = Path(file.filename or "").name if file is not None else ""
    data = await file.read(MAX_UPLOAD_BYTES + 1) if file is not None else b""
    if not name or not data:
        return list_page(request, caller, found, status=422, import_error="请选择要导入的文件")
    if len(data) > MAX_UPLOAD_BYTES:
        return list_page(request, caller, found, status=422, import_error="文件太大：知识文件不会超过 20 MB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            items = READERS[found.name](path)
        except KnowledgeFormatError as error:
            refused = f"文件有误，未导入：{_where(name, error)}"
            return list_page(request, caller, found, status=422, import_error=refused)
    if not items:
        # The formats allow it, but an upload that would empty the seat's knowledge is surely a mistake.
        return list_page(request, caller, found, status=422, import_error="文件里一条也没有，未导入")
    REPLACERS[found.name](request.app.state.engine, items, editor_of(caller), source=name)
    return go_to(request, f"/admin/knowledge/history?kind={found.name}")
