"""Calls whose node died, finished by a sweep on another node (server/workflow/recovery.py): marked
interrupted, their draft order filed for review, once however many nodes sweep. On SQLite and
PostgreSQL; the drafts come from a real offline seat hearing the caller's words."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from seat_calls import play
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from agent.knowledge import SeatKnowledge
from server.storage import repository
from server.storage.models import Call, Ticket
from server.telephony.call_record import draft_of
from server.workflow.recovery import (
    RECOVERY,
    CallRecovery,
    RecoveredCall,
    RecoveryRules,
    recover_calls,
    renew_leases,
)

COMPLAINT = ("你好，我要投诉，我们小区旁边有个工地，天天晚上十一二点还在施工，打桩的声音特别响",
             "朝阳区望京街道望京西园三区", "我姓王，电话13812345678")
NOW = datetime.now(UTC)


def held_call(engine: Engine, sid: str, node: str = "node-a", lease_left_s: float = -1.0,
              draft: dict | None = None) -> int:
    """A call `node` answered, holding it until `lease_left_s` from NOW (past, if negative), with one
    turn and the seat's draft stored, as a live call's writes leave it."""
    call_id = repository.create_call(engine, sid, caller_number="13700001111", started_at=NOW - timedelta(minutes=2),
                                     node=node, lease_until=NOW + timedelta(seconds=lease_left_s))
    repository.add_turn(engine, call_id=call_id, index=0, asr_text="喂", reply_text="您好，请讲")
    if draft is not None:
        repository.save_draft(engine, call_id, draft)
    return call_id


def orders_of(engine: Engine, call_id: int) -> list[Ticket]:
    with Session(engine) as session:
        return list(session.exec(select(Ticket).where(Ticket.call_id == call_id)))


def test_a_call_whose_lease_ran_out_is_interrupted_and_its_draft_filed_for_review(
    engine: Engine, knowledge: SeatKnowledge
) -> None:
    draft = draft_of(play(knowledge, *COMPLAINT))
    call_id = held_call(engine, "CA-dead", draft=draft)
    with engine.connect() as connection:  # the draft holds the caller's name and number: sealed
        stored = connection.execute(text("SELECT draft FROM calls WHERE id = :id"), {"id": call_id}).scalar_one()
    assert stored.startswith("hl1:") and "13812345678" not in stored

    (recovered,) = recover_calls(engine, "node-b", NOW)
    assert (recovered.call_id, recovered.call_sid) == (call_id, "CA-dead") and recovered.ticket_id

    detail = repository.get_call_detail(engine, "CA-dead")
    assert detail is not None
    call = detail.call
    assert (call.status, call.ended_at, call.category, call.route) == ("interrupted", NOW, "投诉", "ticket")
    assert "node-a" in (call.error or "") and call.callback_number == "13812345678"
    assert (call.district, call.street, call.caller_name) == ("朝阳区", "望京街道", "王先生/女士")
    assert [t.asr_text for t in detail.turns] == ["喂"]  # what was stored stays
    ticket = detail.ticket
    assert ticket is not None and ticket.ticket.id == recovered.ticket_id
    order = ticket.ticket
    assert (order.status, order.category, order.phone) == ("review", "投诉", "13812345678")
    assert order.topic == "噪音扰民-夜间施工"
    assert order.summary == draft["work_order"]["summary"] and order.unit is None  # held, not dispatched
    assert [(e.kind, e.actor) for e in ticket.events] == [("created", RECOVERY), ("held_for_review", RECOVERY)]
    assert all("interrupted" in e.note for e in ticket.events)


def test_live_calls_and_calls_without_a_lease_are_left_alone(engine: Engine, knowledge: SeatKnowledge) -> None:
    draft = draft_of(play(knowledge, *COMPLAINT))
    held_call(engine, "CA-live", lease_left_s=30, draft=draft)
    repository.create_call(engine, "CA-no-node")  # stored without a node: nobody holds it
    ended = held_call(engine, "CA-ended", draft=draft)
    repository.finish_call(engine, call_id=ended, outcome=None, file_order=lambda *_: None)
    assert recover_calls(engine, "node-b", NOW) == []
    assert {c.call_sid: c.status for c in repository.list_calls(engine)} == {
        "CA-live": "active", "CA-no-node": "active", "CA-ended": "ended"}


def test_at_start_up_a_node_takes_back_the_calls_held_under_its_name(engine: Engine) -> None:
    mine = held_call(engine, "CA-mine", node="node-b", lease_left_s=30)
    held_call(engine, "CA-theirs", node="node-a", lease_left_s=30)
    spared = held_call(engine, "CA-spared", node="node-b", lease_left_s=30)
    recovered = recover_calls(engine, "node-b", NOW, own=True, spare=[spared])
    assert [r.call_id for r in recovered] == [mine]
    # No draft stored (the call stopped before the seat answered anything): nothing to file.
    call = repository.get_call(engine, "CA-mine")
    assert call is not None and (call.status, call.route, recovered[0].ticket_id) == ("interrupted", None, None)


def test_only_a_request_becomes_an_order(engine: Engine, knowledge: SeatKnowledge) -> None:
    asked = held_call(engine, "CA-asked", draft=draft_of(play(knowledge, "我想问一下居住证怎么办，需要什么条件")))
    handed = held_call(engine, "CA-handed", draft=draft_of(play(knowledge, "我不想跟机器说，你给我转人工")))
    recovered = recover_calls(engine, "node-b", NOW)
    assert {r.call_id: r.ticket_id for r in recovered} == {asked: None, handed: None}
    assert orders_of(engine, asked) == orders_of(engine, handed) == []
    # A caller cut off while waiting for a person is owed a call back: the console lists them.
    owed = repository.handoffs_without_order(engine, NOW - timedelta(hours=1))
    assert [c.call_sid for c in owed] == ["CA-handed"]
    assert repository.get_call(engine, "CA-asked").route == "answer"


def test_a_call_that_has_an_order_gets_no_second_one(engine: Engine, knowledge: SeatKnowledge) -> None:
    call_id = held_call(engine, "CA-taken", draft=draft_of(play(knowledge, *COMPLAINT)))
    filed = repository.save_ticket(engine, call_id=call_id, category="投诉", summary="坐席代填", actor="agent:1")
    (recovered,) = recover_calls(engine, "node-b", NOW)
    assert recovered.ticket_id is None and [t.id for t in orders_of(engine, call_id)] == [filed.id]


def sweeping_at_once(engine: Engine, nodes: list[str]) -> list[RecoveredCall]:
    """What sweeps on `nodes`, started together in threads, recovered between them."""
    start = threading.Barrier(len(nodes))
    found: list[RecoveredCall] = []

    def sweep(node: str) -> None:
        start.wait()
        found.extend(recover_calls(engine, node, NOW))

    sweepers = [threading.Thread(target=sweep, args=(node,)) for node in nodes]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join()
    return found


def test_two_nodes_sweeping_at_once_recover_each_call_once(engine: Engine, knowledge: SeatKnowledge) -> None:
    draft = draft_of(play(knowledge, *COMPLAINT))
    for round_ in range(3):
        calls = [held_call(engine, f"CA-race-{round_}-{n}", draft=draft) for n in range(4)]
        recovered = sweeping_at_once(engine, ["node-b", "node-c"])
        assert sorted(r.call_id for r in recovered) == calls
        assert [len(orders_of(engine, call_id)) for call_id in calls] == [1, 1, 1, 1]


def test_a_node_renews_the_leases_of_the_calls_it_holds(engine: Engine) -> None:
    mine = held_call(engine, "CA-mine", node="node-b", lease_left_s=5)
    theirs = held_call(engine, "CA-theirs", node="node-a", lease_left_s=5)
    later = NOW + timedelta(minutes=1)
    assert renew_leases(engine, "node-b", [mine, theirs], later) == 1
    with Session(engine) as session:
        assert {c.call_sid: c.lease_until for c in session.exec(select(Call))} == {
            "CA-mine": later, "CA-theirs": NOW + timedelta(seconds=5)}


def test_the_node_loop_keeps_its_own_calls_and_recovers_the_dead_ones(engine: Engine) -> None:
    dead = held_call(engine, "CA-dead", node="node-a", lease_left_s=-5)
    before_restart = held_call(engine, "CA-before-restart", node="node-b", lease_left_s=30)
    held: set[int] = set()
    recovery = CallRecovery(engine, "node-b", RecoveryRules(lease_seconds=60), held, clock=lambda: NOW)

    async def run() -> tuple[list[str], int, list[int]]:
        await recovery.start()  # before any call: every call held under its name is dead
        at_start = [c.call_sid for c in repository.list_calls(engine) if c.status == "interrupted"]
        # A call answered since, its lease lapsed (a busy moment): held, so renewed, never swept.
        live = held_call(engine, "CA-live", node="node-b", lease_left_s=-5)
        held.add(live)
        try:
            return at_start, live, [r.call_id for r in await recovery.tick()]
        finally:
            await recovery.stop()

    at_start, live, recovered = asyncio.run(run())
    assert sorted(at_start) == ["CA-before-restart", "CA-dead"] and recovered == []
    assert {dead, before_restart}.isdisjoint({live})
    call = repository.get_call(engine, "CA-live")
    assert call is not None and call.status == "active" and call.lease_until == NOW + timedelta(minutes=1)
