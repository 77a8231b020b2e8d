"""Calls and orders over time, by Beijing day or week; the three rates month by month; and the
Beijing calendar the dashboard's
figures share: a day starts at 00:00 Asia/Shanghai, a week on Monday 00:00, a month on its 1st.

A call counts on the day it started; an order (工单) on the day it was filed, merged orders (并单)
included, since each is one citizen's request. Counting is done by the database, grouped by the
Beijing day of the stored UTC time, so a month of calls is a month of small rows, not of calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, literal_column
from sqlmodel import Session, col, select

from server.storage.models import Call, Ticket
from server.workflow.callbacks import BEIJING
from server.workflow.metrics import MetricWeights, month_range, rates_between

WEEK = timedelta(days=7)


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True)
class VolumeRow:
    start: date  # the Beijing day, or the Monday of the Beijing week
    calls: int
    orders: int


def beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=BEIJING)


def week_start(moment: datetime) -> date:
    """The Monday of the Beijing week `moment` falls in."""
    day = moment.astimezone(BEIJING).date()
    return day - timedelta(days=day.weekday())


def month_weeks(month: str) -> tuple[datetime, datetime]:
    """The whole Beijing weeks that touch `month` ("2026-12"): from the Monday of its first day's week
    to the Monday after its last day's week (so a week is never cut in two)."""
    start, end = month_range(month)
    last_day = (end - timedelta(days=1)).date()
    return beijing_midnight(week_start(start)), beijing_midnight(last_day - timedelta(days=last_day.weekday())) + WEEK


def beijing_day(engine: Engine, column: Any) -> Any:
    """SQL for the Beijing day ('YYYY-MM-DD') of a stored UTC time. SQLite keeps UTC wall time as
    text, and Beijing has had no summer time since 1991, so eight hours on is Beijing there. The
    constants are literal SQL, not parameters: PostgreSQL must see the same expression in GROUP BY."""
    if engine.dialect.name == "sqlite":
        return func.date(column, literal_column("'+8 hours'"))
    return func.to_char(func.timezone(literal_column("'Asia/Shanghai'"), column), literal_column("'YYYY-MM-DD'"))


def counts_by_day(engine: Engine, column: Any, start: datetime, end: datetime, *groups: Any) -> list[tuple]:
    """(*group values, Beijing day, count) of the rows whose `column` time is in [start, end)."""
    day = beijing_day(engine, column)
    query = (
        select(*groups, day, func.count())
        .where(column >= start, column < end)
        .group_by(*groups, day)
    )
    with Session(engine) as session:
        return [(*row[:-2], date.fromisoformat(row[-2]), int(row[-1])) for row in session.exec(query).all()]


def volume(engine: Engine, start: datetime, end: datetime, bucket: Bucket) -> list[VolumeRow]:
    """Calls and orders in each Beijing day (or week) from `start` to before `end`, empty ones too.
    `start` and `end` are Beijing midnights (Mondays, for weeks)."""
    step = timedelta(days=1) if bucket is Bucket.DAY else WEEK
    first = start.astimezone(BEIJING).date()

    def bucket_of(day: date) -> date:
        return day if bucket is Bucket.DAY else day - timedelta(days=day.weekday())

    calls: dict[date, int] = {}
    orders: dict[date, int] = {}
    for counts, column in ((calls, col(Call.started_at)), (orders, col(Ticket.created_at))):
        for day, count in counts_by_day(engine, column, start, end):
            counts[bucket_of(day)] = counts.get(bucket_of(day), 0) + count
    rows = []
    day = first
    while beijing_midnight(day) < end:
        rows.append(VolumeRow(day, calls.get(day, 0), orders.get(day, 0)))
        day += step
    return rows


@dataclass(frozen=True)
class MonthRates:
    month: str
    answered: int  # 0: no callback answered that month, and no rates
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    score: float | None


def last_months(month: str, count: int) -> list[str]:
    """The `count` months ending with `month` ("2026-12"), oldest first."""
    start, _ = month_range(month)
    index = start.year * 12 + start.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def rates_by_month(engine: Engine, month: str, weights: MetricWeights, count: int = 12) -> list[MonthRates]:
    """The three rates and the score of all callbacks answered in each of the `count` months ending
    with `month` (server/workflow/metrics.py), oldest first."""
    rows = []
    for each in last_months(month, count):
        found = rates_between(engine, None, *month_range(each), weights)
        if found:
            (all_of_it,) = found
            rows.append(MonthRates(each, all_of_it.answered, all_of_it.response_rate, all_of_it.resolution_rate,
                                   all_of_it.satisfaction_rate, all_of_it.score))
        else:
            rows.append(MonthRates(each, 0, None, None, None, None))
    return rows
