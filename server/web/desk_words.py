"""What the unit desk says, in Chinese: an order's statuses, the steps in its history and who took
them, the results a unit reports, how long is left, and why a step was refused or a form not taken.

The rules themselves stay where they are (server/workflow for the steps, the REST API's body models
for what a form must hold); here they are only put into words.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from server.storage.keys import Role
from server.web.pages import ROLE_NAMES
from server.workflow.callbacks import SYSTEM as CALLBACKS
from server.workflow.handling import Result
from server.workflow.intake import CATALOGUE, SEAT
from server.workflow.lifecycle import Action, IllegalTransition, Status
from server.workflow.merging import SYSTEM as MERGING

STATUS_NAMES = {
    Status.REVIEW: "待派单",
    Status.DISPATCHED: "待签收",
    Status.ACCEPTED: "办理中",
    Status.REPORTED: "已反馈",
    Status.CLOSED: "已结案",
    Status.MERGED: "已并单",
}

STEP_NAMES = {
    Action.CREATE: "建单",
    Action.DISPATCH: "按职责目录派单",
    Action.HOLD: "转派单审核",
    Action.ASSIGN: "值班长派单",
    Action.ACCEPT: "签收",
    Action.RETURN: "退回",
    Action.REPORT: "办结反馈",
    Action.CLOSE: "结案",
    Action.REOPEN: "重新派发",
    Action.MERGE: "并单",
    Action.CALLER_ADDED: "又有市民反映同一问题",
    Action.CALLED_AGAIN: "来电人再次来电催办",
    Action.SCHEDULE_CALLBACKS: "安排回访",
    Action.ASK_EXTENSION: "申请延期",
    Action.GRANT_EXTENSION: "批准延期",
    Action.REFUSE_EXTENSION: "驳回延期",
}

RESULT_NAMES = {
    Result.SOLVED: "已解决",
    Result.NOT_SOLVED: "未解决",
    Result.EXPLAINED: "已解释说明",
}

# Actors that are not a key (server/workflow/intake.py, merging.py).
SYSTEM_ACTORS = {SEAT: "虚拟座席", CATALOGUE: "自动派单", CALLBACKS: "回访", MERGING: "并单"}

# What each desk form's fields are called, for its messages.
FIELD_NAMES = {"reason": "理由", "hours": "延期小时数", "result": "办理结果", "text": "办理情况"}
FORM_REASON_NAMES = {"return": "退回理由", "extension": "延期理由"}


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)  # type: ignore[call-overload]


def step_name(kind: str) -> str:
    return STEP_NAMES.get(kind, kind)  # type: ignore[call-overload]


def result_name(result: str | None) -> str:
    return RESULT_NAMES.get(result, result or "")  # type: ignore[call-overload]


def by_a_person(actor: str) -> bool:
    """Whether a key's holder took the step (its note is then their own words)."""
    role, _, key_id = actor.partition(":")
    return key_id.isdigit() and role in {r.value for r in Role}


def actor_name(actor: str) -> str:
    """Who took a step, as a unit may read it: the role, never which key."""
    if by_a_person(actor):
        return ROLE_NAMES[Role(actor.partition(":")[0])]
    return SYSTEM_ACTORS.get(actor, actor)


def time_left(due_at: datetime | None, now: datetime) -> str:
    """"剩 5 小时" or "已超时 1 天 3 小时", to the hour (a part hour counts as one)."""
    if due_at is None:
        return ""
    seconds = (due_at - now).total_seconds()
    hours = math.ceil(abs(seconds) / 3600)
    days, hours = divmod(hours, 24)
    span = (f"{days} 天" if days else "") + (f" {hours} 小时" if hours else "")
    span = span.strip() or "不到 1 小时"
    return f"剩 {span}" if seconds >= 0 else f"已超时 {span}"


def refused_step(exc: IllegalTransition) -> str:
    """A step the order's status does not allow, and what it does allow now."""
    allowed = "、".join(step_name(a) for a in exc.allowed if a in UNIT_STEPS)
    now_possible = f"现在可以：{allowed}。" if allowed else "本单位现在不需要再操作。"
    return f"工单现在是「{status_name(exc.status)}」，不能{step_name(exc.action)}，工单没有改动。{now_possible}"


UNIT_STEPS = (Action.ACCEPT, Action.RETURN, Action.ASK_EXTENSION, Action.REPORT)


def pending_extension(hours: float | None) -> str:
    return f"已有 {hours:g} 小时的延期申请在等待值班长审批，不能重复申请。"


def field_problem(form: str, error: dict[str, Any]) -> str:
    """One of pydantic's errors on a desk form's field, in words (limits as the API's model sets them)."""
    field = str(error["loc"][-1]) if error.get("loc") else ""
    name = FORM_REASON_NAMES.get(form, FIELD_NAMES["reason"]) if field == "reason" else FIELD_NAMES.get(field, field)
    kind = error.get("type", "")
    limits: dict[str, Any] = error.get("ctx") or {}
    if kind == "enum" or (kind == "missing" and field == "result"):
        return f"请选择{name}：" + "、".join(RESULT_NAMES.values())
    if kind == "string_too_short" or kind == "missing":
        return f"请填写{name}"
    if kind == "string_too_long":
        return f"{name}不能超过 {limits.get('max_length')} 字"
    if kind in ("float_parsing", "float_type"):
        return f"{name}须是数字"
    if kind == "greater_than":
        return f"{name}须大于 {limits.get('gt', 0):g}"
    if kind == "less_than_equal":
        return f"{name}不能超过 {limits.get('le', 0):g}"
    return f"{name}不符合要求"
