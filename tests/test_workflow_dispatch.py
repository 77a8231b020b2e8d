"""Dispatch by the responsibility catalogue, the review queue a supervisor assigns from, and ticket
histories that replay to the stored order: on both databases, the REST steps over a real socket."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from server_harness import serving
from sqlalchemy import Engine

from agent.types import CallOutcome, WorkOrderDraft
from knowledge.catalogue import CatalogueEntry
from server.api import handling, metrics, routes, tickets
from server.storage import repository
from server.storage.keys import Role, create_key
from server.workflow.callbacks import CallbackRules
from server.workflow.dispatch import plan_dispatch
from server.workflow.history import check_history, replay
from server.workflow.intake import DispatchRules, close_call
from server.workflow.lifecycle import Action, IllegalTransition, Status, next_status
from server.workflow.metrics import MetricWeights

ENDED = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
RULES = DispatchRules(urgent_limit_hours=2)
NOISE = CatalogueEntry(
    topic="噪音扰民-夜间施工", keywords=["施工"], category_hint="投诉", unit="区城管执法局", dispatch="dual",
    co_unit="属地街道(乡镇)", time_limit_hours=72,
)
GAS = CatalogueEntry(
    topic="燃气异味", keywords=["燃气"], category_hint="求助", unit="市燃气集团", dispatch="direct", co_unit=None,
    time_limit_hours=1, urgent=True,
)


def test_the_catalogue_decides_unit_mode_and_time_limit() -> None:
    plan = plan_dispatch(NOISE, NOISE.topic, "朝阳区", "望京街道", ENDED, urgent=False, urgent_limit_hours=2)
    assert plan.review_reason is None
    d = plan.dispatch
    assert (d.unit, d.co_unit, d.dispatch, d.due_at) == (
        "朝阳区城管执法局", "望京街道", "dual", ENDED + timedelta(hours=72))
    # Urgent: the urgent limit where the topic's own is longer, the topic's where it is shorter.
    urgent = plan_dispatch(NOISE, NOISE.topic, "朝阳区", None, ENDED, urgent=True, urgent_limit_hours=2)
    assert urgent.dispatch.due_at == ENDED + timedelta(hours=2)
    gas = plan_dispatch(GAS, GAS.topic, "海淀区", None, ENDED, urgent=True, urgent_limit_hours=2)
    assert (gas.dispatch.unit, gas.dispatch.dispatch, gas.dispatch.due_at) == (
        "市燃气集团", "direct", ENDED + timedelta(hours=1))


@pytest.mark.parametrize(("entry", "district", "why"), [
    (None, "朝阳区", "not in the catalogue"),
    (NOISE, None, "place is not known"),
])
def test_no_entry_or_no_place_goes_to_review(entry, district, why) -> None:  # noqa: ANN001
    plan = plan_dispatch(entry, "外星人入侵" if entry is None else entry.topic, district, None, ENDED,
                         urgent=False, urgent_limit_hours=2)
    assert why in plan.review_reason
    assert (plan.dispatch.unit, plan.dispatch.due_at) == (None, None)


def test_steps_a_status_does_not_allow_name_the_ones_it_does() -> None:
    assert next_status(Action.ASSIGN, Status.REVIEW) == Status.DISPATCHED
    with pytest.raises(IllegalTransition) as refused:
        next_status(Action.ASSIGN, Status.DISPATCHED)
    allowed = ["accept", "return", "ask_extension", "grant_extension", "refuse_extension"]
    assert [a.name.lower() for a in refused.value.allowed] == allowed
    assert ", ".join(allowed) in str(refused.value)


def file_call(
    engine: Engine, sid: str, topic: str, district: str | None, urgent: bool = False, ended: datetime = ENDED
) -> str:
    """A finished call that filed an order (at `ended`); its ticket id."""
    call_id = repository.create_call(engine, sid, started_at=ended - timedelta(minutes=3))
    order = WorkOrderDraft(
        topic=topic, category="投诉", district=district, street=None, address="工地", caller_name="林女士",
        # a caller of their own for each call: the same number about the same topic is a repeat call
        phone=f"139{zlib.crc32(sid.encode()) % 10**8:08d}", urgent=urgent, police=False, summary="夜间施工扰民",
    )
    outcome = CallOutcome(category="投诉", route="ticket", topic=topic, kb_article=None, urgent=urgent,
                          police=False, handoff_reason=None, work_order=order)
    close_call(engine, RULES, call_id=call_id, outcome=outcome, ended_at=ended)
    return repository.get_call_detail(engine, sid).ticket.ticket.id


def history_holds(engine: Engine, ticket_id: str) -> list:
    detail = repository.get_ticket(engine, ticket_id)
    assert check_history(detail.ticket, detail.events) == []
    return detail.events


def test_a_filed_order_is_dispatched_and_its_history_replays_to_it(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE, GAS])
    ticket_id = file_call(engine, "CA-noise", NOISE.topic, "朝阳区", urgent=True)
    events = history_holds(engine, ticket_id)
    assert [(e.kind, e.actor, e.from_status, e.to_status) for e in events] == [
        ("created", "seat", None, "review"), ("dispatched", "catalogue", "review", "dispatched")]
    assert "urgent" in events[1].note
    replayed = replay(events)
    assert (replayed["unit"], replayed["status"]) == ("朝阳区城管执法局", "dispatched")
    assert datetime.fromisoformat(replayed["due_at"]) == ENDED + timedelta(hours=2)


@pytest.fixture
def server(engine: Engine) -> Iterator[str]:
    app = FastAPI()
    app.include_router(routes.router)
    app.include_router(tickets.router)
    app.include_router(handling.router)
    app.include_router(metrics.router)
    app.state.engine = engine
    app.state.dispatch_rules = RULES
    app.state.callback_rules = CallbackRules()
    app.state.metric_weights = MetricWeights()
    with serving(app) as address:
        yield f"http://{address}"


def as_role(engine: Engine, role: Role, unit: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(engine, role, unit=unit)[1]}"}


def test_a_supervisor_assigns_what_the_catalogue_could_not(engine: Engine, server: str) -> None:
    repository.replace_catalogue(engine, [NOISE, GAS])
    no_place = file_call(engine, "CA-noplace", NOISE.topic, None)
    no_entry = file_call(engine, "CA-noentry", "外星人入侵", "海淀区", urgent=True)
    dispatched = file_call(engine, "CA-sent", NOISE.topic, "朝阳区")
    supervisor = as_role(engine, Role.SUPERVISOR)

    queue = httpx.get(f"{server}/api/review", headers=supervisor, timeout=10).json()["tickets"]
    assert [t["id"] for t in queue] == [no_entry, no_place]  # urgent first
    assert all(t["status"] == "review" for t in queue)

    before = datetime.now(UTC)
    answer = httpx.post(f"{server}/api/tickets/{no_place}/assign", headers=supervisor, timeout=10,
                        json={"unit": "朝阳区城管执法局", "co_unit": "望京街道", "note": "工地在望京"})
    assert answer.status_code == 200, answer.text
    ticket = answer.json()
    assert (ticket["status"], ticket["unit"], ticket["co_unit"], ticket["dispatch"]) == (
        "dispatched", "朝阳区城管执法局", "望京街道", "dual")
    due = datetime.fromisoformat(ticket["due_at"])
    assert before + timedelta(hours=72) <= due <= datetime.now(UTC) + timedelta(hours=72)
    events = history_holds(engine, no_place)
    assigned = events[-1]
    assert (assigned.kind, assigned.from_status, assigned.to_status, assigned.note) == (
        "assigned", "review", "dispatched", "工地在望京")
    assert assigned.actor.startswith("supervisor:")

    # No catalogue entry: the supervisor gives the time limit, and an urgent order gets the urgent one.
    missing = httpx.post(f"{server}/api/tickets/{no_entry}/assign", headers=supervisor, timeout=10,
                         json={"unit": "海淀区应急管理局"})
    assert missing.status_code == 422 and "time_limit_hours" in missing.json()["detail"][0]["loc"]
    answer = httpx.post(f"{server}/api/tickets/{no_entry}/assign", headers=supervisor, timeout=10,
                        json={"unit": "海淀区应急管理局", "time_limit_hours": 24})
    assert answer.status_code == 200
    due = datetime.fromisoformat(answer.json()["due_at"]) - datetime.fromisoformat(history_holds(
        engine, no_entry)[-1].at.isoformat())
    assert due == timedelta(hours=2)
    assert httpx.get(f"{server}/api/review", headers=supervisor, timeout=10).json()["tickets"] == []

    # An order already with its unit cannot be assigned: 409 names what may be done now.
    again = httpx.post(f"{server}/api/tickets/{dispatched}/assign", headers=supervisor, timeout=10,
                       json={"unit": "别的单位"})
    assert again.status_code == 409
    assert again.json()["status"] == "dispatched" and again.json()["allowed"][:2] == ["accept", "return"]


def test_refused_assignments_change_nothing(engine: Engine, server: str) -> None:
    repository.replace_catalogue(engine, [NOISE])
    waiting = file_call(engine, "CA-wait", NOISE.topic, None)
    before = repository.get_ticket(engine, waiting)
    url = f"{server}/api/tickets/{waiting}/assign"
    supervisor = as_role(engine, Role.SUPERVISOR)
    refusals = [
        (httpx.post(url, json={"unit": "朝阳区城管执法局"}, timeout=10), 401),
        (httpx.post(url, json={"unit": "朝阳区城管执法局"}, headers=as_role(engine, Role.AGENT), timeout=10), 403),
        (httpx.post(url, json={"unit": "x"}, headers=as_role(engine, Role.UNIT, unit="x"), timeout=10), 403),
        (httpx.post(url, json={"co_unit": "望京街道"}, headers=supervisor, timeout=10), 422),
        (httpx.post(url, json={"unit": "x", "time_limit_hours": -3}, headers=supervisor, timeout=10), 422),
        (httpx.post(url, content=b"{not json", headers={**supervisor, "Content-Type": "application/json"},
                    timeout=10), 422),
        (httpx.post(f"{server}/api/tickets/HL20990101-0001/assign", json={"unit": "x"}, headers=supervisor,
                    timeout=10), 404),
    ]
    assert [r.status_code for r, _ in refusals] == [status for _, status in refusals]
    named = {refusals[3][0].json()["detail"][0]["loc"][-1], refusals[4][0].json()["detail"][0]["loc"][-1]}
    assert named == {"unit", "time_limit_hours"}
    after = repository.get_ticket(engine, waiting)
    assert after.ticket.model_dump() == before.ticket.model_dump()
    assert len(after.events) == len(before.events)


def test_listing_by_an_unknown_status_is_refused_with_the_field_named(engine: Engine, server: str) -> None:
    answer = httpx.get(f"{server}/api/tickets", params={"status": "lost"}, headers=as_role(engine, Role.ADMIN),
                       timeout=10)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "status"]
