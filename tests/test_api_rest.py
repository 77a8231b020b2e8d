"""The REST read API over a real socket (uvicorn on a free loopback port) and a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from server_harness import close_call, serving_rest_api
from sqlalchemy import Engine

from agent.types import CallOutcome, WorkOrderDraft
from knowledge.catalogue import CatalogueEntry
from server.storage import repository
from server.storage.db import make_engine
from server.storage.keys import Role, create_key

STARTED = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.fixture
def api(engine: Engine, rest_api: str) -> Iterator[httpx.Client]:
    """A supervisor's client of the REST API."""
    _, key = create_key(engine, Role.SUPERVISOR)
    with httpx.Client(base_url=rest_api, timeout=10, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def make_ticket_call(engine: Engine) -> None:
    repository.replace_catalogue(engine, [CatalogueEntry(
        topic="餐饮油烟扰民", keywords=["油烟"], category_hint="投诉", unit="区城管执法局", dispatch="dual",
        co_unit="属地街道(乡镇)", time_limit_hours=72)])
    call_id = repository.create_call(engine, "CA-ticket", stream_sid="MZ-t", caller_number="13800138000",
                                     started_at=STARTED)
    repository.add_turn(engine, call_id=call_id, asr_text="楼下烧烤油烟太大了", reply_text="请问具体地址？",
                        reply_action="ask", speech_started_at=0.5, speech_ended_at=2.5)
    repository.add_turn(engine, call_id=call_id, asr_text="海淀区清河街道", reply_text="已为您登记。",
                        reply_action="record")
    order = WorkOrderDraft(topic="餐饮油烟扰民", category="投诉", district="海淀区", street="清河街道",
                           address="清河中街", caller_name="张女士", phone=None, urgent=False, police=False,
                           summary="烧烤油烟扰民")
    outcome = CallOutcome(category="投诉", route="ticket", topic="餐饮油烟扰民", kb_article=None, urgent=False,
                          police=False, handoff_reason=None, work_order=order)
    close_call(engine, call_id=call_id, outcome=outcome, heard_marks=["greeting"],
                           ended_at=STARTED + timedelta(minutes=2))


def test_call_detail_has_turns_outcome_and_ticket(engine: Engine, api: httpx.Client) -> None:
    make_ticket_call(engine)
    response = api.get("/api/calls/CA-ticket")
    assert response.status_code == 200
    body = response.json()
    call, turns, ticket = body["call"], body["turns"], body["ticket"]
    assert (call["status"], call["category"], call["route"]) == ("ended", "投诉", "ticket")
    assert call["callback_number"] == "13800138000" and call["heard_marks"] == ["greeting"]
    assert datetime.fromisoformat(call["started_at"]) == STARTED
    assert [t["index"] for t in turns] == [0, 1]
    assert turns[0]["asr_text"] == "楼下烧烤油烟太大了" and turns[1]["reply_action"] == "record"
    assert ticket["id"] == "HL20261121-0001" and ticket["call_sid"] == "CA-ticket"
    assert (ticket["unit"], ticket["co_unit"]) == ("海淀区城管执法局", "清河街道")
    due = datetime.fromisoformat(ticket["due_at"]) - datetime.fromisoformat(ticket["created_at"])
    assert due == timedelta(hours=72)
    assert [e["kind"] for e in ticket["events"]] == ["created", "dispatched"]


def test_lists_and_ticket_detail(engine: Engine, api: httpx.Client) -> None:
    make_ticket_call(engine)
    repository.create_call(engine, "CA-later", started_at=STARTED + timedelta(hours=1))
    calls = api.get("/api/calls", params={"limit": 10}).json()["calls"]
    assert [c["call_sid"] for c in calls] == ["CA-later", "CA-ticket"]
    assert calls[0]["status"] == "active" and calls[0]["route"] is None
    assert [c["call_sid"] for c in api.get("/api/calls", params={"limit": 1}).json()["calls"]] == ["CA-later"]

    tickets = api.get("/api/tickets").json()["tickets"]
    assert [t["id"] for t in tickets] == ["HL20261121-0001"]
    detail = api.get("/api/tickets/HL20261121-0001").json()
    assert detail["topic"] == "餐饮油烟扰民" and detail["events"][0]["actor"] == "seat"
    assert api.get("/api/tickets", params={"status": "closed"}).json() == {"tickets": []}


def test_unknown_ids_are_404_json(api: httpx.Client) -> None:
    for path in ("/api/calls/CA-missing", "/api/tickets/HL20990101-0001"):
        response = api.get(path)
        assert response.status_code == 404
        assert "missing" in response.json()["detail"] or "HL20990101-0001" in response.json()["detail"]


def test_bad_query_is_a_4xx_not_a_crash(api: httpx.Client) -> None:
    assert api.get("/api/calls", params={"limit": 0}).status_code == 422
    assert api.get("/api/calls", params={"limit": "many"}).status_code == 422


def test_healthz(api: httpx.Client) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_healthz_reports_an_unmigrated_database(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with serving_rest_api(engine) as base:
            response = httpx.get(f"{base}/healthz", timeout=10)
            assert response.status_code == 503
            assert "hotline db upgrade" in response.json()["detail"]
    finally:
        engine.dispose()
