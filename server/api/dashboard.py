"""The dashboard's figures (数据看板), for supervisors and admins, each as JSON or, with `?format=csv`,
as a CSV file (UTF-8 with a byte-order mark, so Excel reads the Chinese): the numbers behind every
chart one click away. Aggregates only: no figure names a caller.

    GET /api/dashboard/rates/{unit|district|topic}?month=YYYY-MM  the three rates, ranked
    GET /api/dashboard/rates-by-month?month=YYYY-MM               all callbacks' rates, 12 months to it
    GET /api/dashboard/volume?month=YYYY-MM&by=day|week          calls and orders over time
    GET /api/dashboard/hotspots?month=YYYY-MM&level=district|street  orders by place, ranked
    GET /api/dashboard/surges[?week=YYYY-MM-DD]                  topics rising this week (that day's week)
    GET /api/dashboard/topic-candidates?month=YYYY-MM            每月一题 candidates, 12 months to it

Months, weeks and days are Beijing's (server/workflow/trends.py); the queries are server/workflow/.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from server.access import allow
from server.api.routes import EngineDep
from server.storage.keys import Role
from server.workflow.hotspots import Level, hotspots
from server.workflow.metrics import BadMonth, Dimension, MetricWeights, month_range, rates
from server.workflow.surges import topic_rises
from server.workflow.topic_candidates import topic_candidates
from server.workflow.trends import Bucket, month_weeks, rates_by_month, volume, week_start

router = APIRouter()
READERS = allow(Role.SUPERVISOR, Role.ADMIN)

Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM, Beijing time")]
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
Columns = list[tuple[str, str]]  # (CSV heading, row field)

RATES: Columns = [("回访数", "answered"), ("已联系", "contacted"), ("已解决", "solved"), ("满意", "satisfied"),
                  ("基本满意", "basically_satisfied"), ("响应率", "response_rate"), ("解决率", "resolution_rate"),
                  ("满意率", "satisfaction_rate"), ("综合得分", "score")]
NAMES = {Dimension.UNIT: "承办单位", Dimension.DISTRICT: "区", Dimension.TOPIC: "事项"}


def bad_query(field: str, message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[{"loc": ["query", field], "msg": message, "type": "value_error"}])


def checked_month(month: str) -> str:
    try:
        month_range(month)
    except BadMonth as exc:
        raise bad_query("month", str(exc)) from None
    return month


def cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def figure(name: str, rows: list[Any], columns: Columns, output: str, **about: Any) -> Any:
    """The figure's rows as JSON (`about` says what they are), or as a CSV file named after it."""
    records = [asdict(row) for row in rows]
    if output == "json":
        return {"figure": name, **about, "rows": records}
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([title for title, _ in columns])
    for record in records:
        writer.writerow([cell(record[key]) for _, key in columns])
    filename = "-".join([name, *(str(value) for value in about.values())]) + ".csv"
    return Response(("\ufeff" + text.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/api/dashboard/rates/{dimension}", dependencies=[READERS])
def rates_ranked(dimension: Dimension, month: Month, request: Request, engine: EngineDep,
                 format: Format = "json") -> Any:  # noqa: A002 - the query's name
    weights: MetricWeights = request.app.state.metric_weights
    rows = rates(engine, dimension, checked_month(month), weights)
    columns = [("排名", "rank"), (NAMES[dimension], "key"), *RATES]
    return figure("rates", rows, columns, format, dimension=dimension.value, month=month)


@router.get("/api/dashboard/rates-by-month", dependencies=[READERS])
def rates_monthly(month: Month, request: Request, engine: EngineDep, format: Format = "json") -> Any:  # noqa: A002
    rows = rates_by_month(engine, checked_month(month), request.app.state.metric_weights)
    columns = [("月份", "month"), *(c for c in RATES if c[1] in ("answered", "response_rate", "resolution_rate",
                                                                  "satisfaction_rate", "score"))]
    return figure("rates-by-month", rows, columns, format, month=month)


@router.get("/api/dashboard/volume", dependencies=[READERS])
def calls_and_orders(month: Month, engine: EngineDep, by: Bucket = Bucket.DAY,
                     format: Format = "json") -> Any:  # noqa: A002
    """By day: each day of the month. By week: each whole week touching the month (Monday first)."""
    checked_month(month)
    start, end = month_weeks(month) if by is Bucket.WEEK else month_range(month)
    columns = [("日期" if by is Bucket.DAY else "周一", "start"), ("来电", "calls"), ("工单", "orders")]
    return figure("volume", volume(engine, start, end, by), columns, format, month=month, by=by.value)


@router.get("/api/dashboard/hotspots", dependencies=[READERS])
def hot_spots(month: Month, engine: EngineDep, level: Level = Level.DISTRICT,
              format: Format = "json") -> Any:  # noqa: A002
    start, end = month_range(checked_month(month))
    columns = [("排名", "rank"), ("区", "district"), ("街道", "street"), ("工单", "orders"), ("占比", "share")]
    if level is Level.DISTRICT:
        columns.remove(("街道", "street"))
    return figure("hotspots", hotspots(engine, start, end, level), columns, format, month=month, level=level.value)


@router.get("/api/dashboard/surges", dependencies=[READERS])
def surges(engine: EngineDep, week: str | None = None, format: Format = "json") -> Any:  # noqa: A002
    """`week`: any day of the Beijing week asked about (YYYY-MM-DD); by default this week."""
    if week is None:
        monday = week_start(datetime.now(UTC))
    else:
        try:
            day = date.fromisoformat(week)
        except ValueError:
            raise bad_query("week", f"week must be a day, YYYY-MM-DD, not {week!r}") from None
        monday = day - timedelta(days=day.weekday())
    columns = [("排名", "rank"), ("事项", "topic"), ("本周工单", "orders"), ("前8周平均", "baseline_mean"),
               ("前8周标准差", "baseline_spread"), ("升幅(标准差倍数)", "rise"), ("激增", "surge")]
    return figure("surges", topic_rises(engine, monday), columns, format, week=monday.isoformat())


@router.get("/api/dashboard/topic-candidates", dependencies=[READERS])
def monthly_topic_candidates(month: Month, request: Request, engine: EngineDep,
                             format: Format = "json") -> Any:  # noqa: A002
    rows = topic_candidates(engine, checked_month(month), request.app.state.metric_weights)
    columns = [("排名", "rank"), ("事项", "topic"), ("工单", "orders"), ("回访数", "answered"),
               ("满意率", "satisfaction_rate"), ("估计不满意件数", "unsatisfied")]
    return figure("topic-candidates", rows, columns, format, month=month)
