"""Surges: topics whose orders this week rise far above their own usual weeks.

For each topic with orders in a Beijing week (Monday 00:00 to Monday 00:00, Asia/Shanghai), its
baseline is its orders in each of the BASELINE_WEEKS weeks before: their mean and spread (population
standard deviation, weeks without orders counting as 0). Its rise is

    rise = (orders this week − baseline mean) / max(baseline spread, MIN_SPREAD)

A topic is a surge when it has at least MIN_ORDERS orders this week AND its rise is at least
SURGE_RISE. The minimum count is what keeps one order (or three) of a rare topic from being a surge:
against an empty baseline even one order would rise by 1 spread, four by 4. The spread's floor keeps
a topic that was perfectly steady from dividing by zero. The week being asked about may still be
under way: it is compared as it stands, so a surge shows as soon as it has happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean, pstdev

from sqlalchemy import Engine
from sqlmodel import col

from server.storage.models import Ticket
from server.workflow.trends import WEEK, beijing_midnight, counts_by_day

BASELINE_WEEKS = 8
MIN_ORDERS = 5
SURGE_RISE = 3.0
MIN_SPREAD = 1.0


@dataclass(frozen=True)
class TopicRise:
    topic: str
    week: date  # the Monday of the Beijing week
    orders: int
    baseline_mean: float
    baseline_spread: float
    rise: float
    surge: bool
    rank: int


def topic_rises(engine: Engine, week: date) -> list[TopicRise]:
    """Every topic with orders in the Beijing week starting on Monday `week`, by rise, highest first
    (then by orders); orders without a topic are no topic's."""
    if week.weekday() != 0:
        raise ValueError(f"a week starts on a Monday, not on {week}")
    first = week - BASELINE_WEEKS * timedelta(days=7)
    start, end = beijing_midnight(first), beijing_midnight(week) + WEEK
    weekly: dict[str, list[int]] = {}
    for topic, day, count in counts_by_day(engine, col(Ticket.created_at), start, end, col(Ticket.topic)):
        if topic is None:
            continue
        weekly.setdefault(topic, [0] * (BASELINE_WEEKS + 1))[(day - first).days // 7] += count
    rises = []
    for topic, counts in weekly.items():
        *baseline, orders = counts
        if orders == 0:
            continue
        mean, spread = fmean(baseline), pstdev(baseline)
        rise = (orders - mean) / max(spread, MIN_SPREAD)
        rises.append((topic, orders, mean, spread, rise, orders >= MIN_ORDERS and rise >= SURGE_RISE))
    rises.sort(key=lambda r: (-r[4], -r[1], r[0]))
    return [TopicRise(topic, week, orders, mean, spread, rise, surge, rank)
            for rank, (topic, orders, mean, spread, rise, surge) in enumerate(rises, start=1)]
