"""The audit log as a page, for admins: who played which call's recording when and how it went,
refusals too, and the recordings retention deleted; newest first, filtered by actor, action and
Beijing days, a page of PAGE entries at a time. The same entries as GET /api/audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from server.access import Caller
from server.storage import audit_log
from server.storage.audit_log import AuditQuery
from server.storage.keys import Role
from server.web.pages import page, render

router = APIRouter()

AuditPage = Annotated[Caller, page(Role.ADMIN)]
PAGE = 50
ACTION_NAMES = {audit_log.PLAY_RECORDING: "播放录音", audit_log.PURGE_RECORDING: "按保留期删除录音"}
OUTCOME_NAMES = {audit_log.PLAYED: "已播放", audit_log.DENIED: "拒绝", audit_log.NOT_FOUND: "无此录音",
                 audit_log.FAILED: "无法打开", audit_log.PURGED: "已删除"}
Text = Annotated[str, Query(max_length=64)]


def _day(text: str, errors: dict[str, str], field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = "请填写日期，如 2026-12-01"
        return None


@router.get("/admin/audit")
def audit_page(request: Request, caller: AuditPage, actor: Text = "", action: Text = "", since: Text = "",
               until: Text = "", offset: Annotated[int, Query(ge=0)] = 0) -> Any:
    errors: dict[str, str] = {}
    first, last = _day(since, errors, "since"), _day(until, errors, "until")
    if first and last and last < first:
        errors["until"] = "结束日期早于开始日期"
    wanted = AuditQuery.of_days(actor.strip(), action if action in ACTION_NAMES else "", first, last)
    entries, total = ([], 0) if errors else audit_log.entries(request.app.state.engine, wanted, PAGE, offset)
    filters = {"actor": actor.strip(), "action": action if action in ACTION_NAMES else "", "since": since,
               "until": until}
    return render(request, "audit.html", caller, status=422 if errors else 200, entries=entries, total=total,
                  offset=offset, page=PAGE, filters=filters, errors=errors, actions=ACTION_NAMES,
                  outcomes=OUTCOME_NAMES, query=urlencode({k: v for k, v in filters.items() if v}))
