"""A caller who rings again about an order still open: told where it stands instead of filing it
anew. The server looks up the orders open for the caller's line number when the call starts; the
seat tells the status once, when the call turns out to be about one of them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Where the order stands, as the seat says it (the server's statuses: server/workflow/lifecycle.py).
_STATUS_WORDS = {
    "review": "正在为它安排承办单位",
    "dispatched": "已经派给{unit}，正在等他们签收",
    "accepted": "{unit}已经签收，正在办理",
    "reported": "{unit}已经反馈了办理结果，我们会给您回访",
}
# "我上礼拜打过电话反映过", "还是上次那个事儿": the caller says they called about it before.
_CALLED_BEFORE = re.compile(
    r"(?:上次|上回|之前|前几天|前两天|上礼拜|上周|上个?星期|上个?月|前天|昨天|昨儿)[^。.！!？?]{0,12}"
    r"(?:打过|打了|反映过|反映了|报过|说过|来过电话|投诉过|登记过)|还是(?:上次|上回|之前)(?:那个|的)"
    r"|(?:催|问)(?:一下|问)?(?:进度|进展|办得怎么样)|(?:工单|单子)(?:号)?"
)


@dataclass(frozen=True)
class OpenOrder:
    """An order the caller filed that is not yet closed."""

    ticket_id: str
    topic: str | None
    status: str
    unit: str | None


def says_called_before(text: str) -> bool:
    return bool(_CALLED_BEFORE.search(text))


def order_asked_about(orders: Sequence[OpenOrder], topic: str | None, text: str) -> OpenOrder | None:
    """The open order this call is about: the one on the same topic, or the only one when the
    caller says they called about it before."""
    if topic is not None:
        same = [o for o in orders if o.topic == topic]
        if same:
            return same[0]
    if len(orders) == 1 and says_called_before(text):
        return orders[0]
    return None


def status_sentence(order: OpenOrder) -> str:
    what = f"{order.topic}的问题" if order.topic else "问题"
    where = _STATUS_WORDS.get(order.status, "正在办理").format(unit=order.unit or "承办单位")
    number = "，".join(order.ticket_id.split("-"))
    return f"您之前反映的{what}我们已经登记了，工单号是{number}，目前{where}。这次来电我们会一并记录，督促尽快办理。"


def tell_open_order(orders: Sequence[OpenOrder], topic: str | None, text: str) -> str:
    """What to tell the caller about the open order this call is about ("" if none is)."""
    order = order_asked_about(orders, topic, text)
    return status_sentence(order) if order else ""
