"""Calls and their turns: what the call session writes while a call runs, and reads back later.

Writers key calls by the integer id create_call returns (cheap, and what the call session holds);
readers key them by the gateway's call_sid (what a URL or a log line carries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from server.storage.db import NotFound, session_scope
from server.storage.models import CALL_ENDED, CALL_FAILED, Call, Ticket, Turn
from server.storage.tickets import TicketDetail, ticket_for_call, with_ticket_number_retry
from server.storage.types import utc_now


class WorkOrderLike(Protocol):
    """agent.types.WorkOrderDraft, as far as storage reads it (storage does not import agent)."""

    topic: str | None
    category: str | None
    district: str | None
    street: str | None
    address: str | None
    caller_name: str | None
    phone: str | None
    urgent: bool
    police: bool
    summary: str


class CallerLike(Protocol):
    """agent.types.CallerRecord: who called and where the call is about."""

    caller_name: str | None
    phone: str | None
    district: str | None
    street: str | None
    address: str | None


class OutcomeLike(Protocol):
    """agent.types.CallOutcome, as far as storage reads it."""

    caller: CallerLike
    category: str | None
    route: str
    topic: str | None
    kb_article: str | None
    urgent: bool
    police: bool
    handoff_reason: str | None
    work_order: WorkOrderLike | None


@dataclass
class CallDetail:
    call: Call
    turns: list[Turn]
    ticket: TicketDetail | None = None


def create_call(
    engine: Engine,
    call_sid: str,
    *,
    stream_sid: str | None = None,
    caller_number: str | None = None,
    started_at: datetime | None = None,
    node: str | None = None,
    lease_until: datetime | None = None,
) -> int:
    """Record a call that has just started; returns its id. The caller's number is the default
    callback number. `node` holds the call until `lease_until` (server/workflow/recovery.py)."""
    call = Call(
        call_sid=call_sid,
        stream_sid=stream_sid,
        caller_number=caller_number,
        callback_number=caller_number,
        started_at=started_at or utc_now(),
        node=node,
        lease_until=lease_until,
    )
    with session_scope(engine) as session:
        session.add(call)
        session.flush()
        assert call.id is not None
        return call.id


def store_unserved_call(
    engine: Engine,
    call_sid: str,
    *,
    route: str,
    started_at: datetime,
    stream_sid: str | None = None,
    caller_number: str | None = None,
    heard_marks: Iterable[str] = (),
    error: str | None = None,
) -> int:
    """A call that ended while it waited for a line (server/telephony/line_queue.py), stored whole
    at its end: `route` says how ("abandoned": the caller hung up; "queue_timeout": told to call
    back later). It never reached the seat, so it has no turns and no outcome."""
    call = Call(
        call_sid=call_sid, stream_sid=stream_sid, caller_number=caller_number, callback_number=caller_number,
        started_at=started_at, ended_at=utc_now(), status=CALL_FAILED if error else CALL_ENDED, route=route,
        heard_marks=list(heard_marks), error=error,
    )
    with session_scope(engine) as session:
        session.add(call)
        session.flush()
        assert call.id is not None
        return call.id


def _call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"no call with id {call_id}")
    return call


def add_turn(
    engine: Engine,
    *,
    call_id: int,
    asr_text: str,
    reply_text: str,
    index: int | None = None,
    reply_action: str | None = None,
    speech_started_at: float | None = None,
    speech_ended_at: float | None = None,
    asr_final_at: datetime | None = None,
    reply_audio_at: datetime | None = None,
    partials: str | None = None,
    replace: bool = False,
    backend: str | None = None,
    fallback_reason: str | None = None,
    kb_article: str | None = None,
) -> Turn:
    """Store one turn; `index` defaults to one past the last stored turn of the call.

    With `replace`, a turn already stored at `index` is overwritten: the caller went on speaking
    after the seat had answered, so the turn is now longer and has another answer.
    """
    fields = dict(
        asr_text=asr_text, reply_text=reply_text, reply_action=reply_action,
        speech_started_at=speech_started_at, speech_ended_at=speech_ended_at,
        asr_final_at=asr_final_at, reply_audio_at=reply_audio_at, partials=partials, reply_heard=None,
        backend=backend, fallback_reason=fallback_reason, kb_article=kb_article,
    )
    with session_scope(engine) as session:
        _call(session, call_id)
        if index is None:
            last = session.exec(select(func.max(Turn.index)).where(Turn.call_id == call_id)).one()
            index = 0 if last is None else last + 1
        stored = None
        if replace:
            stored = session.exec(select(Turn).where(Turn.call_id == call_id, Turn.index == index)).first()
        turn = stored or Turn(call_id=call_id, index=index)
        for name, value in fields.items():
            setattr(turn, name, value)
        session.add(turn)
    return turn


def set_turn_reply_text(engine: Engine, call_id: int, index: int, text: str) -> None:
    """A reply worded while it was said (a backend's stream) gets its words once they are known."""
    with session_scope(engine) as session:
        turn = session.exec(select(Turn).where(Turn.call_id == call_id, Turn.index == index)).first()
        if turn is not None:
            turn.reply_text = text
            session.add(turn)


def set_turn_reply_audio_at(engine: Engine, call_id: int, index: int, at: datetime) -> None:
    """When the first audio of the turn's reply went out (known only after the turn was stored)."""
    _update_turn(engine, call_id, index, reply_audio_at=at)


def set_turn_text(engine: Engine, call_id: int, index: int, text: str) -> None:
    """The turn's words as the recogniser respelt them after the turn was answered."""
    _update_turn(engine, call_id, index, asr_text=text)


def set_turn_reply_heard(engine: Engine, call_id: int, index: int, heard: str) -> None:
    """The caller spoke over the turn's reply after hearing `heard` of it."""
    _update_turn(engine, call_id, index, reply_heard=heard)


def save_draft(engine: Engine, call_id: int, draft: dict[str, Any]) -> None:
    """The seat's outcome as it would be were the call to end now, kept while the call is up: what
    is filed if its node dies (server/workflow/recovery.py)."""
    with session_scope(engine) as session:
        call = _call(session, call_id)
        call.draft = draft
        session.add(call)


def _update_turn(engine: Engine, call_id: int, index: int, **fields: object) -> None:
    with session_scope(engine) as session:
        turn = session.exec(select(Turn).where(Turn.call_id == call_id, Turn.index == index)).first()
        if turn is None:
            raise NotFound(f"call {call_id} has no turn {index}")
        for name, value in fields.items():
            setattr(turn, name, value)
        session.add(turn)


# Files a call's work order in the call's transaction (server/workflow/intake.py: the ticket and
# its dispatch).
FileOrder = Callable[[Session, Call, "WorkOrderLike"], None]


def finish_call(
    engine: Engine,
    *,
    call_id: int,
    outcome: OutcomeLike | None,
    file_order: FileOrder,
    error: str | None = None,
    heard_marks: Iterable[str] = (),
    dtmf: str | None = None,
    ended_at: datetime | None = None,
) -> Call:
    """End a call: its outcome, and for route "ticket" its work order (`file_order`), in one
    transaction. A call with an `error` is marked failed; its outcome so far is still kept.
    Finishing twice does not make a second ticket.
    """

    def work(session: Session) -> Call:
        call = _call(session, call_id)
        call.status = CALL_FAILED if error else CALL_ENDED
        call.ended_at = ended_at or utc_now()
        call.error = error
        call.heard_marks = list(heard_marks)
        call.dtmf = dtmf
        call.draft = None  # a copy of the outcome kept for recovery, no longer needed
        if outcome is not None:
            order = apply_outcome(call, outcome)
            if order is not None and ticket_for_call(session, call_id) is None:
                file_order(session, call, order)
        session.add(call)
        return call

    return with_ticket_number_retry(engine, work)


def apply_outcome(call: Call, outcome: OutcomeLike) -> WorkOrderLike | None:
    """Copy the seat's outcome onto the call; the work order to file, on route "ticket"."""
    call.category = outcome.category
    call.route = outcome.route
    call.topic = outcome.topic
    call.kb_article = outcome.kb_article
    call.urgent = outcome.urgent
    call.police = outcome.police
    call.handoff_reason = outcome.handoff_reason
    caller = outcome.caller
    call.caller_name, call.district, call.street, call.address = (
        caller.caller_name, caller.district, caller.street, caller.address,
    )
    if caller.phone:
        call.callback_number = caller.phone
    order = outcome.work_order
    if outcome.route != "ticket" or order is None:
        return None
    if order.phone:
        call.callback_number = order.phone
    return order


def ticket_id_of_call(engine: Engine, call_id: int | None) -> str | None:
    """The id of the order a call filed (or the agent who took it filed), if any."""
    if call_id is None:
        return None
    with Session(engine) as session:
        found = ticket_for_call(session, call_id)
    return found.ticket.id if found is not None else None


def get_call(engine: Engine, call_sid: str) -> Call | None:
    with Session(engine) as session:
        return session.exec(select(Call).where(Call.call_sid == call_sid)).first()


def get_call_detail(engine: Engine, call_sid: str) -> CallDetail | None:
    """The call, its turns in order, and its ticket (with events) or None."""
    with Session(engine) as session:
        call = session.exec(select(Call).where(Call.call_sid == call_sid)).first()
        if call is None:
            return None
        assert call.id is not None
        turns = list(session.exec(select(Turn).where(Turn.call_id == call.id).order_by(col(Turn.index))))
        return CallDetail(call=call, turns=turns, ticket=ticket_for_call(session, call.id))


def list_calls(engine: Engine, *, limit: int = 50, offset: int = 0) -> list[Call]:
    """Most recent first."""
    with Session(engine) as session:
        query = select(Call).order_by(col(Call.started_at).desc(), col(Call.id).desc())
        return list(session.exec(query.offset(offset).limit(limit)))


def handoffs_without_order(engine: Engine, since: datetime, limit: int = 50) -> list[Call]:
    """Ended calls the seat handed to a person that filed no order, most recent first: a caller
    who hung up while waiting for an agent is still owed one (the console lists them)."""
    with Session(engine) as session:
        filed = select(Ticket.call_id).where(col(Ticket.call_id).is_not(None))
        query = (
            select(Call)
            .where(Call.route == "handoff", col(Call.ended_at).is_not(None), col(Call.started_at) >= since)
            .where(col(Call.id).not_in(filed))
            .order_by(col(Call.started_at).desc())
        )
        return list(session.exec(query.limit(limit)))
