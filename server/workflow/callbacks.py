"""Callback surveys (回访): when a unit reports, every caller of the order is called back after a
delay, inside calling hours (Asia/Shanghai), and asked: contacted? solved? satisfied?

Any number of nodes share the work through the `callbacks` table: a node claims due callbacks
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so each is claimed by one node; SQLite has one writer at
a time) for `claim_seconds`; a node that dies leaves its claim to expire, and the callback is
claimed again. Busy, no answer or an unclear answer is tried again later, backing off, up to
`max_attempts`; a caller may decline. Every attempt and answer is stored. When all of an order's
callbacks are finished the order closes, unless an unsatisfied answer reopened it (configurable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, select

from server.config import Settings
from server.storage.db import NotFound, session_scope
from server.storage.knowledge_rows import catalogue_entry
from server.storage.models import Callback, CallbackAttempt, Ticket
from server.storage.tickets import record_step
from server.workflow.dispatch import time_limit
from server.workflow.lifecycle import Action, Status, next_status

BEIJING = ZoneInfo("Asia/Shanghai")
SYSTEM = "callbacks"
SATISFACTION = ("满意", "基本满意", "不满意")
# Where a reopened order's new time limit comes from when its topic has no catalogue entry.
_DEFAULT_LIMIT_HOURS = 72.0


class CallbackStatus(StrEnum):
    PENDING = "pending"
    CALLING = "calling"    # claimed by a node
    DONE = "done"          # answered
    DECLINED = "declined"  # the caller did not want the survey
    GAVE_UP = "gave_up"    # no answer after max_attempts


FINISHED = frozenset({CallbackStatus.DONE, CallbackStatus.DECLINED, CallbackStatus.GAVE_UP})


class Outcome(StrEnum):
    ANSWERED = "answered"
    DECLINED = "declined"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    UNCLEAR = "unclear"    # picked up, but the answers could not be read
    FAILED = "failed"      # the line or the dialer failed
    LOST = "lost"          # the node dialling it stopped before saying how it went


@dataclass(frozen=True)
class SurveyAnswers:
    contacted: bool
    solved: bool
    satisfaction: str  # one of SATISFACTION

    def __post_init__(self) -> None:
        if self.satisfaction not in SATISFACTION:
            raise ValueError(f"satisfaction must be one of {SATISFACTION}, not {self.satisfaction!r}")


@dataclass(frozen=True)
class CallbackRules:
    """[callback] in the settings."""

    delay_hours: float = 2.0
    calling_from: time = time(9, 0)
    calling_until: time = time(20, 0)
    max_attempts: int = 3
    retry_minutes: float = 30.0  # after the first failed attempt; doubles each time
    claim_seconds: float = 300.0
    reopen_when_unsatisfied: bool = True
    # [dispatch] urgent_limit_hours: a reopened urgent order is urgent still.
    urgent_limit_hours: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings) -> CallbackRules:
        def get(key: str):  # noqa: ANN202
            return settings.get("callback", key)

        start, end = (time.fromisoformat(part.strip()) for part in str(get("calling_hours")).split("-"))
        return cls(
            delay_hours=float(get("delay_hours")), calling_from=start, calling_until=end,
            max_attempts=int(get("max_attempts")), retry_minutes=float(get("retry_minutes")),
            claim_seconds=float(get("claim_seconds")), reopen_when_unsatisfied=bool(get("reopen_when_unsatisfied")),
            urgent_limit_hours=float(settings.get("dispatch", "urgent_limit_hours")),
        )


def next_calling_time(when: datetime, rules: CallbackRules) -> datetime:
    """`when`, or the start of the next calling hours in Beijing if it falls outside them."""
    local = when.astimezone(BEIJING)
    if local.time() < rules.calling_from:
        local = datetime.combine(local.date(), rules.calling_from, BEIJING)
    elif local.time() >= rules.calling_until:
        local = datetime.combine(local.date() + timedelta(days=1), rules.calling_from, BEIJING)
    return local.astimezone(when.tzinfo)


def schedule(session: Session, order: Ticket, now: datetime, rules: CallbackRules) -> list[Callback]:
    """A callback for each caller with a number: the order's own, and those of orders merged into it."""
    merged = session.exec(select(Ticket).where(Ticket.merged_into == order.id).order_by(col(Ticket.id))).all()
    due = next_calling_time(now + timedelta(hours=rules.delay_hours), rules)
    made: list[Callback] = []
    numbers: set[str] = set()
    for ticket in (order, *merged):
        if not ticket.phone or ticket.phone in numbers:
            continue
        numbers.add(ticket.phone)
        made.append(Callback(ticket_id=ticket.id, order_id=order.id, phone=ticket.phone,
                             status=CallbackStatus.PENDING, due_at=due, created_at=now))
    session.add_all(made)
    note = f"{len(made)} caller(s) to call back from {due.astimezone(BEIJING):%Y-%m-%d %H:%M} (Beijing)"
    record_step(session, order, kind=Action.SCHEDULE_CALLBACKS, actor=SYSTEM, at=now,
                note=note if made else "no caller left a number: nobody to call back")
    return made


def claim_due(engine: Engine, node: str, now: datetime, rules: CallbackRules, limit: int = 10) -> list[Callback]:
    """Claim up to `limit` callbacks that are due, or whose claim expired, for `node` to dial now.
    Each due callback goes to exactly one node; each claim is a new attempt."""
    due = or_(
        and_(col(Callback.status) == CallbackStatus.PENDING, col(Callback.due_at) <= now),
        and_(col(Callback.status) == CallbackStatus.CALLING, col(Callback.claim_until) < now),
    )
    with session_scope(engine) as session:
        query = select(Callback).where(due).order_by(col(Callback.due_at), col(Callback.id)).limit(limit)
        candidates = [(c.id, c.status) for c in session.exec(query.with_for_update(skip_locked=True))]
        claimed_ids = []
        for callback_id, status in candidates:
            # PostgreSQL's SKIP LOCKED already keeps other nodes off these rows; the update checks
            # again that the row is still due, which is what keeps a second scheduler on SQLite
            # (no row locks) from claiming it twice.
            taken = session.execute(
                update(Callback).where(col(Callback.id) == callback_id, due).values(
                    status=CallbackStatus.CALLING, claimed_by=node,
                    claim_until=now + timedelta(seconds=rules.claim_seconds), attempts=col(Callback.attempts) + 1,
                )
            )
            if taken.rowcount != 1:
                continue
            if status == CallbackStatus.CALLING:
                _close_lost_attempts(session, callback_id, now)
            session.add(CallbackAttempt(callback_id=callback_id, node=node, started_at=now))
            claimed_ids.append(callback_id)
        session.flush()
        session.expire_all()
        return [session.get(Callback, callback_id) for callback_id in claimed_ids]


def held_by(engine: Engine, node: str, now: datetime) -> int:
    """How many callbacks `node` has under way (claimed, being rung or surveyed, claim not expired)."""
    with session_scope(engine) as session:
        return len(session.exec(select(Callback.id).where(
            Callback.status == CallbackStatus.CALLING, Callback.claimed_by == node, col(Callback.claim_until) >= now,
        )).all())


def _close_lost_attempts(session: Session, callback_id: int, now: datetime) -> None:
    open_attempts = session.exec(select(CallbackAttempt).where(
        CallbackAttempt.callback_id == callback_id, col(CallbackAttempt.outcome).is_(None)))
    for attempt in open_attempts:
        attempt.outcome, attempt.ended_at = Outcome.LOST, now
        attempt.note = f"{attempt.node}'s claim expired before it reported"
        session.add(attempt)


def finish(
    engine: Engine,
    callback_id: int,
    *,
    node: str,
    outcome: Outcome,
    now: datetime,
    rules: CallbackRules,
    answers: SurveyAnswers | None = None,
    note: str = "",
    attempt_id: int | None = None,
) -> Callback:
    """How `node`'s attempt (`attempt_id`, else its latest) went. Answered: the answers are kept and
    the order closes (or reopens); declined: finished; anything else: tried again later, or given up
    after `max_attempts`. A node whose claim another has taken since only records its attempt."""
    if outcome == Outcome.ANSWERED and answers is None:
        raise ValueError("an answered survey needs its answers")
    with session_scope(engine) as session:
        callback = session.get(Callback, callback_id, with_for_update=True)
        if callback is None:
            raise NotFound(f"no callback {callback_id}")
        # The node's attempt, open, or marked lost when its claim expired and the callback was
        # claimed again (by another node, or by this one: hence the attempt is named where known):
        # what was answered is kept either way, but only the current claim's attempt settles it.
        query = select(CallbackAttempt).where(
            CallbackAttempt.callback_id == callback_id, CallbackAttempt.node == node,
            or_(col(CallbackAttempt.outcome).is_(None), col(CallbackAttempt.outcome) == Outcome.LOST),
        )
        if attempt_id is not None:
            query = query.where(CallbackAttempt.id == attempt_id)
        attempt = session.exec(query.order_by(col(CallbackAttempt.id).desc())).first()
        late = attempt is not None and attempt.outcome == Outcome.LOST
        if attempt is not None:
            attempt.outcome, attempt.ended_at = outcome, now
            attempt.note = note + (" (after its claim expired)" if late else "")
            attempt.answers = answers.__dict__ if answers else None
            session.add(attempt)
        if late or callback.status != CallbackStatus.CALLING or callback.claimed_by != node:
            return callback  # claimed again meanwhile: that claim's attempt decides
        callback.claimed_by = callback.claim_until = None
        if outcome == Outcome.ANSWERED and answers is not None:
            callback.status = CallbackStatus.DONE
            callback.contacted, callback.solved, callback.satisfaction = (
                answers.contacted, answers.solved, answers.satisfaction)
        elif outcome == Outcome.DECLINED:
            callback.status = CallbackStatus.DECLINED
        elif callback.attempts >= rules.max_attempts:
            callback.status = CallbackStatus.GAVE_UP
        else:
            callback.status = CallbackStatus.PENDING
            wait = timedelta(minutes=rules.retry_minutes * 2 ** (callback.attempts - 1))
            callback.due_at = next_calling_time(now + wait, rules)
        if callback.status in FINISHED:
            callback.finished_at = now
        session.add(callback)
        session.flush()
        if callback.status in FINISHED:
            _settle_order(session, callback, now, rules)
        return callback


def _settle_order(session: Session, callback: Callback, now: datetime, rules: CallbackRules) -> None:
    """An unsatisfied answer reopens the order (to its unit, with a new time limit); once every
    callback of a reported order is finished, it closes."""
    order = session.get(Ticket, callback.order_id, with_for_update=True)
    if order is None or order.status != Status.REPORTED:
        return
    if callback.satisfaction == "不满意" and rules.reopen_when_unsatisfied:
        entry = catalogue_entry(session, order.topic)
        hours = entry.time_limit_hours if entry else _DEFAULT_LIMIT_HOURS
        limit = timedelta(hours=time_limit(hours, order.urgent, rules.urgent_limit_hours))
        record_step(session, order, kind=Action.REOPEN, actor=SYSTEM, at=now,
                    note=f"caller of {callback.ticket_id} not satisfied",
                    status=next_status(Action.REOPEN, order.status), due_at=now + limit, accepted_at=None,
                    reported_at=None, result=None, result_text=None)
        return
    unfinished = session.exec(select(Callback.id).where(
        Callback.order_id == order.id, col(Callback.status).not_in(list(FINISHED)))).first()
    if unfinished is None:
        record_step(session, order, kind=Action.CLOSE, actor=SYSTEM, at=now, note="every caller called back",
                    status=next_status(Action.CLOSE, order.status))
