"""A handling unit's steps over the REST API with its own key, on both databases: accept, return,
more time asked and decided, the result reported; overdue orders marked; another unit's order and
steps out of turn refused with nothing changed; every history replays to the stored order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine
from workflow_orders import NOISE, as_role, file_order, history_holds

from server.storage import repository
from server.storage.keys import Role

UNIT = "朝阳区城管执法局"  # NOISE's unit for an order in 朝阳区


def post(rest_api: str, path: str, headers: dict[str, str], **body: object) -> httpx.Response:
    return httpx.post(f"{rest_api}{path}", json=body, headers=headers, timeout=10)


def test_a_unit_accepts_asks_for_time_and_reports(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [NOISE])
    order = file_order(engine, "CA-unit", NOISE.topic, "朝阳区")
    unit, supervisor = as_role(engine, Role.UNIT, unit=UNIT), as_role(engine, Role.SUPERVISOR)

    accepted = post(rest_api, f"/api/tickets/{order}/accept", unit)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_at"] is not None
    again = post(rest_api, f"/api/tickets/{order}/accept", unit)
    assert again.status_code == 409 and "accept" not in again.json()["allowed"]

    due = datetime.fromisoformat(accepted.json()["due_at"])
    asked = post(rest_api, f"/api/tickets/{order}/extension", unit, hours=48, reason="需要协调产权单位")
    assert asked.status_code == 200 and asked.json()["extension_hours"] == 48
    twice = post(rest_api, f"/api/tickets/{order}/extension", unit, hours=24, reason="再延")
    assert twice.status_code == 409 and "already waiting" in twice.json()["detail"]
    # The unit cannot grant itself time; a supervisor can.
    assert post(rest_api, f"/api/tickets/{order}/extension/decision", unit, grant=True).status_code == 403
    granted = post(rest_api, f"/api/tickets/{order}/extension/decision", supervisor, grant=True, note="同意")
    assert granted.status_code == 200 and granted.json()["extension_hours"] is None
    assert datetime.fromisoformat(granted.json()["due_at"]) == due + timedelta(hours=48)
    post(rest_api, f"/api/tickets/{order}/extension", unit, hours=12, reason="还差一点")
    refused = post(rest_api, f"/api/tickets/{order}/extension/decision", supervisor, grant=False, note="不同意")
    assert datetime.fromisoformat(refused.json()["due_at"]) == due + timedelta(hours=48)
    none_left = post(rest_api, f"/api/tickets/{order}/extension/decision", supervisor, grant=True)
    assert none_left.status_code == 409 and "no extension" in none_left.json()["detail"]

    bad = post(rest_api, f"/api/tickets/{order}/report", unit, result="done", text="已处理")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "result"]
    reported = post(rest_api, f"/api/tickets/{order}/report", unit, result="solved", text="已责令工地夜间停工")
    assert reported.status_code == 200
    body = reported.json()
    assert (body["status"], body["result"], body["result_text"]) == ("reported", "solved", "已责令工地夜间停工")
    kinds = [e.kind for e in history_holds(engine, order)]
    assert kinds == ["created", "dispatched", "accepted", "extension_asked", "extension_granted",
                     "extension_asked", "extension_refused", "reported", "callbacks_scheduled"]


def test_a_unit_returns_what_is_not_its_own_to_review(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [NOISE])
    order = file_order(engine, "CA-return", NOISE.topic, "朝阳区")
    unit = as_role(engine, Role.UNIT, unit=UNIT)
    assert post(rest_api, f"/api/tickets/{order}/return", unit).status_code == 422  # a reason is needed
    back = post(rest_api, f"/api/tickets/{order}/return", unit, reason="工地在海淀区，不属我局")
    assert back.status_code == 200
    assert (back.json()["status"], back.json()["unit"], back.json()["due_at"]) == ("review", None, None)
    queue = httpx.get(f"{rest_api}/api/review", headers=as_role(engine, Role.SUPERVISOR), timeout=10).json()
    assert [t["id"] for t in queue["tickets"]] == [order]
    returned = history_holds(engine, order)[-1]
    assert (returned.kind, returned.note, returned.from_status) == ("returned", "工地在海淀区，不属我局", "dispatched")
    # Once back in review it is no longer the unit's: no more steps by it.
    assert post(rest_api, f"/api/tickets/{order}/accept", unit).status_code == 403


def test_another_units_order_and_unknown_orders_are_refused_and_unchanged(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [NOISE])
    order = file_order(engine, "CA-other", NOISE.topic, "朝阳区")
    before = repository.get_ticket(engine, order)
    other = as_role(engine, Role.UNIT, unit="海淀区城管执法局")
    answers = [
        post(rest_api, f"/api/tickets/{order}/accept", other),
        post(rest_api, f"/api/tickets/{order}/report", other, result="solved", text="x"),
        post(rest_api, f"/api/tickets/{order}/return", other, reason="x"),
        post(rest_api, f"/api/tickets/{order}/extension", other, hours=1, reason="x"),
        post(rest_api, f"/api/tickets/{order}/accept", as_role(engine, Role.AGENT)),
        post(rest_api, f"/api/tickets/{order}/accept", {"Authorization": "Bearer hk_wrong"}),
        post(rest_api, "/api/tickets/HL20990101-0001/accept", as_role(engine, Role.UNIT, unit=UNIT)),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403, 403, 403, 401, 404]
    after = repository.get_ticket(engine, order)
    assert after.ticket.model_dump() == before.ticket.model_dump() and len(after.events) == len(before.events)


def test_overdue_orders_are_marked_and_listed(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [NOISE])
    late = file_order(engine, "CA-late", NOISE.topic, "朝阳区", ended=datetime(2026, 11, 1, tzinfo=UTC))
    fresh = file_order(engine, "CA-fresh", NOISE.topic, "朝阳区", ended=datetime.now(UTC))
    unit = as_role(engine, Role.UNIT, unit=UNIT)
    listed = httpx.get(f"{rest_api}/api/tickets", headers=unit, timeout=10).json()["tickets"]
    assert {t["id"]: t["overdue"] for t in listed} == {late: True, fresh: False}
    overdue = httpx.get(f"{rest_api}/api/tickets", params={"overdue": "true"}, headers=unit, timeout=10).json()
    assert [t["id"] for t in overdue["tickets"]] == [late]
    # Reported, it owes nothing more: no longer overdue.
    post(rest_api, f"/api/tickets/{late}/accept", unit)
    post(rest_api, f"/api/tickets/{late}/report", unit, result="explained", text="已向来电人解释")
    overdue = httpx.get(f"{rest_api}/api/tickets", params={"overdue": "true"}, headers=unit, timeout=10).json()
    assert overdue["tickets"] == []
    accepted = httpx.get(f"{rest_api}/api/tickets", params={"status": "reported"}, headers=unit, timeout=10).json()
    assert [(t["id"], t["overdue"]) for t in accepted["tickets"]] == [(late, False)]
