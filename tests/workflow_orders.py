"""Work orders made for the workflow tests: a finished call that filed one, an order reported and
owed its callbacks, catalogue entries, keys, and the check that an order's history replays to it."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agent.types import CallOutcome, WorkOrderDraft
from knowledge.catalogue import CatalogueEntry
from server.storage import repository
from server.storage.keys import Role, create_key
from server.storage.models import Callback, CallbackAttempt, TicketEvent
from server.workflow import handling
from server.workflow.callbacks import CallbackRules
from server.workflow.handling import Result
from server.workflow.history import check_history
from server.workflow.intake import DispatchRules, close_call

ENDED = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
NOISE = CatalogueEntry(
    topic="噪音扰民-夜间施工", keywords=["施工"], category_hint="投诉", unit="区城管执法局", dispatch="dual",
    co_unit="属地街道(乡镇)", time_limit_hours=72,
)
GAS = CatalogueEntry(
    topic="燃气异味", keywords=["燃气"], category_hint="求助", unit="市燃气集团", dispatch="direct", co_unit=None,
    time_limit_hours=1, urgent=True,
)


def file_order(
    engine: Engine,
    sid: str,
    topic: str = NOISE.topic,
    district: str | None = None,
    *,
    street: str | None = None,
    address: str | None = "工地",
    phone: str | None = None,
    urgent: bool = False,
    ended: datetime = ENDED,
    rules: DispatchRules | None = None,
) -> str:
    """A finished call that filed an order (at `ended`), filed by `rules` (default: the defaults);
    its ticket id. Without `phone` the caller has a number of their own (the same number about the
    same topic is a repeat call)."""
    call_id = repository.create_call(engine, sid, started_at=ended - timedelta(minutes=3))
    order = WorkOrderDraft(
        topic=topic, category="投诉", district=district, street=street, address=address, caller_name="林女士",
        phone=phone or f"139{zlib.crc32(sid.encode()) % 10**8:08d}", urgent=urgent, police=False,
        summary="夜间施工扰民",
    )
    outcome = CallOutcome(category="投诉", route="ticket", topic=topic, kb_article=None, urgent=urgent,
                          police=False, handoff_reason=None, work_order=order)
    close_call(engine, rules or DispatchRules(), call_id=call_id, outcome=outcome, ended_at=ended)
    return repository.get_call_detail(engine, sid).ticket.ticket.id


# When file_in_wangjing's orders are filed unless said otherwise.
FIRST = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)


def file_in_wangjing(engine: Engine, sid: str, **fields: object) -> str:
    """An order about a building site in 朝阳区望京街道, filed at FIRST unless `fields` say otherwise."""
    return file_order(engine, sid, **{"district": "朝阳区", "street": "望京街道", "ended": FIRST, **fields})


def history_holds(engine: Engine, ticket_id: str) -> list[TicketEvent]:
    """The order's events, once checked to replay to the order as stored."""
    detail = repository.get_ticket(engine, ticket_id)
    assert check_history(detail.ticket, detail.events) == []
    return detail.events


def as_role(engine: Engine, role: Role, unit: str | None = None) -> dict[str, str]:
    """The headers of a new key of `role`."""
    return {"Authorization": f"Bearer {create_key(engine, role, unit=unit)[1]}"}


NOISE_UNIT = "朝阳区城管执法局"  # NOISE's unit for an order in 朝阳区
CALLER = "13911112222"


def reported_order(
    engine: Engine, *extra_callers: str, phone: str = CALLER, rules: CallbackRules | None = None,
    urgent: bool = False,
) -> str:
    """An order in 朝阳区 from `phone` (`urgent` or not), with `extra_callers` merged into it,
    accepted and reported solved: a callback is owed to each caller."""
    repository.replace_catalogue(engine, [NOISE])
    order = file_in_wangjing(engine, "CA-cb-0", phone=phone, address="望京西园四区南门工地", urgent=urgent)
    for i, extra in enumerate(extra_callers, start=1):
        file_in_wangjing(engine, f"CA-cb-{i}", phone=extra, address="望京西园四区那个工地")
    handling.accept(engine, order, unit=NOISE_UNIT, actor="unit:1")
    handling.report(engine, order, unit=NOISE_UNIT, actor="unit:1", result=Result.SOLVED, text="已责令停工",
                    rules=rules or CallbackRules())
    return order


def callbacks_of(engine: Engine, order: str) -> list[Callback]:
    with Session(engine) as session:
        return list(session.exec(select(Callback).where(Callback.order_id == order).order_by(col(Callback.id))))


def attempts_of(engine: Engine, callback_id: int) -> list[CallbackAttempt]:
    with Session(engine) as session:
        query = select(CallbackAttempt).where(CallbackAttempt.callback_id == callback_id)
        return list(session.exec(query.order_by(col(CallbackAttempt.id))))
