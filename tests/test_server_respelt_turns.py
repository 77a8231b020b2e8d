"""A turn's words respelt on the audio after the seat answered it (server/telephony/respelling.py): which
respellings the seat takes, and what it says late when they change its answer."""

from __future__ import annotations

from agent.seat import Seat
from server.telephony.respelling import reread

_BINS_UNEMPTIED = "你好，我们小区门口的垃圾桶好几天没人清了，臭得不行。"


def _answered_then_respelt(knowledge, decoded: str, respelt: str, *before_it: str):
    """The seat after answering `decoded` (following `before_it`), and what it takes of `respelt`."""
    seat = Seat(knowledge)
    for text in before_it:
        seat.turn(text)
    before = seat.snapshot()
    said = seat.turn(decoded).text
    return seat, reread(seat, before, respelt, said)


def test_a_danger_the_respelt_words_reveal_is_taken_and_advised_late(knowledge):
    # 晕倒 decoded as 晕到: an illness is not read by sound alone, so only the respelling tells it
    seat, taken = _answered_then_respelt(
        knowledge, "楼下小卖部门口有个老大爷晕到了，我在旁边呢。", "楼下小卖部门口有个老大爷晕倒了，我在旁边呢。"
    )
    assert not seat.outcome().urgent
    assert taken is not None
    copy, advice = taken
    assert copy.outcome().urgent and advice is not None and "120" in advice


def test_respelt_words_answered_differently_without_danger_are_not_taken(knowledge):
    _, taken = _answered_then_respelt(knowledge, "我想跟你们反映一下社区的刘主任。", "我想跟你们表扬一下社区的刘主任。")
    assert taken is None


def test_a_question_the_respelt_words_make_answerable_gets_its_answer_late(knowledge):
    _, taken = _answered_then_respelt(
        knowledge,
        "你好，我刚来北京上班三个多月，想问一下基础正怎么办，需要什么条件？",
        "你好，我刚来北京上班三个多月，想问一下居住证怎么办，需要什么条件？",
    )
    assert taken is not None
    copy, words = taken
    assert words is not None and words.startswith("不好意思，刚才我没听准") and "居住登记" in words
    assert copy.finish().kb_article == "kb-001"


def test_a_call_only_the_respelt_words_make_sense_of_is_taken_with_the_reply_said_late(knowledge):
    seat, taken = _answered_then_respelt(
        knowledge,
        "你好，我们小区门口那条路，一溜路东全部亮，黑东瞎火灯，晚上遛弯儿的人又多。",
        "你好，我们小区门口那条路，一溜路灯全部亮，黑灯瞎火的，晚上遛弯儿的人又多。",
    )
    assert seat.outcome().category is None
    assert taken is not None
    copy, words = taken
    assert copy.outcome().category == "投诉" and copy.outcome().topic == "路灯不亮"
    assert words is not None and words.startswith("不好意思，刚才我没听准") and "哪个区" in words


def test_a_place_only_the_respelt_words_name_is_taken_without_asking_again(knowledge):
    seat, taken = _answered_then_respelt(
        knowledge, "在外有七全个阶档，青春路边上那个小区。", "在怀柔区泉河街道，青春路边上那个小区。", _BINS_UNEMPTIED
    )
    assert seat.expecting() == "place"
    assert taken is not None
    copy, words = taken
    assert words is None  # the caller answers the question heard; nothing to take back
    assert (copy.outcome().caller.district, copy.outcome().caller.street) == ("怀柔区", "泉河街道")
    assert copy.expecting() != "place"


def test_respelt_words_that_lose_a_detail_are_not_taken(knowledge):
    _, taken = _answered_then_respelt(
        knowledge, "在怀柔区泉河街道，青春路边上那个小区。", "在外有七全个阶档，青春路边上那个小区。", _BINS_UNEMPTIED
    )
    assert taken is None


def test_a_place_only_the_respelt_words_name_is_kept_for_a_suggestion(knowledge):
    # The suggestion was thanked and its place asked for once; the respelt words name it, and the
    # caller, who has said it already, is not asked again.
    seat, taken = _answered_then_respelt(
        knowledge,
        "你好，我提个建议，永定满外这边那个公交站，能不能在路口画条斑马线？",
        "你好，我提个建议，永定门外这边那个公交站，能不能在路口画条斑马线？",
    )
    assert seat.expecting() == "place"
    assert taken is not None
    copy, words = taken
    assert words is None
    outcome = copy.finish()
    assert (outcome.category, outcome.caller.district, outcome.caller.street) == ("建议", "东城区", "永定门外街道")
