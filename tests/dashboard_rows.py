"""Rows for the dashboard tests, written straight into the tables: the figures only count them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from server.storage.models import Call, Callback, Ticket


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Rows:
    """Tickets, calls and answered callbacks written straight into the tables, numbered in order."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.made = engine, 0

    def _add(self, row: object) -> None:
        with Session(self.engine) as session:
            session.add(row)
            session.commit()

    def order(self, at: datetime, topic: str | None = "噪音扰民", district: str | None = None,
              street: str | None = None, unit: str | None = None) -> str:
        self.made += 1
        ticket_id = f"HL-T{self.made:04d}"
        self._add(Ticket(id=ticket_id, topic=topic, district=district, street=street, unit=unit, created_at=at))
        return ticket_id

    def orders(self, count: int, at: datetime, topic: str) -> None:
        for _ in range(count):
            self.order(at, topic)

    def call(self, at: datetime) -> None:
        self.made += 1
        self._add(Call(call_sid=f"CA-T{self.made:04d}", started_at=at))

    def answered(self, order_id: str, satisfaction: str, at: datetime) -> None:
        """A callback about `order_id` answered at `at`: 满意 = contacted and solved, 基本满意 =
        contacted only, 不满意 = neither."""
        contacted, solved = {"满意": (True, True), "基本满意": (True, False), "不满意": (False, False)}[satisfaction]
        self._add(Callback(ticket_id=order_id, order_id=order_id, phone="", status="done", due_at=at,
                           contacted=contacted, solved=solved, satisfaction=satisfaction, finished_at=at))
