"""The seat with its LLM backend, against a stand-in OpenAI-compatible server on a real socket: one
dialogue policy, the model's reading grounded in the caller's words, the offline rules taking a turn
the model fails, and consultation answers worded by the model from the KB article only."""

from __future__ import annotations

import json

from llm_standin import Answer, Failure, LlmStandin

from agent.knowledge import SeatKnowledge
from agent.llm import LlmClient
from agent.llm.understanding import LlmUnderstanding
from agent.seat import Seat


def _seat(knowledge: SeatKnowledge, llm: LlmStandin) -> Seat:
    client = LlmClient(llm.base_url, "stand-in", timeout_s=5.0, mask_pii=False)
    return Seat(knowledge, understanding=LlmUnderstanding(client, knowledge))


def _read(**fields) -> Answer:
    return Answer(tool_arguments=json.dumps(fields, ensure_ascii=False))


def test_the_models_reading_fills_the_order_where_the_caller_said_it(knowledge):
    turn = ("我们楼下的饭馆天天半夜还在外面烤串，吵得睡不着。朝阳区望京街道，望京西园三区。"
            "我叫王立新，电话一三九一一二二三三四四。")
    with LlmStandin([_read(category="投诉", district="朝阳区", street="望京街道", address="望京西园三区",
                           name="王立新", phone="13911223344")]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn(turn)
    assert (reply.backend, reply.fallback) == ("llm", None)
    order = seat.finish().work_order
    assert order is not None
    assert (order.district, order.street, order.caller_name, order.phone) == (
        "朝阳区", "望京街道", "王立新", "13911223344")


def test_invented_numbers_and_names_never_reach_the_order(knowledge):
    turn = "你好，我们小区门口的路灯坏了半个月了，晚上黑得什么都看不见。"
    with LlmStandin([_read(category="投诉", name="张三", phone="13800138000", district="海淀区",
                           address="幸福小区3号楼")]) as llm:
        seat = _seat(knowledge, llm)
        seat.turn(turn)
    caller = seat.finish().caller
    assert (caller.caller_name, caller.phone, caller.district, caller.address) == (None, None, None, None)


def test_the_model_cannot_switch_the_safety_guard_off(knowledge):
    turn = "我一进楼道就闻到一股煤气味儿，特别冲，是不是哪家漏气了？"
    with LlmStandin([_read(category="咨询", is_question=True, danger=[])]) as llm:
        seat = _seat(knowledge, llm)
        seat.turn(turn)
    outcome = seat.outcome()
    assert outcome.urgent and outcome.category == "求助"


def test_a_failing_model_leaves_the_turn_to_the_offline_rules_and_says_why(knowledge):
    turn = "我要投诉，我们小区的电梯坏了一个礼拜了，物业一直不修。"
    with LlmStandin([Failure(500), Failure(500)]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn(turn)
    assert (reply.backend, reply.fallback) == ("offline", "error")
    assert reply.action == "ask" and seat.outcome().category == "投诉"


def test_a_consultation_is_worded_by_the_model_from_the_article_and_cites_it(knowledge):
    question = "我想问一下，租房的话能不能把公积金取出来？"
    article = knowledge.kb.get("kb-005")
    assert article is not None
    with LlmStandin([
        _read(category="咨询", is_question=True, kb_article="kb-005"),
        Answer(content=["[kb-005] ", "可以提取，", "在本市没有自有住房就能申请。", "具体以公积金中心的规定为准。"]),
    ]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn(question)
        said = list(reply.sentences())
        consult_prompt = llm.requests[1]["messages"][-1]["content"]
    assert reply.kb_article == "kb-005" and reply.action == "answer"
    assert said[0] == "可以提取，在本市没有自有住房就能申请。" and said[-1] == "请问还有其他需要吗？"
    assert article.answer[:20] in consult_prompt  # the model was given the article to answer from
    assert seat.finish().kb_article == "kb-005"


def test_a_model_that_cannot_word_the_answer_leaves_the_article_as_written(knowledge):
    question = "我想问一下，租房的话能不能把公积金取出来？"
    with LlmStandin([
        _read(category="咨询", is_question=True, kb_article="kb-005"),
        Answer(content="[kb-999] 可以。"), Answer(content="[kb-999] 可以。"),
    ]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn(question)
    assert reply.stream is None and reply.fallback == "invalid"
    assert reply.kb_article == "kb-005" and reply.text.startswith(knowledge.kb.get("kb-005").answer[:10])


def test_the_seats_question_is_said_in_the_models_words_without_figures_it_made_up(knowledge):
    turn = "我要投诉，我们小区的路灯坏了半个月了。"
    with LlmStandin([
        _read(category="投诉"),
        Answer(content=["您别着急，这个情况我记下了。", "三天内一定给您修好。", "请问是在哪个区、哪个街道？"]),
    ]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn(turn)
        said = list(reply.sentences())
    assert reply.action == "ask" and said == ["您别着急，这个情况我记下了。", "请问是在哪个区、哪个街道？"]
    assert llm.requests[1].get("stream") and reply.text in llm.prompt_text()  # the draft was the model's model


def test_a_model_that_cannot_word_the_question_leaves_it_as_the_seat_wrote_it(knowledge):
    with LlmStandin([_read(category="投诉"), Failure(500), Failure(500)]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn("我要投诉，我们小区的路灯坏了半个月了。")
    assert reply.stream is None and reply.fallback == "error" and reply.text.endswith("？")


def test_a_read_back_is_never_reworded(knowledge):
    turn = "我要投诉，朝阳区望京街道，望京西园三区门口的路灯坏了半个月了，我姓王，王先生，电话一三九一一二二三三四四。"
    with LlmStandin([_read(category="投诉", district="朝阳区", street="望京街道", name="王先生",
                           phone="13911223344")]) as llm:
        seat = _seat(knowledge, llm)
        reply = seat.turn(turn)
    assert reply.action == "confirm" and reply.stream is None and "幺三九" in reply.text
    assert len(llm.requests) == 1


def test_a_small_models_yes_and_corrections_do_not_steer_a_long_turn(knowledge):
    from agent.llm.schema import TurnRead
    from agent.llm.understanding import merge_reading
    from agent.reading import read_turn

    text = "你好，我想问一下，在北京租房住，自己没买房，住房公积金能不能取出来交房租？"
    offline = read_turn(knowledge.gazetteer, text, "")
    merged = merge_reading(offline, TurnRead(affirms=True, corrects="district"), text, knowledge.gazetteer)
    assert not merged.yes and not merged.corrects
    short = read_turn(knowledge.gazetteer, "嗯，是这样", "")
    assert merge_reading(short, TurnRead(affirms=True), "嗯，是这样", knowledge.gazetteer).yes


def test_a_danger_the_model_proposes_stands_only_where_the_caller_spoke_of_it(knowledge):
    noise = "我要投诉，楼下饭馆天天半夜放音乐，吵得孩子睡不着觉。"
    with LlmStandin([_read(category="投诉", danger=["danger", "violence"])]) as llm:
        seat = _seat(knowledge, llm)
        seat.turn(noise)
    assert not seat.outcome().urgent and not seat.outcome().police

    # The rules hear no danger in a smell told this vaguely; the model does, and the caller spoke of a stove.
    smell = "楼道里总有股怪怪的气儿，说不上来，像是谁家灶上的那种，您能派人来看看吗？"
    with LlmStandin([_read(category="求助", danger=["gas"])]) as llm:
        seat = _seat(knowledge, llm)
        seat.turn(smell)
    assert seat.outcome().urgent
