"""Slot values kept only when the caller's words bear them out (agent/grounding.py)."""

from __future__ import annotations

import pytest

from agent.grounding import (
    address_is_grounded,
    danger_is_grounded,
    grounded_slots,
    name_is_grounded,
    phone_is_grounded,
    place_core,
    place_is_grounded,
)


@pytest.mark.parametrize(
    ("digits", "transcript"),
    [
        ("13911223344", "我的电话是一三九，一一二二，三三四四"),
        ("13911223344", "139 1122 3344"),
        ("13911223344", "一三九一一二二三三四四，就这个"),
        ("13811223344", "幺三八要要二二三三四四"),  # 幺 and the recogniser's 要 for it
        ("13811223344", "腰三八邀幺两二三三四四"),
        ("13911223345", "一三九，一一二二，三三四四，不对，三三四五"),  # the caller's correction applies
        ("13911223344", "一三九，一一二二，三三四四，不对，三三四五"),  # as first said is still said
        ("01088886666", "座机010-8888-6666"),
        ("88886666", "座机010-8888-6666"),
        ("139-1122-3344", "电话是139，1122，3344"),  # a proposal written with separators
        ("20506", "两洞五洞六"),  # 洞 is 0 on the radio
        ("13911223344", "电话一三九一一二二\n三三四四"),  # dictated across two turns
    ],
)
def test_a_said_number_is_grounded(digits: str, transcript: str) -> None:
    assert phone_is_grounded(digits, transcript)


@pytest.mark.parametrize(
    ("digits", "transcript"),
    [
        ("13800138000", "我的电话是一三九一一二二三三四四"),  # the small model's favourite invention
        ("13800138000", "我想反映一下楼下噪音的问题"),
        ("13911223344", "一三九，一一二二，三三，四四"[:10]),  # only part of it was said
        ("13911223344", "一三九一一二二三三四四"[::-1]),  # the digits, not in order
        ("13911223344", "电话一三九一一二二，我住三三四四号"),  # a house number is not the rest of it
        ("12", "一二"),  # too short to say anything
    ],
)
def test_an_unsaid_number_is_not(digits: str, transcript: str) -> None:
    assert not phone_is_grounded(digits, transcript)


def test_place_cores() -> None:
    assert place_core("朝阳区") == "朝阳"
    assert place_core("望京街道") == "望京"
    assert place_core("南口镇") == "南口"
    assert place_core("东区") == "东区"  # nothing left but the suffix: the name stays whole


@pytest.mark.parametrize(
    ("name", "transcript"),
    [
        ("朝阳区", "我在朝阳区望京"),
        ("朝阳区", "我在朝阳期望京接到这边"),  # the core was said, the suffix misheard
        ("望京街道", "我在朝阳期忘经接到这边"),  # 望京 heard as 忘经: same sound
        ("海淀区", "海电区中关村"),
        ("八里庄街道", "朝阳区八里庄那边"),
        ("方庄地区", "丰台区芳庄这块"),
    ],
)
def test_a_said_place_is_grounded(name: str, transcript: str) -> None:
    assert place_is_grounded(name, transcript)


@pytest.mark.parametrize(
    ("name", "transcript"),
    [
        ("海淀区", "我在朝阳区望京"),
        ("望京街道", "我在朝阳区，具体位置不清楚"),
        ("", "朝阳区"),
    ],
)
def test_an_unsaid_place_is_not(name: str, transcript: str) -> None:
    assert not place_is_grounded(name, transcript)


_ADDRESS_TURN = "丰台区方庄街道，方城元一区，十五号楼，二单元"


@pytest.mark.parametrize(
    "address",
    [
        "芳城园一区15号楼2单元",  # written right, said with the recogniser's homophones
        "芳城园1区十五号楼",
        "方城元一区，十五号楼，二单元",
        "北京市丰台区芳城园一区15号楼",  # a model adding the city keeps most words said
        "15号楼2单元",
    ],
)
def test_a_said_address_is_grounded(address: str) -> None:
    assert address_is_grounded(address, _ADDRESS_TURN)


@pytest.mark.parametrize(
    "address",
    [
        "幸福小区3号楼",  # invented: only the generic words were said
        "芳城园一区16号楼",  # a number not said
        "望京西园三区",
        "",
    ],
)
def test_an_unsaid_address_is_not(address: str) -> None:
    assert not address_is_grounded(address, _ADDRESS_TURN)


def test_a_room_number_written_with_dots_is_said() -> None:
    assert address_is_grounded("和平里七区6号楼602室", "和平里七区，六号楼，6.0.2室")


@pytest.mark.parametrize(
    ("name", "transcript"),
    [
        ("王先生", "我姓王"),
        ("王女士", "我是王先生"),  # the title need not be said when the surname was
        ("王先生/女士", "免贵姓王"),
        ("李明", "你好，我是李明，我要反映个事"),
        ("钱立新", "我叫前立新"),  # the surname heard as a homophone, after 我叫
        ("陈立新", "我姓陈，耳东陈，叫立新"),  # surname and given name said apart
        ("刘女士", "我信刘，电话一三九"),  # 姓 heard as 信
        ("齐女士", "我姓七"),  # a digit heard for the surname, right after 我姓
        ("欧阳娜娜", "我叫欧阳娜娜"),
        ("张三", "我叫张三"),  # a real 张三 who says so
    ],
)
def test_a_said_name_is_grounded(name: str, transcript: str) -> None:
    assert name_is_grounded(name, transcript)


@pytest.mark.parametrize(
    ("name", "transcript"),
    [
        ("张三", "我姓王，电话一三九一一二二三三四四"),  # invented
        ("李四", "和平里四区三号楼"),  # the sound is there, but in an address
        ("刘先生", "电话是六零二"),  # a digit that sounds like 刘, no 我姓 before it
        ("王伟", "我姓王"),  # the surname said, the given name invented
        ("陈立军", "我姓陈，耳东陈，叫立新"),
        ("先生", "我姓王"),
        ("王先生", "我往东走了一段"),  # 往 sounds like 王, but nobody named themself
    ],
)
def test_an_unsaid_name_is_not(name: str, transcript: str) -> None:
    assert not name_is_grounded(name, transcript)


def test_grounded_slots_drops_what_was_not_said() -> None:
    transcript = "我在朝阳期望京接到，我姓王，电话一三九一一二二三三四四"
    kept, dropped = grounded_slots(
        {"district": "朝阳区", "street": "望京街道", "address": "幸福小区3号楼", "name": "张三",
         "phone": "13800138000", "topic": "噪音"},
        transcript,
    )
    assert kept == {"district": "朝阳区", "street": "望京街道", "address": None, "name": None, "phone": None,
                    "topic": "噪音"}
    assert dropped == ["address", "name", "phone"]


@pytest.mark.parametrize(
    ("kind", "transcript"),
    [
        ("gas", "楼道里总有股怪怪的气儿，像是谁家灶上的那种"),
        ("gas", "一进门就闻着不对劲"),
        ("fire", "对面楼顶上好像冒着什么东西，黑乎乎的一片烟"),
        ("trapped", "我闺女被关在电梯里了"),
        ("missing", "我家老爷子早上出去遛弯儿，到现在都没回来"),
        ("violence", "隔壁两口子又打起来了，女的一直在哭"),
        ("medical", "我妈在卫生间摔了一跤，起不来了"),
        ("electric", "小区门口那根电线耷拉到地上了"),
        ("manhole", "路口那个马葫芦盖儿让人拿走了"),
    ],
)
def test_a_danger_the_caller_spoke_of_is_grounded(kind: str, transcript: str) -> None:
    assert danger_is_grounded(kind, transcript)


@pytest.mark.parametrize(
    ("kind", "transcript"),
    [
        ("danger", "楼下饭馆天天半夜放音乐，吵得人睡不着"),
        ("trapped", "小区电梯坏了一个礼拜了，物业一直不修"),
        ("electric", "您有事就打我这个电话"),  # 电 of 电话 is no live wire
        ("violence", "我打了三次电话都没人接"),  # nor 打 of 打电话 a blow
        ("flood", "我们这片儿停水两天了"),
        ("snow", "下大雪了路太滑"),  # a kind with no words is never borne out
    ],
)
def test_a_danger_the_caller_never_spoke_of_is_not(kind: str, transcript: str) -> None:
    assert not danger_is_grounded(kind, transcript)
