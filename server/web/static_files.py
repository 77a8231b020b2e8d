"""`/static/…`: the pages' stylesheet, scripts and vendored libraries, from server/web/static/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from server.access import public

STATIC = (Path(__file__).parent / "static").resolve()
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json",
         ".png": "image/png", ".svg": "image/svg+xml", ".wav": "audio/wav"}

router = APIRouter()


@router.get("/static/{path:path}", dependencies=[public()])
def static_file(path: str) -> Any:
    file = (STATIC / path).resolve()
    if not file.is_relative_to(STATIC) or not file.is_file():
        raise HTTPException(status_code=404, detail=f"no file {path!r}")
    media_type = TYPES.get(file.suffix, "text/plain; charset=utf-8")
    return FileResponse(file, media_type=media_type, headers={"Cache-Control": "no-cache"})
