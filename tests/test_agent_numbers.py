"""Spoken numbers, address numerals and callback numbers as callers (and the recogniser) say them."""

import itertools

import pytest

from agent.numbers import counted_number_value, digits_of, normalise_numerals
from agent.phone import extract_phone, find_numbers, is_plausible, says_line_number, spoken_number


@pytest.mark.parametrize(
    ("spoken", "value"),
    [("十", 10), ("十七", 17), ("二十", 20), ("三十五", 35), ("一百零八", 108), ("两百", 200),
     ("一百五", 150), ("三千八", 3800), ("一千零一十", 1010)],
)
def test_counted_numbers(spoken, value):
    assert counted_number_value(spoken) == value


def test_counted_number_rejects_digit_strings_and_garbage():
    assert counted_number_value("六零二") is None
    assert counted_number_value("十十") is None
    assert counted_number_value("百万") is None


def test_no_run_of_numerals_breaks_the_reader():
    # The recogniser writes any numerals in any order; cn2an raises KeyError on some (一十零),
    # which once failed a caller's whole turn (an address with 一十零 in it).
    chars = "零一二两三四五六七八九十百千"
    for run in ("".join(p) for n in (2, 3) for p in itertools.product(chars, repeat=n)):
        value = counted_number_value(run)
        assert value is None or value >= 0
    assert normalise_numerals("芳城园一十零号楼") == "芳城园一十零号楼"


def test_digits_of_reads_telephone_digits():
    assert digits_of("幺三八洞两") == "13802"
    assert digits_of("１３８abc9") == "1389"


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("双榆树北里，二十三号楼，四单元，一零二", "双榆树北里，23号楼，4单元，102"),
        ("枫林绿洲三期，十号楼，十九层", "枫林绿洲3期，10号楼，19层"),
        ("团结湖中路南二条，七号院", "团结湖中路南二条，7号院"),
        ("五道口那边，八里庄北里，九棵树", "五道口那边，八里庄北里，九棵树"),
        ("东四十条，三里屯", "东四十条，三里屯"),
        ("楼上幺零零三", "楼上1003"),
    ],
)
def test_address_numerals(spoken, written):
    assert normalise_numerals(spoken) == written


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("我的手机是幺五二，六七八九，洞洞幺幺", "15267890011"),
        ("联系电话一八九，零一二三，四五六七。", "18901234567"),
        ("电话 177 0123 9876 谢谢", "17701239876"),
        ("您打我手机13501018899就行", "13501018899"),
        ("家里座机八四五六七七八九", "84567789"),
        ("座机是010-6789 1234", "01067891234"),
        ("号码是一九八，两二三三，四四五五", "19822334455"),
    ],
)
def test_dictated_numbers(said, number):
    heard = extract_phone(said)
    assert heard is not None and heard.number == number


def test_caller_corrects_one_group():
    heard = extract_phone("电话是一三三，五五六六，七七八九，哎不对，是七七八零")
    assert heard is not None and heard.number == "13355667780"


def test_caller_corrects_the_last_four_digits():
    heard = extract_phone("手机幺八六，二二三三，四四五五，不对不对，后四位是五五四四")
    assert heard is not None and heard.number == "18622335544"


def test_caller_says_the_whole_number_again():
    heard = extract_phone("一三九，零零一一，二二三三，说错了，应该是一三八零零一一二二三三")
    assert heard is not None and heard.number == "13800112233"


def test_room_number_before_phone_is_not_part_of_it():
    heard = extract_phone("我家是五零二，一五八，零零九九，八八七七")
    assert heard is not None and heard.number == "15800998877"


def test_number_with_a_lost_digit_is_reported_not_accepted():
    heard = extract_phone("电话是1580099877")  # ten digits: the recogniser lost a repeated digit
    assert heard is not None
    assert heard.number is None and heard.digits == "1580099877"
    # nor is a local landline taken out of the middle of a mobile number that lost a digit
    heard = extract_phone("他手机数，1 3次，1 0 8,5 2 7 6，你们直接跟他联系。")
    assert heard is not None and heard.number is None


def test_ordinary_numbers_are_not_phones():
    assert extract_phone("我家孩子今年十二岁，住三号楼六零一，一共交了三千八") is None
    assert extract_phone("打过一一零，也打过一二三四五") is None
    assert find_numbers("晚上十一二点还在干活") == []


def test_plausibility():
    assert is_plausible("13912345678")
    assert is_plausible("62345678")
    assert is_plausible("01062345678")
    assert not is_plausible("12345678901")  # 12x is not a mobile prefix
    assert not is_plausible("1391234567")
    assert not is_plausible("12345")


def test_line_number_requests():
    assert says_line_number("就打我这个手机就行")
    assert says_line_number("就用来电号码吧")
    assert not says_line_number("电话是一三九一二三四五六七八")


def test_number_read_back_digit_by_digit():
    assert spoken_number("13911223344") == "幺三九，幺幺二二，三三四四"
    assert spoken_number("84567789") == "八四五六，七七八九"


@pytest.mark.parametrize(
    ("said", "number"),
    [
        # the group the caller names is the one put right, though another has as many digits
        ("手机幺五八，三三零六，七二四一，哎不对，中间那组是三三六零", "15833607241"),
        ("电话一八六，四四九二，零五五三，等一下，开头是一八八", "18844920553"),
        # said in one breath, its start put right
        ("一三五二二四六八零九七，不对不对，前面是一三六", "13622468097"),
        # the group put right said twice to be sure
        ("幺三九，八零二六，五五七一，不对，最后是五五七二，五五七二", "13980265572"),
        # the rest of a mobile number from the group taken back, said in one breath
        ("手机是139,2607，不对，27065381。", "13927065381"),
        # eight digits alone, no mobile begun: a landline said again whole
        ("电话是六七二三八零九五，不对，六七二三八零九六", "67238096"),
    ],
)
def test_a_correction_names_the_group_it_puts_right(said, number):
    heard = extract_phone(said)
    assert heard is not None and heard.number == number
