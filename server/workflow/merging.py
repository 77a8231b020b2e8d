"""并单: a new order about the matter of one still open joins it instead of making a second order
for the same unit. Same matter: the same topic, filed within the merge window, and either by the
same caller (a repeat call, 催办) or at the same place (same district and street, and addresses
that share a name: two building sites in one street office's area are two matters). The joining
order keeps its caller, who is still called back; the open one counts its callers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agent.open_orders import OpenOrder
from server.storage.models import Ticket
from server.storage.sealing import lookup_hash
from server.storage.tickets import record_step
from server.workflow.lifecycle import OPEN_STATUSES, Action, Status, next_status

SYSTEM = "merging"
# Addresses name the same place when they share this many characters in a row (a road, an estate,
# a building: 阜通东大街, 望京西园四区) once punctuation and spaces are gone.
SAME_PLACE_CHARS = 4
_NOT_A_NAME = re.compile(r"[\s，,。.、；;：:！!？?]")
# What a repeat caller is told about: open orders, and those reported and waiting for the callback,
# filed within this long.
TOLD_STATUSES = (*OPEN_STATUSES, Status.REPORTED)
TOLD_WITHIN = timedelta(days=90)


def open_orders_for(engine: Engine, number: str | None, now: datetime) -> list[OpenOrder]:
    """The caller's orders not yet closed, newest first, for the seat to tell a repeat caller."""
    if not number:
        return []
    since = now - TOLD_WITHIN
    with Session(engine) as session:
        query = select(Ticket).where(
            Ticket.phone_hash == lookup_hash(number), col(Ticket.status).in_(TOLD_STATUSES),
            Ticket.created_at >= since,
        )
        tickets = session.exec(query.order_by(col(Ticket.created_at).desc())).all()
        return [OpenOrder(t.id, t.topic, t.status, t.unit) for t in tickets]


def same_place(a: Ticket, b: Ticket) -> bool:
    if not (a.district and a.street and a.district == b.district and a.street == b.street):
        return False
    first, second = (_NOT_A_NAME.sub("", t.address or "") for t in (a, b))
    if not first or not second:
        return False
    match = SequenceMatcher(None, first, second, autojunk=False).find_longest_match()
    return match.size >= min(SAME_PLACE_CHARS, len(first), len(second))


def open_order_for(session: Session, ticket: Ticket, window: timedelta) -> tuple[Ticket, Action] | None:
    """The open order `ticket` is about (locked), and how it joins: the same caller again, or
    another caller about the same place."""
    if not ticket.topic:
        return None
    query = select(Ticket).where(
        Ticket.topic == ticket.topic, col(Ticket.status).in_(OPEN_STATUSES), Ticket.id != ticket.id,
        col(Ticket.merged_into).is_(None), Ticket.created_at >= ticket.created_at - window,
    )
    candidates = session.exec(query.order_by(col(Ticket.created_at)).with_for_update()).all()
    for open_order in candidates:
        if ticket.phone and open_order.phone == ticket.phone:
            return open_order, Action.CALLED_AGAIN
    for open_order in candidates:
        if same_place(ticket, open_order):
            return open_order, Action.CALLER_ADDED
    return None


def merge(session: Session, ticket: Ticket, open_order: Ticket, how: Action, at: datetime) -> None:
    """`ticket` joins `open_order`; both record it."""
    record_step(session, ticket, kind=Action.MERGE, actor=SYSTEM, at=at,
                status=next_status(Action.MERGE, ticket.status), merged_into=open_order.id,
                note=f"same matter as the open order {open_order.id}")
    status = next_status(how, open_order.status)
    if how == Action.CALLER_ADDED:
        record_step(session, open_order, kind=how, actor=SYSTEM, at=at, status=status,
                    callers=open_order.callers + 1, note=f"another caller about it: {ticket.id}")
    else:
        record_step(session, open_order, kind=how, actor=SYSTEM, at=at, status=status,
                    note=f"its caller rang again: {ticket.id}")
