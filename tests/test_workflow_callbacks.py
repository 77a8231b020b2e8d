"""Callback surveys as stored work: scheduled when a unit reports (every caller, inside calling
hours), claimed by exactly one node even when nodes race, retried with back-off, claims that
expire taken over, answers kept, and the order closed or reopened by them. On both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from workflow_orders import NOISE, attempts_of, callbacks_of, history_holds, reported_order

from server.storage import repository
from server.storage.models import CallbackAttempt
from server.workflow import callbacks
from server.workflow.callbacks import CallbackRules, Outcome, SurveyAnswers, claim_due, finish, next_calling_time

UNIT = "朝阳区城管执法局"
RULES = CallbackRules(delay_hours=2, calling_from=time(9), calling_until=time(20), max_attempts=3,
                      retry_minutes=30, claim_seconds=300)
PLEASED = SurveyAnswers(contacted=True, solved=True, satisfaction="满意")
DISPLEASED = SurveyAnswers(contacted=True, solved=False, satisfaction="不满意")


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=callbacks.BEIJING).astimezone(UTC)


@pytest.mark.parametrize(("when", "called"), [
    (beijing(7, 10), beijing(7, 10)),       # inside calling hours: as it is
    (beijing(7, 7, 30), beijing(7, 9)),     # early morning: at nine
    (beijing(7, 20), beijing(8, 9)),        # from eight in the evening: next morning
    (beijing(7, 23, 50), beijing(8, 9)),
])
def test_calls_go_out_inside_calling_hours_beijing_time(when: datetime, called: datetime) -> None:
    assert next_calling_time(when, RULES) == called


def test_a_report_schedules_a_callback_for_every_caller(engine: Engine) -> None:
    order = reported_order(engine, "13800001111", "13911112222")  # the last: the first caller again
    owed = callbacks_of(engine, order)
    assert [c.phone for c in owed] == ["13911112222", "13800001111"]
    assert all(c.status == "pending" and c.attempts == 0 for c in owed)
    reported = repository.get_ticket(engine, order).ticket.reported_at
    assert owed[0].due_at == next_calling_time(reported + timedelta(hours=2), RULES)
    assert history_holds(engine, order)[-1].kind == "callbacks_scheduled"


def test_answers_close_the_order_once_every_caller_is_called_back(engine: Engine) -> None:
    order = reported_order(engine, "13800001111")
    first, second = callbacks_of(engine, order)
    now = first.due_at
    claimed = claim_due(engine, "node-a", now, RULES)
    assert {c.id for c in claimed} == {first.id, second.id}
    finish(engine, first.id, node="node-a", outcome=Outcome.ANSWERED, answers=PLEASED, now=now, rules=RULES)
    assert repository.get_ticket(engine, order).ticket.status == "reported"  # one caller still owed
    finish(engine, second.id, node="node-a", outcome=Outcome.DECLINED, now=now, rules=RULES)
    assert repository.get_ticket(engine, order).ticket.status == "closed"
    done, declined = callbacks_of(engine, order)
    assert (done.status, done.contacted, done.solved, done.satisfaction) == ("done", True, True, "满意")
    assert declined.status == "declined"
    history_holds(engine, order)


@pytest.mark.parametrize("reopen", [True, False])
def test_an_unsatisfied_caller_reopens_the_order_where_the_rule_says_so(engine: Engine, reopen: bool) -> None:
    rules = CallbackRules(reopen_when_unsatisfied=reopen)
    order = reported_order(engine)
    (owed,) = callbacks_of(engine, order)
    claim_due(engine, "node-a", owed.due_at, rules)
    finish(engine, owed.id, node="node-a", outcome=Outcome.ANSWERED, answers=DISPLEASED, now=owed.due_at,
           rules=rules)
    ticket = repository.get_ticket(engine, order).ticket
    if reopen:
        assert (ticket.status, ticket.unit, ticket.result) == ("dispatched", UNIT, None)
        assert ticket.due_at == owed.due_at + timedelta(hours=NOISE.time_limit_hours)
        assert history_holds(engine, order)[-1].kind == "reopened"
    else:
        assert ticket.status == "closed"


def test_a_reopened_urgent_order_has_the_urgent_time_limit_again(engine: Engine) -> None:
    rules = CallbackRules(urgent_limit_hours=2.0)
    order = reported_order(engine, urgent=True)
    (owed,) = callbacks_of(engine, order)
    claim_due(engine, "node-a", owed.due_at, rules)
    finish(engine, owed.id, node="node-a", outcome=Outcome.ANSWERED, answers=DISPLEASED, now=owed.due_at,
           rules=rules)
    ticket = repository.get_ticket(engine, order).ticket
    assert ticket.status == "dispatched" and ticket.urgent
    assert ticket.due_at == owed.due_at + timedelta(hours=2), "not the topic's 72 h"


def test_no_answer_is_tried_again_later_then_given_up(engine: Engine) -> None:
    order = reported_order(engine)
    (owed,) = callbacks_of(engine, order)
    now = beijing(9, 10)
    waits = []
    for outcome in (Outcome.BUSY, Outcome.NO_ANSWER, Outcome.UNCLEAR):
        (claimed,) = claim_due(engine, "node-a", max(now, owed.due_at), RULES)
        after = finish(engine, claimed.id, node="node-a", outcome=outcome, now=max(now, owed.due_at), rules=RULES)
        waits.append((after.status, after.due_at - max(now, owed.due_at)))
        now = after.due_at
    assert waits[:2] == [("pending", timedelta(minutes=30)), ("pending", timedelta(minutes=60))]
    assert waits[2][0] == "gave_up"
    assert repository.get_ticket(engine, order).ticket.status == "closed"
    with Session(engine) as session:
        outcomes = session.exec(select(CallbackAttempt.outcome).order_by(CallbackAttempt.id)).all()
    assert outcomes == ["busy", "no_answer", "unclear"]


def test_a_claim_left_by_a_dead_node_expires_and_is_taken_over(engine: Engine) -> None:
    order = reported_order(engine)
    (owed,) = callbacks_of(engine, order)
    start = owed.due_at
    assert len(claim_due(engine, "node-a", start, RULES)) == 1
    assert claim_due(engine, "node-b", start + timedelta(seconds=299), RULES) == []  # still node-a's
    (taken,) = claim_due(engine, "node-b", start + timedelta(seconds=301), RULES)
    assert (taken.claimed_by, taken.attempts) == ("node-b", 2)
    # node-a comes back late: its attempt is recorded, the callback is node-b's.
    late = finish(engine, owed.id, node="node-a", outcome=Outcome.ANSWERED, answers=DISPLEASED,
                  now=start + timedelta(seconds=400), rules=RULES)
    assert (late.status, late.claimed_by) == ("calling", "node-b")
    finish(engine, owed.id, node="node-b", outcome=Outcome.ANSWERED, answers=PLEASED,
           now=start + timedelta(seconds=420), rules=RULES)
    with Session(engine) as session:
        attempts = session.exec(select(CallbackAttempt).order_by(CallbackAttempt.id)).all()
    assert [(a.node, a.outcome) for a in attempts] == [("node-a", "answered"), ("node-b", "answered")]
    assert repository.get_ticket(engine, order).ticket.status == "closed"


def test_racing_nodes_claim_each_due_callback_exactly_once(engine: Engine) -> None:
    order = reported_order(engine, *(f"1380000{i:04d}" for i in range(1, 120)))
    owed = callbacks_of(engine, order)
    assert len(owed) == 120
    now = owed[0].due_at
    claims: dict[str, list[int]] = {"node-a": [], "node-b": [], "node-c": []}

    def run(node: str) -> None:
        while batch := claim_due(engine, node, now, RULES, limit=7):
            claims[node].extend(c.id for c in batch)

    threads = [threading.Thread(target=run, args=(node,)) for node in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    everything = [cid for ids in claims.values() for cid in ids]
    assert sorted(everything) == sorted(c.id for c in owed)  # each claimed, none twice
    assert all(c.attempts == 1 for c in callbacks_of(engine, order))


def test_a_late_answer_from_a_claim_that_expired_keeps_its_answers_but_the_new_claim_decides(engine: Engine) -> None:
    order = reported_order(engine)
    (callback,) = callbacks_of(engine, order)
    now = callback.due_at
    claim_due(engine, "node-a", now, RULES)
    later = now + timedelta(seconds=RULES.claim_seconds + 1)
    claim_due(engine, "node-a", later, RULES)  # its own claim expired: node-a claims it again
    first, second = attempts_of(engine, callback.id)
    assert first.outcome == "lost" and second.outcome is None
    # The first survey's answers arrive late, for the first attempt.
    finish(engine, callback.id, node="node-a", outcome=Outcome.ANSWERED, answers=DISPLEASED, now=later,
           rules=RULES, attempt_id=first.id)
    first, second = attempts_of(engine, callback.id)
    assert first.outcome == "answered" and first.answers["satisfaction"] == "不满意" and second.outcome is None
    assert callbacks_of(engine, order)[0].status == "calling"  # the second attempt is still under way
    finish(engine, callback.id, node="node-a", outcome=Outcome.ANSWERED, answers=PLEASED, now=later,
           rules=RULES, attempt_id=second.id)
    assert callbacks_of(engine, order)[0].satisfaction == "满意"


def test_a_node_counts_the_callbacks_it_has_under_way(engine: Engine) -> None:
    order = reported_order(engine, "13800001111", "13800002222")
    owed = callbacks_of(engine, order)
    now = owed[0].due_at
    assert callbacks.held_by(engine, "node-a", now) == 0
    claim_due(engine, "node-a", now, RULES, limit=2)
    assert callbacks.held_by(engine, "node-a", now) == 2 and callbacks.held_by(engine, "node-b", now) == 0
    finish(engine, owed[0].id, node="node-a", outcome=Outcome.BUSY, now=now, rules=RULES)
    assert callbacks.held_by(engine, "node-a", now) == 1
    # A claim that has expired is no longer under way.
    assert callbacks.held_by(engine, "node-a", now + timedelta(seconds=RULES.claim_seconds + 1)) == 0
