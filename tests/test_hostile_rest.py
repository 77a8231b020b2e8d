"""Hostile REST bodies (Hypothesis) over a real socket and both databases: each step that takes a
body (assign, the unit's return, extension and report, a supervisor's extension decision) is sent
to an order where that step is allowed, with bodies that cannot be right — wrong types, empty or
huge strings, numbers out of range, nested junk, not an object, not JSON, not UTF-8. Every one is
answered 4xx (never 5xx), and afterwards every order reads exactly as before."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_harness import close_call
from sqlalchemy import Engine

from agent.types import CallOutcome, WorkOrderDraft
from knowledge.catalogue import CatalogueEntry
from server.storage import repository
from server.storage.keys import Role, create_key

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
not_text = st.none() | st.booleans() | st.integers() | st.floats() | st.lists(junk, max_size=3) | st.dictionaries(
    st.text(max_size=8), junk, max_size=3)


def bad_text(max_length: int) -> st.SearchStrategy[Any]:
    """What a text field of 1..max_length characters can never take."""
    return not_text | st.just("") | st.integers(max_length + 1, max_length + 5000).map(lambda n: "理" * n)


# pydantic takes these for a boolean ("yes", 1, …); anything else is not one.
BOOLEAN_WORDS = {"0", "1", "true", "false", "t", "f", "yes", "no", "y", "n", "on", "off"}
bad_boolean = (
    st.none() | st.lists(junk, max_size=3) | st.dictionaries(st.text(max_size=8), junk, max_size=3)
    | st.text(max_size=10).filter(lambda t: t.strip().lower() not in BOOLEAN_WORDS)
    | st.integers().filter(lambda n: n not in (0, 1)) | st.floats().filter(lambda x: x not in (0.0, 1.0))
)
bad_hours = (  # (pydantic takes true and false for 1 and 0)
    st.none() | st.lists(junk, max_size=3) | st.dictionaries(st.text(max_size=8), junk, max_size=3)
    | st.floats(max_value=0) | st.floats(min_value=24 * 90, exclude_min=True) | st.just(math.nan)
    | st.text(max_size=10).filter(lambda t: not _is_number(t))
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def invalid_body(good: dict[str, Any], bad: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """`good` with one field made bad (or left out, where it is required) and junk fields added."""

    def spoil(name: str, data: st.DataObject) -> dict[str, Any]:
        body = dict(good)
        if data.draw(st.booleans()) and name in REQUIRED:
            del body[name]
        else:
            body[name] = data.draw(bad[name])
        body.update(data.draw(st.dictionaries(st.text(max_size=8).filter(lambda k: k not in good), junk, max_size=2)))
        return body

    return st.tuples(st.sampled_from(sorted(bad)), st.data()).map(lambda args: spoil(*args))


REQUIRED = {"unit", "reason", "hours", "grant", "result", "text"}
STEPS: dict[str, tuple[dict[str, Any], dict[str, st.SearchStrategy[Any]]]] = {
    "assign": ({"unit": "区城管执法局", "note": "退回后改派"},
               {"unit": bad_text(128), "note": not_text | st.just("理" * 2001),
                # Both may be left out: null is theirs to take.
                "co_unit": bad_text(128).filter(lambda v: v is not None),
                "time_limit_hours": bad_hours.filter(lambda v: v is not None)}),
    "return": ({"reason": "不属于本单位职责"}, {"reason": bad_text(2000)}),
    "extension": ({"hours": 24, "reason": "需协调多部门"}, {"hours": bad_hours, "reason": bad_text(2000)}),
    "report": ({"result": "solved", "text": "已清理"},
               {"result": not_text | st.text(max_size=12).filter(lambda t: t not in ("solved", "not_solved",
                                                                                      "explained")),
                "text": bad_text(4000)}),
    "extension/decision": ({"grant": True, "note": "同意"}, {"grant": bad_boolean, "note": not_text}),
}
# Bodies no step takes: not an object, not JSON, not UTF-8, nested past any parser's depth.
NOT_A_BODY = st.one_of(
    junk.filter(lambda value: not isinstance(value, dict)).map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=64),
    st.just(b"\xff\xfe{\"unit\": \"\xe5\x8c\"}"),
    st.just(b"[" * 50_000 + b"]" * 50_000),
    st.just(b'{"unit": ' + b"9" * 5000 + b"}"),
)


def filed(engine: Engine, call_sid: str, topic: str, district: str) -> str:
    """An order filed from a finished call about `topic` in `district` (different places: no 并单); its id."""
    call_id = repository.create_call(engine, call_sid, stream_sid=f"MZ-{call_sid}", caller_number=None,
                                     started_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    order = WorkOrderDraft(topic=topic, category="投诉", district=district, street=None, address=call_sid,
                           caller_name=None, phone=None, urgent=False, police=False, summary=topic)
    outcome = CallOutcome(category="投诉", route="ticket", topic=topic, kb_article=None, urgent=False, police=False,
                          handoff_reason=None, work_order=order)
    close_call(engine, call_id=call_id, outcome=outcome, heard_marks=[],
               ended_at=datetime(2026, 12, 7, 2, 5, tzinfo=UTC))
    return repository.get_call_detail(engine, call_sid).ticket.ticket.id


def test_hostile_bodies_get_4xx_and_change_no_order(engine: Engine, rest_api: str) -> None:
    repository.replace_catalogue(engine, [CatalogueEntry(
        topic="餐饮油烟扰民", keywords=["油烟"], category_hint="投诉", unit="区城管执法局", dispatch="direct",
        co_unit=None, time_limit_hours=72)])
    in_review = filed(engine, "CA-review", "某件目录里没有的事", "海淀区")
    dispatched = filed(engine, "CA-dispatched", "餐饮油烟扰民", "海淀区")
    accepted = filed(engine, "CA-accepted", "餐饮油烟扰民", "朝阳区")
    asked = filed(engine, "CA-asked", "餐饮油烟扰民", "西城区")
    assert repository.get_ticket(engine, in_review).ticket.status == "review"
    supervisor = {"Authorization": f"Bearer {create_key(engine, Role.SUPERVISOR)[1]}"}
    unit_keys = {ticket: {"Authorization": f"Bearer {create_key(engine, Role.UNIT, unit=unit)[1]}"}
                 for ticket in (dispatched, accepted, asked)
                 if (unit := repository.get_ticket(engine, ticket).ticket.unit)}
    assert len(unit_keys) == 3
    with httpx.Client(base_url=rest_api, timeout=30) as client:
        for ticket in (accepted, asked):
            assert client.post(f"/api/tickets/{ticket}/accept", headers=unit_keys[ticket]).status_code == 200
        assert client.post(f"/api/tickets/{asked}/extension", json={"hours": 24, "reason": "需协调"},
                           headers=unit_keys[asked]).status_code == 200
        # Where each step is allowed now, so a body it took would change the order.
        target = {"assign": (in_review, supervisor), "return": (dispatched, unit_keys[dispatched]),
                  "extension": (dispatched, unit_keys[dispatched]), "report": (accepted, unit_keys[accepted]),
                  "extension/decision": (asked, supervisor)}
        tickets = (in_review, dispatched, accepted, asked)
        before = [client.get(f"/api/tickets/{t}", headers=supervisor).json() for t in tickets]

        def send(step: str, content: bytes) -> None:
            ticket, headers = target[step]
            answer = client.post(f"/api/tickets/{ticket}/{step}", content=content,
                                 headers={**headers, "Content-Type": "application/json"})
            assert 400 <= answer.status_code < 500, (step, content[:200], answer.status_code, answer.text[:300])
            assert "detail" in answer.json()

        run(send)
        assert [client.get(f"/api/tickets/{t}", headers=supervisor).json() for t in tickets] == before


def run(send: Callable[[str, bytes], None]) -> None:
    step_and_body = st.sampled_from(sorted(STEPS)).flatmap(
        lambda step: st.tuples(st.just(step), invalid_body(*STEPS[step]).map(lambda b: json.dumps(b).encode())
                               | NOT_A_BODY))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(step_and_body)
    def every(step_body: tuple[str, bytes]) -> None:
        send(*step_body)

    every()
