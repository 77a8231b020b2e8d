"""How long a pause ends a turn, judged by how its words end."""

from __future__ import annotations

import pytest

from voice.turn_taking import EndOfTurnPolicy, ending


@pytest.mark.parametrize("text", ["对", "对。", "是的", "不是", "好的，谢谢", "没有了。", "就这些"])
def test_short_answers_are_finished(text: str) -> None:
    assert ending(text) == "finished"


@pytest.mark.parametrize("text", [
    "请问居住证怎么办理？", "楼下的烧烤店油烟太大了。", "电话13811998877", "我的电话是一三八一一九九八八七七。",
    "010-62345678", "3", "这个要怎么补办啊？",
    # As Whisper writes the pauses between digit groups (a mobile number read 3-4-4).
    "我姓刘，电话是139,1122,3344。", "电话188-1012-3665", "电话151 1117 8899", "一三九，一一二二，三三四四",
])
def test_a_finished_sentence_or_a_whole_number_is_finished(text: str) -> None:
    assert ending(text) == "finished"


@pytest.mark.parametrize("text", [
    "嗯", "我在朝阳区那个", "就是", "地址在", "我叫", "我姓", "在朝阳区，", "电话是138", "一三八一一九九",
    "139,1122", "电话是139,1122。", "电话151 1117", "", "   ",
])
def test_a_caller_who_trails_off_or_is_mid_number_gets_time(text: str) -> None:
    assert ending(text) == "open"


@pytest.mark.parametrize("text", ["我想问一下社保卡补办", "朝阳区望京街道"])
def test_anything_else_is_plain(text: str) -> None:
    assert ending(text) == "plain"


def test_the_policy_maps_endings_to_silences() -> None:
    policy = EndOfTurnPolicy(finished_ms=350, default_ms=650, hesitation_ms=1800)
    assert policy.silence_ms("对。") == 350
    assert policy.silence_ms("朝阳区望京街道") == 650
    assert policy.silence_ms("电话是一三八") == 1800
