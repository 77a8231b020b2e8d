"""The dashboard page (数据看板), for supervisors and admins: the three rates ranked by unit and by
district and month by month, calls and orders day by day, hot spots by district and street, the
topics surging this week and the 每月一题 candidates, for the month chosen (Beijing time).

The page is a frame: static/js/dashboard.js reads each figure from /api/dashboard/… (the same JSON
anyone may fetch, so what the page shows is what the API says), draws it with ECharts, and puts
its numbers in a table one click away beside a link to the same figure as CSV.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request

from server.access import Caller
from server.storage.keys import Role
from server.web.pages import BEIJING, page, render
from server.workflow.metrics import BadMonth, month_range

router = APIRouter()


@router.get("/dashboard")
def dashboard(request: Request, caller: Annotated[Caller, page(Role.SUPERVISOR, Role.ADMIN)],
              month: str | None = None) -> Any:
    weights = request.app.state.metric_weights
    chosen = month or datetime.now(UTC).astimezone(BEIJING).strftime("%Y-%m")
    try:
        month_range(chosen)
    except BadMonth:
        return render(request, "dashboard.html", caller, status=422, month=chosen, weights=weights,
                      error="月份应为“年-月”，例如 2026-12")
    return render(request, "dashboard.html", caller, month=chosen, weights=weights, error=None)
