"""Which of the seat's sentences the reply cache keeps on disk (server/reply_cache.py)."""

from __future__ import annotations

from agent import replies, survey
from server.reply_cache import SaidToEveryone
from voice.tts.chunks import speech_chunks


def test_the_seats_stock_sentences_are_kept_and_a_read_back_is_not() -> None:
    kept = SaidToEveryone()
    for text in (replies.GREETING, replies.ASK_PHONE, replies.SAFETY_ADVICE[replies.GAS], survey.SAID_TO_EVERYONE[1]):
        assert all(kept(chunk) for chunk in speech_chunks(text)), text
    # What is made of one caller's words: the order read back, their line's number, a place.
    for text in (replies.readback("您反映的是噪音扰民的问题", "朝阳区望京街道望京西园三区", "13811998877"),
                 replies.confirm_line_number("13700001111")):
        assert not any(kept(chunk) for chunk in speech_chunks(text) if "电话" in chunk or "望京" in chunk), text
    # A stock sentence's words inside a longer sentence of the caller's are not it.
    assert not kept("好的，王先生，请问还有其他需要吗？")


def test_an_answers_sentences_are_kept_while_the_article_says_them() -> None:
    kept = SaidToEveryone()
    answer = "办理居住证需要在北京居住半年以上。可以在社区服务中心申请，一般十五个工作日办好。"
    said = speech_chunks(answer)
    assert not any(kept(chunk) for chunk in said), "before the knowledge is loaded"
    kept.learn_answers([answer])
    assert all(kept(chunk) for chunk in said)
    assert not kept("。") and not kept("办理居住证需要在北京居住半年以上，您住了多久？")
    kept.learn_answers(["办理居住证需要在本市居住半年以上。"])  # the article edited
    assert not kept(said[0])


def test_a_surveys_opening_is_kept_for_the_catalogues_topics() -> None:
    # Its topic is the order's catalogue topic, never the caller's words: kept by its form, as a
    # node that only dials surveys never loads the catalogue.
    kept = SaidToEveryone()
    assert all(kept(chunk) for chunk in speech_chunks(survey.opening("噪音扰民-装修")))
    assert all(kept(chunk) for chunk in speech_chunks(survey.opening(None)))
    assert all(kept(chunk) for chunk in speech_chunks(survey.opening("违法建设")))
    assert not kept("您之前反映的问题，回访电话幺三八，对吗？")
