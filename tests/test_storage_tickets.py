"""Tickets: numbering, events, listing, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from server.storage import repository
from server.storage.db import NotFound
from server.workflow.dispatch import Dispatch

# 17:30 UTC is already the next day in Beijing: ticket numbers follow the Beijing date.
EVENING_UTC = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)


def test_ticket_numbers_follow_the_beijing_day(engine: Engine) -> None:
    first = repository.save_ticket(engine, topic="A", created_at=EVENING_UTC)
    second = repository.save_ticket(engine, topic="B", created_at=EVENING_UTC + timedelta(minutes=1))
    earlier_day = repository.save_ticket(engine, topic="C", created_at=EVENING_UTC - timedelta(hours=10))
    assert (first.id, second.id) == ("HL20261122-0001", "HL20261122-0002")
    assert earlier_day.id == "HL20261121-0001"


def test_save_ticket_takes_draft_and_dispatch_fields(engine: Engine) -> None:
    call_id = repository.create_call(engine, "CA-t1")
    due = EVENING_UTC + timedelta(hours=72)
    dispatch = Dispatch(unit="朝阳区城管执法局", co_unit="望京街道", dispatch="dual", due_at=due)
    saved = repository.save_ticket(
        engine, call_id=call_id, category="投诉", topic="餐饮油烟扰民", district="朝阳区", street="望京街道",
        address="阜通东大街6号", caller_name="李女士", phone="13512345678", urgent=False, police=False,
        summary="楼下烧烤店油烟大", created_at=EVENING_UTC, **dispatch.__dict__,
    )
    detail = repository.get_ticket(engine, saved.id)
    assert detail is not None and detail.call_sid == "CA-t1"
    ticket = detail.ticket
    assert (ticket.unit, ticket.co_unit, ticket.dispatch) == ("朝阳区城管执法局", "望京街道", "dual")
    assert ticket.due_at == due
    assert (ticket.address, ticket.caller_name, ticket.summary) == ("阜通东大街6号", "李女士", "楼下烧烤店油烟大")
    assert [(e.kind, e.at) for e in detail.events] == [("created", EVENING_UTC)]


def test_events_append_and_move_the_status(engine: Engine) -> None:
    ticket = repository.save_ticket(engine, topic="A")
    repository.add_ticket_event(
        engine, ticket.id, kind="dispatched", actor="dispatcher", note="派朝阳区", status="dispatched"
    )
    repository.add_ticket_event(engine, ticket.id, kind="comment", actor="agent-7", note="已电话联系")
    detail = repository.get_ticket(engine, ticket.id)
    assert detail.ticket.status == "dispatched"
    assert [e.kind for e in detail.events] == ["created", "dispatched", "comment"]
    assert detail.events[1].note == "派朝阳区"
    with pytest.raises(NotFound):
        repository.add_ticket_event(engine, "HL19990101-0001", kind="x", actor="y")


def test_list_tickets_newest_first_with_status_filter(engine: Engine) -> None:
    times = [EVENING_UTC + timedelta(minutes=i) for i in range(3)]
    ids = [repository.save_ticket(engine, topic=str(i), created_at=t).id for i, t in enumerate(times)]
    repository.add_ticket_event(engine, ids[1], kind="dispatched", actor="d", status="dispatched")
    assert [t.ticket.id for t in repository.list_tickets(engine)] == ids[::-1]
    assert [t.ticket.id for t in repository.list_tickets(engine, limit=1, offset=1)] == [ids[1]]
    assert [t.ticket.id for t in repository.list_tickets(engine, status="dispatched")] == [ids[1]]
    assert all(t.call_sid is None for t in repository.list_tickets(engine))


def test_list_tickets_soonest_due_first_with_no_due_time_last(engine: Engine) -> None:
    due = [EVENING_UTC + timedelta(hours=h) for h in (5, 1, 3)]
    ids = [repository.save_ticket(engine, topic=str(i), created_at=EVENING_UTC, due_at=d).id for i, d in enumerate(due)]
    undated = repository.save_ticket(engine, topic="no limit", created_at=EVENING_UTC).id
    listed = [t.ticket.id for t in repository.list_tickets(engine, soonest_due=True)]
    assert listed == [ids[1], ids[2], ids[0], undated]
    assert [t.ticket.id for t in repository.list_tickets(engine, soonest_due=True, limit=2)] == [ids[1], ids[2]]


def test_unknown_ticket_and_call(engine: Engine) -> None:
    assert repository.get_ticket(engine, "HL20260101-0001") is None
    with pytest.raises(NotFound):
        repository.save_ticket(engine, call_id=12345, topic="A")
    assert repository.list_tickets(engine) == []


def test_concurrent_tickets_get_distinct_numbers(engine: Engine) -> None:
    """Several writers at once (threads here, server nodes in production) never share a number."""
    def save(i: int) -> str:
        return repository.save_ticket(engine, topic=f"T{i}", created_at=EVENING_UTC).id

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(save, range(12)))
    assert sorted(ids) == [f"HL20261122-{n:04d}" for n in range(1, 13)]
    events = [repository.get_ticket(engine, tid).events for tid in ids]
    assert all(len(e) == 1 and e[0].kind == "created" for e in events)
