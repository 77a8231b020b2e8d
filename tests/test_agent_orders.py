"""What an agent files (server/workflow/agent_orders.py) and what the agent reads first
(agent/brief.py): the order form checked field by field against the catalogue and gazetteer, filed
once per call with the agent as its author; the brief of a call the seat hands over."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from seat_calls import play

from agent.brief import brief
from server.storage import repository
from server.storage.db import NotFound, make_engine, upgrade
from server.workflow.agent_orders import AlreadyFiled, OrderForm, OrderRefused, checked_order, file_agent_order
from server.workflow.intake import DispatchRules

GOOD = OrderForm(category="投诉", topic="", district="朝阳区", street="望京街道", address="阜通东大街6号",
                 caller_name="王先生", phone="139-1234 5678", urgent=False, police=False, summary="楼下施工夜间扰民")


def test_a_good_form_is_an_order_with_the_number_as_digits(knowledge) -> None:
    order = checked_order(GOOD, knowledge.catalogue, knowledge.gazetteer)
    assert (order.category, order.district, order.street, order.phone, order.topic) == (
        "投诉", "朝阳区", "望京街道", "13912345678", None
    )


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"category": "咨询"}, "category", "请选择投诉、求助或举报"),
        ({"topic": "没有这个事项"}, "topic", "职责目录里没有这个事项"),
        ({"district": "外星区", "street": ""}, "district", "地名库里没有这个区"),
        ({"district": ""}, "street", "请先选择街道所在的区"),
        ({"street": "八角街道"}, "street", "朝阳区没有这个街道"),
        ({"phone": "1391234abcd"}, "phone", "电话应为 7 到 12 位数字"),
        ({"summary": "  "}, "summary", "请写明诉求内容"),
        ({"address": "楼" * 201}, "address", "不能超过 200 个字"),
    ],
)
def test_each_wrong_field_is_named_with_what_is_wrong(knowledge, change, field, says) -> None:
    with pytest.raises(OrderRefused) as refused:
        checked_order(replace(GOOD, **change), knowledge.catalogue, knowledge.gazetteer)
    assert list(refused.value.errors) == [field] and refused.value.errors[field].startswith(says)


def test_an_agent_files_one_order_per_call_as_its_author(database_url, knowledge) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        repository.create_call(engine, "CA-agent", stream_sid="MZ-agent", caller_number=None,
                               started_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC))
        order = checked_order(GOOD, knowledge.catalogue, knowledge.gazetteer)
        ticket = file_agent_order(engine, DispatchRules(), "CA-agent", order, "agent:7")
        stored = repository.get_ticket(engine, ticket.id)
        assert stored.ticket.phone == "13912345678" and stored.events[0].actor == "agent:7"
        assert repository.get_call(engine, "CA-agent").callback_number == "13912345678"
        with pytest.raises(AlreadyFiled) as again:
            file_agent_order(engine, DispatchRules(), "CA-agent", order, "agent:7")
        assert again.value.ticket_id == ticket.id
        with pytest.raises(NotFound):
            file_agent_order(engine, DispatchRules(), "CA-nobody", order, "agent:7")
    finally:
        engine.dispose()


def test_the_brief_says_why_what_where_who_and_the_last_words(knowledge) -> None:
    seat = play(knowledge, "我家楼下的烧烤店天天油烟，在朝阳区望京街道，我姓李", "你别说了，给我转人工")
    said = ["我家楼下的烧烤店天天油烟，在朝阳区望京街道，我姓李", "你别说了，给我转人工"]
    text = brief(seat.outcome(), said)
    assert text.startswith("转人工原因：来电人要求转人工。")
    assert "朝阳区望京街道" in text and "李" in text and "投诉" in text
    assert text.endswith("来电人最后说：“你别说了，给我转人工”")
    quiet = brief(play(knowledge, "喂？").outcome(), [])
    assert "地点未说明" in quiet and "未留回访电话" in quiet and "最后说" not in quiet
