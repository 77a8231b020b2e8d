"""Calls whose node died mid-call, finished by another node (or by the same one, restarted), so that
no caller's request is lost.

While a call is up, the node that answered it holds it by a lease (calls.node, calls.lease_until),
renewed for all the calls it holds every quarter of `[recovery] lease_seconds`; after every turn
the seat's draft (calls.draft: the call's outcome were it to end now) is stored with the turn
(server/telephony/call_record.py). A node killed mid-call (`kill -9`, a power cut) renews nothing,
and once a call's lease has run out the next sweep on any node marks it `interrupted` and:

- a draft on route "ticket" (投诉, 求助, 举报) is filed as a work order held in the review queue,
  not dispatched (the caller never confirmed it), its events by "recovery" saying the call was
  interrupted; unless the call has an order already (an agent filed one);
- a draft on route "handoff" (the caller asked for a person, was in distress, or had not yet said
  what the call is about) leaves an ended handoff without an order, which the console lists for
  someone to call back (server/web/console.py), as it lists a caller who hung up while waiting;
- a call stored no draft before it stopped (no turn answered yet): nothing to file.

Each call is recovered once, even with several nodes sweeping at the same moment: a conditional
UPDATE (still active, lease still run out) takes it, in the transaction that files its order. A
second sweep's UPDATE matches no row: PostgreSQL makes it wait for the first one's row lock and
then checks the condition again; SQLite has one writer at a time.

At start-up a node sweeps before it answers any call, and takes also the calls held under its own
name: it has just started, so none of them is live. That is at once only when `[dialer] node` names
the node (server/config.py's node_name): the default name holds the process id, so a restarted
node has another one and its old calls wait for their leases to run out. Calls stored without a node
(by earlier versions, or by hand) are never swept.

A node that could not reach the database renewed nothing meanwhile, and nor did any node cut off
with it: once it reaches it again it waits a whole lease before it sweeps, so that the others'
live calls are renewed first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, update
from sqlmodel import Session, col, select

from agent.types import CallerRecord, CallOutcome, WorkOrderDraft
from server.config import ConfigError, Settings
from server.storage.calls import WorkOrderLike, apply_outcome
from server.storage.db import session_scope
from server.storage.models import CALL_ACTIVE, CALL_INTERRUPTED, Call, Ticket
from server.storage.tickets import insert_ticket, record_step, ticket_for_call, with_ticket_number_retry
from server.storage.types import utc_now
from server.workflow.lifecycle import Action, next_status

log = logging.getLogger("hotline.recovery")

# Who takes the steps of a recovered call's order, as its events name them.
RECOVERY = "recovery"


@dataclass(frozen=True)
class RecoveryRules:
    """[recovery] in the settings."""

    lease_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RecoveryRules:
        lease = settings.get("recovery", "lease_seconds")
        if isinstance(lease, bool) or not isinstance(lease, int | float) or lease <= 0:
            raise ConfigError(f"recovery.lease_seconds must be a number of seconds above 0, not {lease!r}")
        return cls(lease_seconds=float(lease))

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def check_seconds(self) -> float:
        # Four renewals to a lease: a missed one or two (a busy moment) lose no call.
        return self.lease_seconds / 4


@dataclass(frozen=True)
class RecoveredCall:
    call_id: int
    call_sid: str
    ticket_id: str | None  # the order filed for review, if the draft was one


def renew_leases(engine: Engine, node: str, call_ids: Collection[int], until: datetime) -> int:
    """Extend `node`'s lease on those of `call_ids` it still holds; how many."""
    if not call_ids:
        return 0
    with session_scope(engine) as session:
        renewed = session.execute(
            update(Call)
            .where(col(Call.id).in_(list(call_ids)), col(Call.node) == node, col(Call.status) == CALL_ACTIVE)
            .values(lease_until=until)
        )
        return renewed.rowcount


def recover_calls(
    engine: Engine, node: str, now: datetime, *, own: bool = False, spare: Collection[int] = ()
) -> list[RecoveredCall]:
    """Recover every active call whose lease has run out, and with `own` every call held under
    `node` too (at start-up); never those in `spare` (the calls this node has live)."""
    stale = and_(col(Call.lease_until).is_not(None), col(Call.lease_until) < now)
    if own:
        stale = or_(stale, col(Call.node) == node)
    query = select(Call.id).where(col(Call.status) == CALL_ACTIVE, stale).order_by(col(Call.id))
    with Session(engine) as session:
        candidates = [call_id for call_id in session.exec(query) if call_id not in spare]
    recovered = []
    for call_id in candidates:
        found = with_ticket_number_retry(engine, lambda session, one=call_id: _recover(session, one, stale, now))
        if found is not None:
            recovered.append(found)
    return recovered


def _recover(session: Session, call_id: int, stale: ColumnElement[bool], now: datetime) -> RecoveredCall | None:
    taken = session.execute(
        update(Call).where(col(Call.id) == call_id, col(Call.status) == CALL_ACTIVE, stale)
        .values(status=CALL_INTERRUPTED, ended_at=now)
    )
    if taken.rowcount != 1:
        return None  # another sweep took it, or its node renewed the lease meanwhile
    call = session.get(Call, call_id)
    assert call is not None
    call.error = f"interrupted: its node ({call.node}) stopped before the call ended"
    ticket_id = None
    if call.draft is not None:
        order = apply_outcome(call, outcome_of_draft(call.draft))
        if order is not None and ticket_for_call(session, call_id) is None:
            ticket_id = file_for_review(session, call, order, now).id
    session.add(call)
    return RecoveredCall(call_id=call_id, call_sid=call.call_sid, ticket_id=ticket_id)


def file_for_review(session: Session, call: Call, order: WorkOrderLike, now: datetime) -> Ticket:
    """The interrupted call's draft order, held in the review queue for a supervisor to check."""
    ticket = insert_ticket(
        session, call_id=call.id, category=order.category, topic=order.topic, district=order.district,
        street=order.street, address=order.address, caller_name=order.caller_name, phone=order.phone,
        urgent=order.urgent, police=order.police, summary=order.summary, created_at=now, actor=RECOVERY,
        note="filed from the seat's draft: the call was interrupted before it ended",
    )
    record_step(session, ticket, kind=Action.HOLD, actor=RECOVERY, at=now,
                status=next_status(Action.HOLD, ticket.status),
                note="the call was interrupted: the caller never confirmed this draft; check it before assigning it")
    return ticket


def outcome_of_draft(draft: dict[str, Any]) -> CallOutcome:
    """The stored draft (dataclasses.asdict of a CallOutcome) as the outcome again. Fields this
    version does not know (a draft stored by another version) are left out."""
    order, caller = draft.get("work_order"), draft.get("caller") or {}
    return CallOutcome(**{
        **_known(CallOutcome, draft),
        "work_order": WorkOrderDraft(**_known(WorkOrderDraft, order)) if order else None,
        "caller": CallerRecord(**_known(CallerRecord, caller)),
    })


def _known(kind: type, values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {name: value for name, value in values.items() if name in names}


class CallRecovery:
    """This node's part: renew the leases of the calls it holds (`held`, call ids), and sweep."""

    def __init__(self, engine: Engine, node: str, rules: RecoveryRules, held: Collection[int],
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._node = node
        self._rules = rules
        self._held = held
        self._clock = clock
        self._quiet_until: datetime | None = None  # no sweeping until then (see the module's doc)
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Sweep once, this node's own calls included, then keep renewing and sweeping. Call it
        before the node answers calls."""
        try:
            await self._sweep(own=True)
        except Exception:  # noqa: BLE001 - a node starts even with the database away for a moment
            log.exception("start-up sweep for interrupted calls failed; trying again later")
            self._quiet_until = self._clock() + self._rules.lease
        self._loop = asyncio.create_task(self._run())

    async def tick(self) -> list[RecoveredCall]:
        now = self._clock()
        until = now + self._rules.lease
        await asyncio.to_thread(renew_leases, self._engine, self._node, list(self._held), until)
        if self._quiet_until is not None and now < self._quiet_until:
            return []
        return await self._sweep(own=False)

    async def _sweep(self, own: bool) -> list[RecoveredCall]:
        recovered = await asyncio.to_thread(
            recover_calls, self._engine, self._node, self._clock(), own=own, spare=list(self._held)
        )
        for call in recovered:
            log.warning("call %s was interrupted (its node stopped mid-call)%s", call.call_sid,
                        f": its draft order {call.ticket_id} waits for review" if call.ticket_id else "")
        return recovered

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._rules.check_seconds)
            try:
                await self.tick()
            except Exception:  # noqa: BLE001 - the database away for a while must not end the loop
                log.exception("renewing call leases or sweeping for interrupted calls failed; trying again")
                self._quiet_until = self._clock() + self._rules.lease

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
