"""每月一题 candidates: the topics that trouble most citizens most, over the twelve Beijing months
ending with a given month.

Per topic: its orders filed in those months (merged orders included) and its 满意率 from the
callbacks answered in them (server/workflow/metrics.py, the same formula as the rankings). The
candidates are ranked by the unsatisfied orders that implies,

    unsatisfied = orders × (1 − 满意率)

so many orders and low satisfaction both push a topic up. A topic with orders but no answered
callback yet has no 满意率: it ranks after every topic that has one, by its orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from server.storage.models import Ticket
from server.workflow.metrics import Dimension, MetricWeights, month_range, rates_between
from server.workflow.trends import last_months


@dataclass(frozen=True)
class TopicCandidate:
    topic: str
    orders: int
    answered: int  # callbacks answered about it
    satisfaction_rate: float | None
    unsatisfied: float | None
    rank: int


def topic_candidates(engine: Engine, month: str, weights: MetricWeights) -> list[TopicCandidate]:
    """Topics with orders in the twelve months ending with `month`, ranked as the module says."""
    start, _ = month_range(last_months(month, 12)[0])
    _, end = month_range(month)
    query = (
        select(col(Ticket.topic), func.count())
        .where(col(Ticket.created_at) >= start, col(Ticket.created_at) < end, col(Ticket.topic).is_not(None))
        .group_by(col(Ticket.topic))
    )
    with Session(engine) as session:
        orders = {topic: int(count) for topic, count in session.exec(query)}
    satisfaction = {row.key: row for row in rates_between(engine, Dimension.TOPIC, start, end, weights)}
    rows = []
    for topic, count in orders.items():
        rated = satisfaction.get(topic)
        rate = rated.satisfaction_rate if rated else None
        rows.append((topic, count, rated.answered if rated else 0, rate,
                     None if rate is None else count * (1 - rate)))
    rows.sort(key=lambda r: (r[4] is None, -(r[4] or 0.0), -r[1], r[0]))
    return [TopicCandidate(*row, rank=rank) for rank, row in enumerate(rows, start=1)]
