"""Hot spots: where the orders come from, per district or per street (街道/乡镇) of a district, over
a period, ranked by how many orders were filed there (merged orders included: each is one
citizen's request). An order whose district or street was not made out counts under None."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from server.storage.models import Ticket


class Level(StrEnum):
    DISTRICT = "district"
    STREET = "street"


@dataclass(frozen=True)
class HotSpot:
    district: str | None
    street: str | None  # None at the district level
    orders: int
    share: float  # of all orders in the period
    rank: int


def hotspots(engine: Engine, start: datetime, end: datetime, level: Level) -> list[HotSpot]:
    """Orders filed from `start` to before `end` per district (or district and street), most first;
    places of equal count in name order."""
    keys = [col(Ticket.district)] + ([col(Ticket.street)] if level is Level.STREET else [])
    query = (
        select(*keys, func.count())
        .where(col(Ticket.created_at) >= start, col(Ticket.created_at) < end)
        .group_by(*keys)
    )
    with Session(engine) as session:
        found = [(row[0], row[1] if level is Level.STREET else None, int(row[-1])) for row in session.exec(query)]
    total = sum(count for *_, count in found)
    found.sort(key=lambda r: (-r[2], r[0] or "\uffff", r[1] or "\uffff"))  # unknown places after named ones
    return [HotSpot(district, street, count, count / total, rank)
            for rank, (district, street, count) in enumerate(found, start=1)]
