"""An order a human agent files for a call they took (or one the seat handed off and the caller
has since left): checked as a dispatcher would, then filed and dispatched exactly as the seat's
orders are (server/workflow/intake.py), attributed to the agent. A call files one order: a second
attempt is refused, naming the first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, select

from agent.types import WorkOrderDraft
from knowledge.catalogue import Catalogue
from knowledge.gazetteer import Gazetteer
from server.storage.db import NotFound
from server.storage.models import Call, Ticket
from server.storage.tickets import ticket_for_call, with_ticket_number_retry
from server.workflow.intake import DispatchRules, file_work_order

ORDER_CATEGORIES = ("投诉", "求助", "举报")
_PHONE = re.compile(r"\d{7,12}")
LIMITS = {"address": 200, "caller_name": 40, "summary": 500}


class OrderRefused(Exception):
    """The form as given cannot be filed: a message per field, in Chinese, for beside the field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlreadyFiled(Exception):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"this call already filed order {ticket_id}")
        self.ticket_id = ticket_id


@dataclass(frozen=True)
class OrderForm:
    category: str
    topic: str
    district: str
    street: str
    address: str
    caller_name: str
    phone: str
    urgent: bool
    police: bool
    summary: str


def checked_order(form: OrderForm, catalogue: Catalogue, gazetteer: Gazetteer) -> WorkOrderDraft:
    """The form as a work order; OrderRefused naming each field that is wrong."""
    errors: dict[str, str] = {}
    if form.category not in ORDER_CATEGORIES:
        errors["category"] = "请选择投诉、求助或举报"
    topic = form.topic.strip()
    if topic and catalogue.get(topic) is None:
        errors["topic"] = "职责目录里没有这个事项；不确定可留空，工单会进入派单审核"
    district, street = form.district.strip(), form.street.strip()
    districts = gazetteer.districts()
    if district and district not in districts:
        errors["district"] = "地名库里没有这个区"
    if street and not district:
        errors["street"] = "请先选择街道所在的区"
    elif street and district in districts and street not in gazetteer.streets(district):
        errors["street"] = f"{district}没有这个街道（乡镇）"
    phone = re.sub(r"[\s\-－]", "", form.phone)
    if phone and not _PHONE.fullmatch(phone):
        errors["phone"] = "电话应为 7 到 12 位数字"
    summary = form.summary.strip()
    if not summary:
        errors["summary"] = "请写明诉求内容"
    for field, limit in LIMITS.items():
        if len(getattr(form, field).strip()) > limit:
            errors[field] = f"不能超过 {limit} 个字"
    if errors:
        raise OrderRefused(errors)
    return WorkOrderDraft(
        topic=topic or None, category=form.category, district=district or None, street=street or None,
        address=form.address.strip() or None, caller_name=form.caller_name.strip() or None, phone=phone or None,
        urgent=form.urgent, police=form.police, summary=summary,
    )


def file_agent_order(
    engine: Engine, rules: DispatchRules, call_sid: str, order: WorkOrderDraft, actor: str
) -> Ticket:
    """File `order` for the call as `actor` (the agent's role and key id); NotFound for an unknown
    call, AlreadyFiled if it has one."""

    def work(session: Session) -> Ticket:
        call = session.exec(select(Call).where(Call.call_sid == call_sid)).first()
        if call is None or call.id is None:
            raise NotFound(f"no call {call_sid!r}")
        filed = ticket_for_call(session, call.id)
        if filed is not None:
            raise AlreadyFiled(filed.ticket.id)
        if order.phone:
            call.callback_number = order.phone
            session.add(call)
        return file_work_order(session, call, order, rules, actor=actor)

    return with_ticket_number_retry(engine, work)
