"""Dispatch by the responsibility catalogue, the review queue a supervisor assigns from, and ticket
histories that replay to the stored order: on both databases, the REST steps over a real socket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine
from workflow_orders import ENDED, GAS, NOISE, as_role, file_order, history_holds

from server.storage import repository
from server.storage.keys import Role
from server.workflow.dispatch import plan_dispatch
from server.workflow.history import replay
from server.workflow.lifecycle import Action, IllegalTransition, Status, next_status


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


def test_a_filed_order_is_dispatched_and_its_history_replays_to_it(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE, GAS])
    ticket_id = file_order(engine, "CA-noise", NOISE.topic, "朝阳区", urgent=True)
    events = history_holds(engine, ticket_id)
    assert [(e.kind, e.actor, e.from_status, e.to_status) for e in events] == [
        ("created", "seat", None, "review"), ("dispatched", "catalogue", "review", "dispatched")]
    assert "urgent" in events[1].note
    replayed = replay(events)
    assert (replayed["unit"], replayed["status"]) == ("朝阳区城管执法局", "dispatched")
    assert datetime.fromisoformat(replayed["due_at"]) == ENDED + timedelta(hours=2)


def test_a_supervisor_assigns_what_the_catalogue_could_not(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [NOISE, GAS])
    no_place = file_order(engine, "CA-noplace", NOISE.topic, None)
    no_entry = file_order(engine, "CA-noentry", "外星人入侵", "海淀区", urgent=True)
    dispatched = file_order(engine, "CA-sent", NOISE.topic, "朝阳区")
    supervisor = as_role(engine, Role.SUPERVISOR)

    queue = httpx.get(f"{rest_api}/api/review", headers=supervisor, timeout=10).json()["tickets"]
    assert [t["id"] for t in queue] == [no_entry, no_place]  # urgent first
    assert all(t["status"] == "review" for t in queue)

    before = datetime.now(UTC)
    answer = httpx.post(f"{rest_api}/api/tickets/{no_place}/assign", headers=supervisor, timeout=10,
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
    missing = httpx.post(f"{rest_api}/api/tickets/{no_entry}/assign", headers=supervisor, timeout=10,
                         json={"unit": "海淀区应急管理局"})
    assert missing.status_code == 422 and "time_limit_hours" in missing.json()["detail"][0]["loc"]
    answer = httpx.post(f"{rest_api}/api/tickets/{no_entry}/assign", headers=supervisor, timeout=10,
                        json={"unit": "海淀区应急管理局", "time_limit_hours": 24})
    assert answer.status_code == 200
    due = datetime.fromisoformat(answer.json()["due_at"]) - datetime.fromisoformat(history_holds(
        engine, no_entry)[-1].at.isoformat())
    assert due == timedelta(hours=2)
    assert httpx.get(f"{rest_api}/api/review", headers=supervisor, timeout=10).json()["tickets"] == []

    # An order already with its unit cannot be assigned: 409 names what may be done now.
    again = httpx.post(f"{rest_api}/api/tickets/{dispatched}/assign", headers=supervisor, timeout=10,
                       json={"unit": "别的单位"})
    assert again.status_code == 409
    assert again.json()["status"] == "dispatched" and again.json()["allowed"][:2] == ["accept", "return"]


def test_refused_assignments_change_nothing(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [NOISE])
    waiting = file_order(engine, "CA-wait", NOISE.topic, None)
    before = repository.get_ticket(engine, waiting)
    url = f"{rest_api}/api/tickets/{waiting}/assign"
    supervisor = as_role(engine, Role.SUPERVISOR)
    refusals = [
        (httpx.post(url, json={"unit": "朝阳区城管执法局"}, timeout=10), 401),
        (httpx.post(url, json={"unit": "朝阳区城管执法局"}, headers=as_role(engine, Role.AGENT), timeout=10), 403),
        (httpx.post(url, json={"unit": "x"}, headers=as_role(engine, Role.UNIT, unit="x"), timeout=10), 403),
        (httpx.post(url, json={"co_unit": "望京街道"}, headers=supervisor, timeout=10), 422),
        (httpx.post(url, json={"unit": "x", "time_limit_hours": -3}, headers=supervisor, timeout=10), 422),
        (httpx.post(url, content=b"{not json", headers={**supervisor, "Content-Type": "application/json"},
                    timeout=10), 422),
        (httpx.post(f"{rest_api}/api/tickets/HL20990101-0001/assign", json={"unit": "x"}, headers=supervisor,
                    timeout=10), 404),
    ]
    assert [r.status_code for r, _ in refusals] == [status for _, status in refusals]
    named = {refusals[3][0].json()["detail"][0]["loc"][-1], refusals[4][0].json()["detail"][0]["loc"][-1]}
    assert named == {"unit", "time_limit_hours"}
    after = repository.get_ticket(engine, waiting)
    assert after.ticket.model_dump() == before.ticket.model_dump()
    assert len(after.events) == len(before.events)


def test_listing_by_an_unknown_status_is_refused_with_the_field_named(engine: Engine, rest_api: str) -> None:
    answer = httpx.get(f"{rest_api}/api/tickets", params={"status": "lost"}, headers=as_role(engine, Role.ADMIN),
                       timeout=10)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "status"]
