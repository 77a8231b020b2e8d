"""Misspellings: where a transcript sounds like a known name or service word but is written
otherwise. Loose by design (the recogniser judges each candidate on the audio), but never across
punctuation, into a long word heard whole, or on two syllables with nothing right."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.hearing import names_to_listen_for
from agent.knowledge import SeatKnowledge
from knowledge.spelling import Misspelling, Misspellings

SHARED_KB = Path(__file__).resolve().parents[2] / "shared" / "kb"


@pytest.fixture(scope="module")
def misspellings() -> Misspellings:
    knowledge = SeatKnowledge.from_files(
        SHARED_KB / "sample_kb.jsonl", SHARED_KB / "catalogue.json", SHARED_KB / "gazetteer.json"
    )
    return knowledge.misspellings


def terms_found(misspellings: Misspellings, text: str) -> set[tuple[str, str]]:
    return {(text[m.start:m.end], m.term) for m in misspellings.find(text)}


@pytest.mark.parametrize("text, heard, term", [
    ("海电区紫竹院街道", "海电区", "海淀区"),        # 电 dian / 淀 dian: homophone
    ("在朝阳期望京街道", "朝阳期", "朝阳区"),        # 期 qi for 区 qu, the usual slip
    ("回笼官接到那边", "回笼官接到", "回龙观街道"),  # 接到 for 街道
    ("流离合阵那个厂子", "流离合阵", "琉璃河镇"),    # every syllable a near miss
    ("零校鲁街等", "零校鲁街等", "林校路街道"),      # 零 ling / 林 lin: front and back nasal
    ("看病一宝能报吗", "一宝", "医保"),              # two exact homophones
    ("个人所得睡怎么交", "个人所得睡", "个人所得税"),
    ("住房攻击金能取吗", "住房攻击金", "住房公积金"),
    ("想问一下基础正怎么办", "基础正", "居住证"),    # 础 chu for 住 zhu: aspiration only
])
def test_misheard_names_and_terms_are_candidates(misspellings: Misspellings, text: str, heard: str, term: str) -> None:
    assert (heard, term) in terms_found(misspellings, text)


def test_names_written_right_are_not_candidates(misspellings: Misspellings) -> None:
    found = terms_found(misspellings, "我在海淀区紫竹院街道，医保卡丢了")
    assert not {term for _, term in found} & {"海淀区", "海淀", "紫竹院街道", "紫竹院", "医保卡"}


def test_a_candidate_never_spans_punctuation_or_digits(misspellings: Misspellings) -> None:
    for text in ("水一直往下流，楼下都湿了", "电话1380，朝阳", "住在12号楼"):
        for misspelling in misspellings.find(text):
            heard = text[misspelling.start:misspelling.end]
            assert not set(heard) & set("，,0123456789"), (text, misspelling)


def test_a_long_word_heard_whole_is_not_cut_into(misspellings: Misspellings) -> None:
    # 进进出出 is a dictionary word: its 进进 was said, not 进京.
    found = terms_found(misspellings, "每天半夜都有人进进出出")
    assert not any(heard.startswith("进") for heard, _ in found), found


def test_two_syllables_need_one_right_or_both_homophones() -> None:
    spotter = Misspellings(["医保", "社保", "护照"])
    assert terms_found(spotter, "设保") == {("设保", "社保")}   # 保 right, 设/社 homophones
    assert terms_found(spotter, "一宝") == {("一宝", "医保")}   # both exact homophones
    assert terms_found(spotter, "一跑") == set()                # neither right nor homophone


def test_a_negation_is_never_written_over(misspellings: Misspellings) -> None:
    # 户口簿 sounds like 户口不: respelt, "his hukou is not in Beijing" would say the opposite.
    assert ("户口不", "户口簿") not in terms_found(misspellings, "他户口不在北京，这种也能办吗？")
    assert ("户口簿", "户口簿") not in terms_found(misspellings, "户口簿丢了")  # written right: nothing to do
    # A negation the term has too may stay inside a candidate.
    assert ("非经济", "非京籍") in terms_found(misspellings, "我们是非经济在北京交社保五年了")


def test_candidates_carry_where_they_are() -> None:
    assert Misspellings(["海淀区"]).find("我在海电区") == [Misspelling("海淀区", 2, 5)]


def test_the_vocabulary_holds_places_services_and_what_callers_say() -> None:
    knowledge = SeatKnowledge.from_files(
        SHARED_KB / "sample_kb.jsonl", SHARED_KB / "catalogue.json", SHARED_KB / "gazetteer.json"
    )
    words = names_to_listen_for(knowledge.kb, knowledge.catalogue, knowledge.gazetteer)
    assert {"海淀区", "海淀", "望京街道", "望京", "医保", "住房公积金", "暂住证"} <= words
    assert len(knowledge.misspellings) > 500


def test_a_lost_syllable_may_not_fall_in_a_short_name(misspellings: Misspellings) -> None:
    # 心村街道: 新村街道 sounds alike; 兴丰街道 only by its common ending and one near syllable.
    found = terms_found(misspellings, "在丰台区心村街道")
    assert ("心村街道", "新村街道") in found
    assert ("心村街道", "兴丰街道") not in found
