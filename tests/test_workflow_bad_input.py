"""Bad input on every step route of the work-order workflow: unknown ids 404, malformed JSON and
bodies missing or breaking a field 422 naming it, keys of the wrong role 403, and no stored order
changed by any of them. On both databases, over a real socket."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine
from workflow_orders import NOISE, as_role, file_order

from server.storage import repository
from server.storage.keys import Role

UNIT = "朝阳区城管执法局"
# Each step route: who may take it, a body it accepts, and a field to break with the value breaking it.
STEPS = [
    ("assign", Role.SUPERVISOR, {"unit": UNIT}, ("unit", "")),
    ("accept", Role.UNIT, {}, None),
    ("return", Role.UNIT, {"reason": "不属我局"}, ("reason", "")),
    ("extension", Role.UNIT, {"hours": 24, "reason": "协调中"}, ("hours", 0)),
    ("extension/decision", Role.SUPERVISOR, {"grant": True}, ("grant", "maybe")),
    ("report", Role.UNIT, {"result": "solved", "text": "已处理"}, ("result", "done")),
]


@pytest.mark.parametrize(("step", "role", "body", "broken"), STEPS, ids=[s[0] for s in STEPS])
def test_bad_input_on_a_step_is_refused_and_changes_nothing(
    engine: Engine, rest_api: str, step: str, role: Role, body: dict, broken: tuple | None
) -> None:
    repository.replace_catalogue(engine, [NOISE])
    order = file_order(engine, f"CA-bad-{step}", NOISE.topic, "朝阳区")
    before = repository.get_ticket(engine, order)
    allowed = as_role(engine, role, unit=UNIT if role == Role.UNIT else None)
    wrong = as_role(engine, Role.AGENT)
    url = f"{rest_api}/api/tickets/{order}/{step}"

    unknown = httpx.post(f"{rest_api}/api/tickets/HL20990101-0001/{step}", json=body, headers=allowed, timeout=10)
    assert unknown.status_code == 404 and "HL20990101-0001" in unknown.json()["detail"]
    assert httpx.post(url, json=body, headers=wrong, timeout=10).status_code == 403
    assert httpx.post(url, json=body, timeout=10).status_code == 401
    if body:
        malformed = httpx.post(url, content=b'{"oops": ', timeout=10,
                               headers={**allowed, "Content-Type": "application/json"})
        assert malformed.status_code == 422
        for field in body:
            missing = {k: v for k, v in body.items() if k != field}
            answer = httpx.post(url, json=missing, headers=allowed, timeout=10)
            assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == field, (step, field)
    if broken is not None:
        field, value = broken
        answer = httpx.post(url, json={**body, field: value}, headers=allowed, timeout=10)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == field
    after = repository.get_ticket(engine, order)
    assert after.ticket.model_dump() == before.ticket.model_dump() and len(after.events) == len(before.events)
