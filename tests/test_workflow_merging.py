"""并单: a new order about an open order's matter joins it (another caller at the same place, or the
same caller again), each caller kept for the callback; a repeat caller is told where the order
stands. On both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from workflow_orders import FIRST, NOISE, file_in_wangjing, history_holds

from agent.open_orders import OpenOrder
from agent.seat import Seat
from server.storage import repository
from server.workflow.intake import DispatchRules
from server.workflow.merging import open_orders_for


def ticket(engine: Engine, ticket_id: str):  # noqa: ANN201
    return repository.get_ticket(engine, ticket_id).ticket


def test_another_caller_about_the_same_place_joins_the_open_order(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE])
    first = file_in_wangjing(engine, "CA-1", phone="13911112222", address="阜通东大街望京西园四区南门对面的工地")
    second = file_in_wangjing(engine, "CA-2", phone="13800001111", address="望京西园四区那个工地",
                  ended=FIRST + timedelta(hours=20))
    joined = ticket(engine, second)
    assert (joined.status, joined.merged_into, joined.unit) == ("merged", first, None)
    assert joined.phone == "13800001111"  # still called back
    open_order = ticket(engine, first)
    assert (open_order.status, open_order.callers) == ("dispatched", 2)
    assert history_holds(engine, first)[-1].kind == "caller_added"
    assert history_holds(engine, second)[-1].kind == "merged"


def test_the_same_caller_again_is_a_repeat_not_a_second_order(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE])
    first = file_in_wangjing(engine, "CA-a", phone="13911112222", address="望京西园四区南门")
    # Rang again two days on without saying where: the same number and matter.
    again = file_in_wangjing(engine, "CA-b", phone="13911112222", address=None, district=None, street=None,
                 ended=FIRST + timedelta(days=2))
    assert ticket(engine, again).merged_into == first
    assert ticket(engine, first).callers == 1
    assert [e.kind for e in history_holds(engine, first)][-1] == "called_again"


def test_other_places_later_orders_and_a_closed_window_make_orders_of_their_own(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE])
    first = file_in_wangjing(engine, "CA-x", phone="13911112222", address="阜通东大街望京西园四区南门")
    # The same street office's area, another site.
    elsewhere = file_in_wangjing(engine, "CA-y", phone="13800001111", address="广顺北大街花家地北里",
                     ended=FIRST + timedelta(hours=1))
    # The same place, after the window.
    later = file_in_wangjing(engine, "CA-z", phone="13700002222", address="望京西园四区南门",
                 ended=FIRST + timedelta(hours=73))
    # Merging turned off.
    off = file_in_wangjing(engine, "CA-w", phone="13911112222", address="望京西园四区南门",
                           ended=FIRST + timedelta(hours=2), rules=DispatchRules(merge_window_hours=0))
    for other in (elsewhere, later, off):
        assert ticket(engine, other).merged_into is None and ticket(engine, other).status == "dispatched"
    assert ticket(engine, first).callers == 1


def test_a_callers_open_orders_are_found_by_number(engine: Engine) -> None:
    repository.replace_catalogue(engine, [NOISE])
    mine = file_in_wangjing(engine, "CA-m", phone="13911112222", address="望京西园四区南门")
    file_in_wangjing(engine, "CA-n", phone="13800001111", address="花家地北里", ended=FIRST + timedelta(hours=1))
    found = open_orders_for(engine, "13911112222", FIRST + timedelta(days=1))
    assert found == [OpenOrder(mine, NOISE.topic, "dispatched", "朝阳区城管执法局")]
    assert open_orders_for(engine, "13911112222", FIRST + timedelta(days=200)) == []
    assert open_orders_for(engine, None, FIRST) == []


def test_a_repeat_caller_is_told_where_the_order_stands(knowledge) -> None:  # noqa: ANN001
    order = OpenOrder("HL20261205-0003", "噪音扰民-夜间施工", "accepted", "朝阳区城管执法局")
    seat = Seat(knowledge, caller_number="13911112222", open_orders=[order])
    reply = seat.turn("我们小区对面那个工地，天天夜里施工到两三点，吵得根本睡不着，你们到底管不管？")
    assert "HL20261205，0003" in reply.text and "朝阳区城管执法局已经签收，正在办理" in reply.text
    # Told once.
    assert "工单号" not in seat.turn("朝阳区望京街道，望京西园四区").text
    # About something else: nothing to tell.
    other = Seat(knowledge, caller_number="13911112222", open_orders=[order])
    assert "工单号" not in other.turn("我们楼的电梯坏了三天了，物业也不修。").text
    # Said they called before, topic not yet clear: the only open order is the one.
    before = Seat(knowledge, caller_number="13911112222", open_orders=[order])
    assert "工单号" in before.turn("我上礼拜打过电话反映过，到现在也没人来处理，我再催一下。").text
