"""Work orders (工单) and their events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from server.storage.db import NotFound, session_scope
from server.storage.models import TICKET_NEW_STATUS, Call, Callback, CallbackAttempt, Ticket, TicketEvent
from server.storage.types import utc_now

# Ticket numbers carry the Beijing date the hotline staff and callers live in (no DST in China).
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TICKET_PREFIX = "HL"
# Two server nodes may pick the same next number; the loser retries with the one after.
_NUMBER_ATTEMPTS = 20

T = TypeVar("T")


@dataclass
class TicketDetail:
    ticket: Ticket
    call_sid: str | None
    events: list[TicketEvent] = field(default_factory=list)
    # The callback surveys of the order's callers (its own, and those merged into it), each with
    # every attempt at it.
    callbacks: list[tuple[Callback, list[CallbackAttempt]]] = field(default_factory=list)


def ticket_day_prefix(created_at: datetime) -> str:
    return f"{TICKET_PREFIX}{created_at.astimezone(BEIJING):%Y%m%d}-"


def _next_ticket_id(session: Session, created_at: datetime) -> str:
    """HL<yyyymmdd>-<nnnn>: short enough to read out on the phone, sortable, unique per day."""
    prefix = ticket_day_prefix(created_at)
    ids = session.exec(select(Ticket.id).where(col(Ticket.id).startswith(prefix))).all()
    numbers = [int(tid[len(prefix):]) for tid in ids if tid[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


# The fields a step may change, as recorded in its event (id and created_at never change).
TICKET_FIELDS = (
    "call_id", "category", "topic", "district", "street", "address", "caller_name", "phone", "urgent", "police",
    "unit", "co_unit", "dispatch", "due_at", "summary", "status", "accepted_at", "reported_at", "result",
    "result_text", "extension_hours", "extension_reason", "merged_into", "callers",
)


def as_recorded(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def insert_ticket(
    session: Session,
    *,
    call_id: int | None = None,
    category: str | None = None,
    topic: str | None = None,
    district: str | None = None,
    street: str | None = None,
    address: str | None = None,
    caller_name: str | None = None,
    phone: str | None = None,
    urgent: bool = False,
    police: bool = False,
    unit: str | None = None,
    co_unit: str | None = None,
    dispatch: str | None = None,
    due_at: datetime | None = None,
    summary: str = "",
    status: str = TICKET_NEW_STATUS,
    created_at: datetime | None = None,
    actor: str = "seat",
    note: str = "",
) -> Ticket:
    """Add a ticket and its 'created' event (which records every field as filed) to the session's
    transaction. Run it inside `with_ticket_number_retry` so a number taken meanwhile by another
    node is retried. Dispatch is a later step of its own (server/workflow)."""
    created_at = created_at or utc_now()
    ticket = Ticket(
        id=_next_ticket_id(session, created_at),
        call_id=call_id,
        category=category,
        topic=topic,
        district=district,
        street=street,
        address=address,
        caller_name=caller_name,
        phone=phone,
        urgent=urgent,
        police=police,
        unit=unit,
        co_unit=co_unit,
        dispatch=dispatch,
        due_at=due_at,
        summary=summary or "",
        status=status,
        created_at=created_at,
    )
    # Noted before the insert, so a collision on this number can be recognised and retried.
    session.info.setdefault("new_ticket_ids", []).append(ticket.id)
    session.add(ticket)
    session.flush()
    changes = {name: as_recorded(getattr(ticket, name)) for name in TICKET_FIELDS}
    session.add(TicketEvent(
        ticket_id=ticket.id, at=created_at, kind="created", actor=actor, note=note, to_status=status, changes=changes,
    ))
    return ticket


def record_step(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    actor: str,
    note: str = "",
    at: datetime | None = None,
    **changes: Any,
) -> TicketEvent:
    """Change `ticket`'s fields (status among them) and add the event that says so, in the session's
    transaction. Only fields that really change are recorded."""
    unknown = set(changes) - set(TICKET_FIELDS)
    if unknown:
        raise ValueError(f"not ticket fields: {sorted(unknown)}")
    changed = {name: value for name, value in changes.items() if getattr(ticket, name) != value}
    from_status = ticket.status
    for name, value in changed.items():
        setattr(ticket, name, value)
    session.add(ticket)
    event = TicketEvent(
        ticket_id=ticket.id, at=at or utc_now(), kind=kind, actor=actor, note=note,
        from_status=from_status, to_status=ticket.status,
        changes={name: as_recorded(value) for name, value in changed.items()},
    )
    session.add(event)
    return event


def with_ticket_number_retry(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; if a ticket number it took was taken by someone else between
    reading and inserting, run it again (it will pick the next number)."""
    for _attempt in range(_NUMBER_ATTEMPTS):
        attempted: list[str] = []
        try:
            with session_scope(engine) as session:
                try:
                    return work(session)
                finally:
                    attempted = list(session.info.get("new_ticket_ids", []))
        except IntegrityError:
            with Session(engine) as session:
                if not any(session.get(Ticket, tid) is not None for tid in attempted):
                    raise  # not a number collision: a real error
    raise RuntimeError(f"could not allocate a ticket number after {_NUMBER_ATTEMPTS} attempts")


def save_ticket(engine: Engine, *, call_id: int | None = None, **fields) -> Ticket:
    """Store a new ticket with its 'created' event. Keywords are those of `insert_ticket`; they match
    agent WorkOrderDraft and server.workflow.dispatch.Dispatch fields, so
    `save_ticket(engine, call_id=…, **asdict(draft), **asdict(dispatch))` works."""
    if call_id is not None:
        with Session(engine) as session:
            if session.get(Call, call_id) is None:
                raise NotFound(f"no call with id {call_id}")
    return with_ticket_number_retry(engine, lambda session: insert_ticket(session, call_id=call_id, **fields))


def add_ticket_event(
    engine: Engine, ticket_id: str, *, kind: str, actor: str, note: str = "", status: str | None = None
) -> TicketEvent:
    """Append an event; `status` (when given) becomes the ticket's new status in the same transaction."""
    with session_scope(engine) as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id!r}")
        changes = {"status": status} if status is not None else {}
        return record_step(session, ticket, kind=kind, actor=actor, note=note, **changes)


def _events(session: Session, ticket_id: str) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
    # In the order they were written: steps on one order are serialised by its row lock, and clocks
    # of several nodes need not agree.
    return list(session.exec(query.order_by(col(TicketEvent.id))))


def get_ticket(engine: Engine, ticket_id: str) -> TicketDetail | None:
    """The ticket, the call_sid of the call it came from, and its events in order."""
    with Session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return None
        call_sid = session.exec(select(Call.call_sid).where(Call.id == ticket.call_id)).first()
        return TicketDetail(ticket=ticket, call_sid=call_sid, events=_events(session, ticket_id),
                            callbacks=_callbacks(session, ticket_id))


def _callbacks(session: Session, ticket_id: str) -> list[tuple[Callback, list[CallbackAttempt]]]:
    owed = session.exec(select(Callback).where(or_(Callback.order_id == ticket_id, Callback.ticket_id == ticket_id))
                        .order_by(col(Callback.id))).all()
    return [
        (callback, list(session.exec(select(CallbackAttempt).where(CallbackAttempt.callback_id == callback.id)
                                     .order_by(col(CallbackAttempt.id)))))
        for callback in owed
    ]


def ticket_for_call(session: Session, call_id: int) -> TicketDetail | None:
    """The first ticket made from a call, with its events."""
    query = select(Ticket, Call.call_sid).join(Call, col(Ticket.call_id) == Call.id)
    row = session.exec(
        query.where(Ticket.call_id == call_id).order_by(col(Ticket.created_at), col(Ticket.id))
    ).first()
    if row is None:
        return None
    ticket, call_sid = row
    return TicketDetail(ticket=ticket, call_sid=call_sid, events=_events(session, ticket.id))


def list_tickets(
    engine: Engine,
    *,
    limit: int = 50,
    offset: int = 0,
    status: str | None = None,
    unit: str | None = None,
    statuses: Iterable[str] | None = None,
    due_before: datetime | None = None,
    soonest_due: bool = False,
) -> list[TicketDetail]:
    """Most recent first (with `soonest_due`: soonest due first, those with no due time last), each
    with its call_sid (events are left empty here; see get_ticket); with `unit`, only the orders
    that unit handles, alone or as the co-handling unit; with `statuses` and `due_before`, only
    those in one of the statuses and due before then."""
    with Session(engine) as session:
        query = select(Ticket, Call.call_sid).join(Call, col(Ticket.call_id) == Call.id, isouter=True)
        if status is not None:
            query = query.where(Ticket.status == status)
        if statuses is not None:
            query = query.where(col(Ticket.status).in_(list(statuses)))
        if due_before is not None:
            query = query.where(col(Ticket.due_at) < due_before)
        if unit is not None:
            query = query.where(or_(Ticket.unit == unit, Ticket.co_unit == unit))
        if soonest_due:
            query = query.order_by(col(Ticket.due_at).asc().nulls_last(), col(Ticket.created_at), col(Ticket.id))
        else:
            query = query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        query = query.offset(offset).limit(limit)
        return [TicketDetail(ticket=t, call_sid=sid) for t, sid in session.exec(query)]
