"""normalize_for_tts: what the seat's reply text becomes before the voice reads it."""

from __future__ import annotations

import re

import pytest

from voice.tts.text_normalize import normalize_for_tts, say_cardinal, say_digits

ONLY_READABLE = re.compile(r"^[\u4e00-\u9fa5、，。！？]*$")


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("感谢您拨打12345热线", "感谢您拨打幺二三四五热线"),
        ("回访电话13812345678", "回访电话一三八一二三四五六七八"),
        ("座机010-65123456", "座机零一零，六五一二三四五六"),
        ("三号楼602室", "三号楼六零二室"),
        ("将在15个工作日内回复", "将在十五个工作日内回复"),
        ("需要2个工作日，到2号窗口", "需要两个工作日，到二号窗口"),
        ("2024年起执行", "二零二四年起执行"),
        ("罚款2000元", "罚款两千元"),
        ("共10005户", "共一万零五户"),
        ("上午8:30到下午5:05", "上午八点半到下午五点零五分"),
        ("报销比例90%，起付线1.5万", "报销比例百分之九十，起付线一点五万"),
        ("请到Ａ座ｂ2层", "请到诶座比二层"),
        ("１２３４５", "幺二三四五"),
        ("3~5个工作日，气温-5℃", "三到五个工作日，气温负五摄氏度"),
    ],
)
def test_numbers_and_letters_are_read_as_a_seat_says_them(text: str, spoken: str) -> None:
    assert normalize_for_tts(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("（温馨提示）：请携带身份证原件；", "温馨提示，请携带身份证原件，"),
        ("真的吗？！", "真的吗？"),
        ("好的……再见", "好的。再见"),
        ("请稍等😀 ^_^ #", "请稍等"),
        ("", ""),
        ("？？", ""),
    ],
)
def test_punctuation_becomes_pauses_and_the_rest_is_dropped(text: str, spoken: str) -> None:
    assert normalize_for_tts(text) == spoken


@pytest.mark.parametrize(
    "text", ["A座（3层）", "网址www.beijing.gov.cn", "温度-5℃～3℃", "第1/2页", "Email: a@b.cn", "①②③", "\t\n  "]
)
def test_anything_comes_out_as_characters_the_front_end_reads(text: str) -> None:
    assert ONLY_READABLE.match(normalize_for_tts(text))


@pytest.mark.parametrize(
    ("number", "spoken"),
    [(0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (110, "一百一十"),
     (1010, "一千零一十"), (1200, "一千二百"), (20000, "两万"), (100000, "十万"), (100010000, "一亿零一万"),
     (100000005, "一亿零五")],
)  # fmt: skip
def test_cardinals(number: int, spoken: str) -> None:
    assert say_cardinal(number) == spoken


def test_digits_one_by_one() -> None:
    assert say_digits("13900001111") == "一三九零零零零一一一一"
    with pytest.raises(ValueError):
        say_cardinal(-1)
