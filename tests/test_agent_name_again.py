"""A name the quick decode did not catch, heard again (agent/name_respelling.py): when a turn is
worth hearing again, and how the name's stretch of the wider decode is put into the words heard."""

from __future__ import annotations

import pytest
from seat_calls import play

from agent.name_respelling import name_not_caught, with_name_heard_again
from agent.names import extract_name


@pytest.mark.parametrize(
    ("heard", "asked", "worth_it"),
    [
        ("我现在可以说你是，电话幺三九。", True, True),  # asked for, nothing heard
        ("我姓邓，电话幺三八。", False, True),  # a surname with no title
        ("我叫邓红梅，电话幺三八。", False, False),  # a full name
        ("我姓邓，邓女士。", True, False),  # a surname and its title
        ("名字就不留了。", True, False),  # declined
        ("楼下的垃圾三天没人收了。", False, False),  # no name asked for or cued
        ("小广场那边。我心无声不拟。", False, True),  # 姓 heard as an everyday word, a surname after it
        ("我现在不知道该怎么办了。", False, False),  # the same word, no surname after it
    ],
)
def test_a_turn_is_heard_again_only_where_a_name_was_given_and_not_caught(heard, asked, worth_it):
    assert name_not_caught(heard, asked) is worth_it


def test_the_names_stretch_of_the_wider_decode_replaces_the_words_that_missed_it():
    quick = "朝阳区六里屯街道，十里堡北里二号楼。我先是这样，你是电话13812345678。"
    wider = "朝阳区六里屯街道，十里堡北里2号楼，我姓石，石女士，电话13812345678。"
    again = with_name_heard_again(quick, wider)
    assert again == "朝阳区六里屯街道，十里堡北里二号楼。我姓石，石女士，电话13812345678。"
    assert extract_name(again).name == "石女士"


def test_a_name_cued_by_a_misheard_surname_verb_is_spliced_in_from_the_wider_decode():
    quick = "朝阳区劲松街道，劲松八区。我心无声不拟。我心无声不拟。"
    wider = "朝阳区近松街道，近松八区。我心无忠无女士、"
    again = with_name_heard_again(quick, wider)
    assert again is not None and again.startswith("朝阳区劲松街道，劲松八区。")
    assert extract_name(again).name == "吴女士"


@pytest.mark.parametrize(
    "wider",
    [
        "我先是这样，你是电话13812345678。",  # the wider decode missed it too
        "我姓石，电话13812345678。",  # no better: a surname with no title again
    ],
)
def test_a_wider_decode_that_catches_no_more_changes_nothing(wider):
    assert with_name_heard_again("我先是这样，你是电话13812345678。", wider) is None


def test_the_seat_wants_a_name_after_asking_for_it_with_the_number(knowledge):
    seat = play(knowledge, "我们小区门口的路灯坏了一个礼拜了。", "朝阳区六里屯街道，十里堡北里。")
    assert seat.wants_name()
    seat.turn("我姓石，石女士，电话幺三八，一二三四，五六七八。")
    assert not seat.wants_name()
