"""The three rates of 接诉即办, from the callback surveys, per unit, district, topic and month.

Of the callbacks answered in a month (Beijing time, by when the caller answered):

    响应率 (response)      = callers who say the unit contacted them / callers answered
    解决率 (resolution)    = callers who say the problem is solved  / callers answered
    满意率 (satisfaction)  = (满意 + basic_weight × 基本满意) / callers answered

A callback counts for the order it asks about (a caller merged into an open order judges that
order's unit). Declined and unanswered callbacks count in none of the three. The composite score is
response_weight × 响应率 + resolution_weight × 解决率 + satisfaction_weight × 满意率 (the weights of
[metrics], summing to 1); rankings order by it, best first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, case, func
from sqlmodel import Session, col, select

from server.config import Settings
from server.storage.models import Callback, Ticket
from server.workflow.callbacks import BEIJING, CallbackStatus


class Dimension(StrEnum):
    UNIT = "unit"
    DISTRICT = "district"
    TOPIC = "topic"


@dataclass(frozen=True)
class MetricWeights:
    """[metrics] in the settings."""

    response: float = 0.2
    resolution: float = 0.4
    satisfaction: float = 0.4
    basic_satisfaction: float = 0.8  # what a 基本满意 counts for in 满意率

    def __post_init__(self) -> None:
        if abs(self.response + self.resolution + self.satisfaction - 1.0) > 1e-6:
            raise ValueError("[metrics] response, resolution and satisfaction weights must sum to 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> MetricWeights:
        def get(key: str) -> float:
            return float(settings.get("metrics", key))

        return cls(get("response_weight"), get("resolution_weight"), get("satisfaction_weight"),
                   get("basic_satisfaction_weight"))


@dataclass(frozen=True)
class RateRow:
    key: str | None  # the unit, district or topic (None: not known)
    answered: int
    contacted: int
    solved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float
    resolution_rate: float
    satisfaction_rate: float
    score: float
    rank: int


class BadMonth(ValueError):
    pass


def month_range(month: str) -> tuple[datetime, datetime]:
    """"2026-12" → the month's first instant and the next month's, Beijing time."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=BEIJING)
    except ValueError:
        raise BadMonth(f"month must be YYYY-MM, not {month!r}") from None
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def rates(engine: Engine, dimension: Dimension, month: str, weights: MetricWeights) -> list[RateRow]:
    """One row per unit / district / topic with answered callbacks in `month`, ranked by score."""
    start, end = month_range(month)
    return rates_between(engine, dimension, start, end, weights)


_COLUMNS = {Dimension.UNIT: Ticket.unit, Dimension.DISTRICT: Ticket.district, Dimension.TOPIC: Ticket.topic}


def rates_between(
    engine: Engine, dimension: Dimension | None, start: datetime, end: datetime, weights: MetricWeights
) -> list[RateRow]:
    """The rates of the callbacks answered from `start` to before `end`, one row per unit / district /
    topic ranked by score; with no dimension, one row for them all (key None), or none if none answered."""
    keys = [col(_COLUMNS[dimension])] if dimension is not None else []

    def count_if(condition) -> object:  # noqa: ANN001 - a SQL expression
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            *keys, func.count(),
            count_if(col(Callback.contacted).is_(True)), count_if(col(Callback.solved).is_(True)),
            count_if(col(Callback.satisfaction) == "满意"), count_if(col(Callback.satisfaction) == "基本满意"),
        )
        .join(Ticket, col(Ticket.id) == col(Callback.order_id))
        .where(col(Callback.status) == CallbackStatus.DONE, col(Callback.finished_at) >= start,
               col(Callback.finished_at) < end)
        .group_by(*keys)
    )
    with Session(engine) as session:
        found = [tuple(row) if keys else (None, *row) for row in session.exec(query).all()]
    rows = []
    for name, answered, contacted, solved, satisfied, basic in found:
        if not answered:  # no grouping: one row of zeros when nothing was answered
            continue
        response, resolution = contacted / answered, solved / answered
        satisfaction = (satisfied + weights.basic_satisfaction * basic) / answered
        score = (weights.response * response + weights.resolution * resolution
                 + weights.satisfaction * satisfaction)
        rows.append((name, int(answered), int(contacted), int(solved), int(satisfied), int(basic),
                     response, resolution, satisfaction, score))
    rows.sort(key=lambda r: (-r[-1], -r[1], str(r[0])))
    return [RateRow(*row, rank=i) for i, row in enumerate(rows, start=1)]
