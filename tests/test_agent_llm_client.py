"""The LLM backend (agent/llm/) against a stand-in OpenAI-compatible server on a real socket."""

from __future__ import annotations

import json
import time

import pytest
from llm_standin import Answer, Failure, Hang, LlmStandin

from agent.llm import LlmClient, LlmUnavailable, ReplyPlan, TurnContext
from knowledge.kb import KbArticle
from server.config import load_settings

TIMEOUT_S = 1.0
ARTICLES = [
    KbArticle("kb-101", "居住证办理", "怎么办理居住证？",
              "办理居住证需要身份证和租房合同，到社区服务站申请。一般三十个工作日内办结，不收费。", "公安局"),
    KbArticle("kb-102", "公租房申请", "公租房怎么申请？", "公租房向户籍所在街道申请，需提供收入证明。", "住建委"),
]
GOOD_READ = {"category": "投诉", "district": "朝阳区", "street": "望京街道", "danger": ["gas"],
             "phone": "13911223344", "name": "王先生"}
TURN = "我在朝阳期望京接到，楼道里一股煤气味，我姓王，电话一三九，一一二二，三三四四"


def _client(llm: LlmStandin, **options: object) -> LlmClient:
    options = {"timeout_s": TIMEOUT_S, "mask_pii": False, **options}
    return LlmClient(llm.base_url, "qwen-test", api_key="sk-test", **options)  # type: ignore[arg-type]


def _reason(call: object) -> str:
    with pytest.raises(LlmUnavailable) as caught:
        call()  # type: ignore[operator]
    return caught.value.reason


# ---------------------------------------------------------------- reading a turn


def test_a_turn_is_read_through_a_forced_tool_call() -> None:
    with LlmStandin([Answer(tool_arguments=json.dumps(GOOD_READ, ensure_ascii=False))]) as llm:
        context = TurnContext(asked="请问您反映什么问题？", known={"category": "投诉"},
                              recent=[("座席", "您好，12345。"), ("来电者", "我要反映个事")], articles=ARTICLES)
        read = _client(llm).read_turn(TURN, context)
    assert (read.category, read.district, read.street, read.phone, read.name) == (
        "投诉", "朝阳区", "望京街道", "13911223344", "王先生")
    assert read.danger == ["gas"]
    [request] = llm.requests
    assert request["model"] == "qwen-test"
    assert request["auth"] == "Bearer sk-test"
    assert request["tool_choice"] == {"type": "function", "function": {"name": "read_turn"}}
    parameters = request["tools"][0]["function"]["parameters"]
    assert parameters["properties"]["kb_article"]["anyOf"][0]["enum"] == ["kb-101", "kb-102"]
    user = request["messages"][-1]["content"]
    assert TURN in user and "请问您反映什么问题？" in user and "[kb-102] 公租房申请" in user


def test_a_turn_is_read_through_a_json_object_response() -> None:
    answer = {"is_question": True, "category": "咨询", "kb_article": "kb-101"}
    with LlmStandin([Answer(content="```json\n" + json.dumps(answer, ensure_ascii=False) + "\n```")]) as llm:
        read = _client(llm, structured="json_object").read_turn("居住证怎么办？", TurnContext(articles=ARTICLES))
    assert (read.category, read.is_question, read.kb_article) == ("咨询", True, "kb-101")
    [request] = llm.requests
    assert request["response_format"]["type"] == "json_object"
    assert request["response_format"]["schema"]["properties"]["kb_article"]["anyOf"][0]["enum"] == ["kb-101", "kb-102"]
    assert "tools" not in request
    assert "JSON" in request["messages"][0]["content"]


def test_a_malformed_tool_call_is_tried_once_more() -> None:
    script = [Answer(tool_arguments='{"category": "投诉", "district": '),
              Answer(tool_arguments=json.dumps(GOOD_READ, ensure_ascii=False))]
    with LlmStandin(script) as llm:
        read = _client(llm).read_turn(TURN)
    assert read.district == "朝阳区"
    assert len(llm.requests) == 2


@pytest.mark.parametrize(
    "second",
    [
        Answer(tool_arguments=json.dumps({"category": "抱怨"}, ensure_ascii=False)),  # not one of the six
        Answer(tool_arguments=json.dumps({"danger": ["smoke"]})),  # not a danger label
        Answer(tool_arguments=json.dumps({"phone": "139xxxx3344"})),
        Answer(tool_arguments=json.dumps({"kb_article": "kb-999"})),  # not a candidate
        Answer(tool_arguments=json.dumps({"category": None, "mood": "angry"})),  # a key we did not ask for
        Answer(content="好的，我明白了。"),  # no tool call at all
    ],
)
def test_malformed_twice_is_invalid(second: Answer) -> None:
    with LlmStandin([Answer(tool_arguments="这不是 JSON"), second]) as llm:
        assert _reason(lambda: _client(llm).read_turn(TURN, TurnContext(articles=ARTICLES))) == "invalid"
    assert len(llm.requests) == 2


def test_server_errors_twice_are_an_error_and_once_is_retried() -> None:
    with LlmStandin([Failure(500), Failure(503, "overloaded")]) as llm:
        assert _reason(lambda: _client(llm).read_turn(TURN)) == "error"
    assert len(llm.requests) == 2
    with LlmStandin([Failure(500), Answer(tool_arguments=json.dumps(GOOD_READ))]) as llm:
        assert _client(llm).read_turn(TURN).street == "望京街道"


def test_a_hanging_server_is_a_timeout_within_the_turns_budget() -> None:
    with LlmStandin([Hang(10)]) as llm:
        started = time.monotonic()
        assert _reason(lambda: _client(llm).read_turn(TURN)) == "timeout"
        waited = time.monotonic() - started
    # The caller waited the turn's budget once, not once per attempt.
    assert TIMEOUT_S * 0.9 <= waited < TIMEOUT_S + 0.5
    assert len(llm.requests) == 1


def test_the_client_is_configured_from_the_llm_section_with_the_key_from_the_environment() -> None:
    with LlmStandin([Answer(content="{}")]) as llm:
        environ = {"HOTLINE_LLM_BASE_URL": llm.base_url, "HOTLINE_LLM_MODEL": "qwen-served",
                   "HOTLINE_LLM_API_KEY": "sk-from-env", "HOTLINE_LLM_STRUCTURED": "json_object"}
        client = LlmClient.from_settings(load_settings(environ=environ).raw["llm"])
        assert (client.mask_pii, client.timeout_s) == (True, 15.0)
        assert client.read_turn("喂？").category is None
    [request] = llm.requests
    assert (request["auth"], request["model"], request["response_format"]["type"]) == (
        "Bearer sk-from-env", "qwen-served", "json_object")


def test_a_server_that_is_not_there_is_an_error() -> None:
    with LlmStandin() as llm:
        url = llm.base_url
    client = LlmClient(url, "qwen-test", timeout_s=TIMEOUT_S)
    assert _reason(lambda: client.read_turn(TURN)) == "error"


# ---------------------------------------------------------------- streamed replies

PIECES = ["好的，", "请您留一个", "回电号码。", "我们会尽快", "为您处理", "。"]


def test_a_reply_streams_its_first_sentence_before_the_stream_ends() -> None:
    with LlmStandin([Answer(content=PIECES, pause_s=0.3)]) as llm:
        sentences, first_at = [], None
        plan = ReplyPlan(intent="请来电者留一个回电号码", draft="请问您的联系电话是多少？", caller_said="我姓王")
        for sentence in _client(llm).stream_reply(plan):
            first_at = first_at or time.monotonic()
            sentences.append(sentence)
    assert sentences == ["好的，请您留一个回电号码。", "我们会尽快为您处理。"]
    assert first_at is not None and first_at < llm.chunk_times[-1] - 0.5
    [request] = llm.requests
    assert request["stream"] is True
    assert "请来电者留一个回电号码" in request["messages"][-1]["content"]


def test_a_reply_can_be_worded_from_messages_the_policy_wrote() -> None:
    with LlmStandin([Answer(content="您好，这里是12345。")]) as llm:
        messages = [{"role": "system", "content": "你是座席。"}, {"role": "user", "content": "打个招呼"}]
        assert list(_client(llm).stream_reply(messages)) == ["您好，这里是12345。"]
    assert llm.requests[0]["messages"] == messages


def test_a_reply_that_fails_before_its_first_sentence_is_tried_again() -> None:
    with LlmStandin([Failure(500), Answer(content=["好的，", "已记录。"])]) as llm:
        assert list(_client(llm).stream_reply(ReplyPlan(intent="确认已记录"))) == ["好的，已记录。"]
    with LlmStandin([Answer(content=""), Answer(content="")]) as llm:
        assert _reason(lambda: list(_client(llm).stream_reply(ReplyPlan(intent="确认已记录")))) == "invalid"


def test_a_reply_that_never_starts_times_out() -> None:
    with LlmStandin([Hang(10)]) as llm:
        started = time.monotonic()
        assert _reason(lambda: next(_client(llm).stream_reply(ReplyPlan(intent="致谢")))) == "timeout"
        assert time.monotonic() - started < TIMEOUT_S + 0.5


def test_a_reply_that_stalls_midway_keeps_what_was_said() -> None:
    with LlmStandin([Answer(content=["第一句。", "第二句。"], pause_s=TIMEOUT_S + 1)]) as llm:
        reply = _client(llm).stream_reply(ReplyPlan(intent="致谢"))
        assert next(reply) == "第一句。"
        assert _reason(lambda: next(reply)) == "timeout"


# ---------------------------------------------------------------- consultations


def test_a_consultation_is_answered_from_the_article_it_cites() -> None:
    pieces = ["[kb-101] ", "办理居住证需要身份证", "和租房合同。", "一般30个工作日内办结。"]
    with LlmStandin([Answer(content=pieces, pause_s=0.1)]) as llm:
        sentences, cited = _client(llm).answer_consultation("居住证怎么办？", ARTICLES)
        assert cited == "kb-101"
        assert list(sentences) == ["办理居住证需要身份证和租房合同。", "一般30个工作日内办结。"]
    user = llm.requests[0]["messages"][-1]["content"]
    assert "[kb-101]" in user and "三十个工作日" in user and "居住证怎么办？" in user


@pytest.mark.parametrize(
    "answer",
    [
        "[kb-999] 居住证到派出所办理。",  # an article it was not given
        "[无]",  # none of them answers
        "居住证到社区办理。",  # no citation
        "[kb-101]",  # a citation and nothing said
        "[kb-101] 办理居住证需要交200元押金。",  # a figure the article does not state
        "",
    ],
)
def test_a_consultation_without_a_grounded_answer_is_invalid(answer: str) -> None:
    with LlmStandin([Answer(content=answer), Answer(content=answer)]) as llm:
        assert _reason(lambda: _client(llm).answer_consultation("居住证怎么办？", ARTICLES)) == "invalid"
    assert len(llm.requests) == 2


def test_an_invented_figure_later_in_the_answer_stops_it() -> None:
    with LlmStandin([Answer(content="[kb-101] 需要身份证和租房合同。办理要交500元。")]) as llm:
        sentences, cited = _client(llm).answer_consultation("居住证怎么办？", ARTICLES)
        assert next(sentences) == "需要身份证和租房合同。"
        assert _reason(lambda: next(sentences)) == "invalid"


# ---------------------------------------------------------------- privacy

CALLER_NUMBER_PARTS = ("13911223344", "1122", "3344", "一一二二", "三三四四", "19491231", "110105")


def test_with_masking_no_number_leaves_and_the_answer_gets_it_back() -> None:
    turn = "我姓王，电话一三九，一一二二，三三四四，身份证110105194912310021"
    read = {"name": "王先生", "phone": "[电话1]"}
    script = [Answer(tool_arguments=json.dumps(read, ensure_ascii=False)),
              Answer(content=["好的，", "号码是[电话1]，", "对吗？"])]
    with LlmStandin(script) as llm:
        client = _client(llm, mask_pii=True)
        context = TurnContext(known={"phone": "13800001111"}, recent=[("来电者", "上次说的是13911223344")])
        assert client.read_turn(turn, context).phone == "13911223344"
        plan = ReplyPlan(intent="复述回电号码请来电者确认", facts={"回电号码": "一三九，一一二二，三三四四"})
        assert list(client.stream_reply(plan)) == ["好的，号码是一三九，一一二二，三三四四，对吗？"]
    sent = llm.prompt_text()
    assert "[电话1]" in sent and "[证件号1]" in sent
    assert not [part for part in (*CALLER_NUMBER_PARTS, "13800001111") if part in sent]


def test_without_masking_the_prompt_carries_the_number() -> None:
    with LlmStandin([Answer(tool_arguments=json.dumps({"phone": "13911223344"}))]) as llm:
        assert _client(llm, mask_pii=False).read_turn(TURN).phone == "13911223344"
    assert "一三九，一一二二，三三四四" in llm.prompt_text()
