"""What the LLM reads from a turn (agent/llm/schema.py), its prompts and the sentence cutter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent.llm.citation import article_numbers, invented_numbers, split_citation
from agent.llm.prompting import TurnContext, prompt, read_turn_messages
from agent.llm.schema import TurnRead, turn_read_schema
from agent.llm.sentences import SentenceSplitter
from knowledge.kb import KbArticle


def test_what_a_small_model_writes_for_nothing_is_nothing() -> None:
    read = TurnRead.from_model({"category": "", "name": "null", "phone": " ", "danger": ["fire", "fire"]}, [])
    assert (read.category, read.name, read.phone, read.danger) == (None, None, None, ["fire"])


def test_a_placeholder_nobody_put_back_is_no_number() -> None:
    # The prompt shows [电话1] as an example; a 1.5B copies it on turns with no number in them (21
    # of 22 turns went invalid for it in bench/llm_seat.py): no number was said, nothing is invalid.
    assert TurnRead.from_model({"phone": "[电话1]"}, []).phone is None
    assert TurnRead.from_model({"phone": "【电话】"}, []).phone is None


def test_a_phone_is_kept_as_digits_however_it_was_written() -> None:
    assert TurnRead.from_model({"phone": 13911223344}, []).phone == "13911223344"
    assert TurnRead.from_model({"phone": "139-1122-3344"}, []).phone == "13911223344"
    assert TurnRead.from_model({"phone": "幺三九，一一二二，三三四四"}, []).phone == "13911223344"


@pytest.mark.parametrize(
    "data",
    [
        {"category": "咨询类"},
        {"corrects": "电话"},
        {"phone": False},
        {"affirms": True, "denies": True},
        {"kb_article": "kb-3"},
        {"extra": 1},
    ],
)
def test_anything_outside_the_schema_is_a_validation_error(data: dict) -> None:
    with pytest.raises(ValidationError):
        TurnRead.from_model(data, ["kb-1"])


def test_the_schema_offers_only_this_turns_candidates() -> None:
    assert turn_read_schema()["properties"]["kb_article"] == {"type": "null"}
    schema = turn_read_schema(["kb-2", "kb-1"])
    assert schema["properties"]["kb_article"]["anyOf"][0]["enum"] == ["kb-1", "kb-2"]
    assert schema["additionalProperties"] is False
    assert "title" not in str(schema)
    assert set(schema["properties"]) == set(TurnRead.model_fields)


def test_prompts_load_from_the_package() -> None:
    assert "category" in prompt("read_turn").template
    messages = read_turn_messages("我要投诉", TurnContext(known={"phone": "13911223344", "district": "朝阳区"}),
                                  "tool", str)
    assert "区=朝阳区" in messages[1]["content"] and "电话=已有" in messages[1]["content"]
    assert "13911223344" not in messages[1]["content"]  # the model is told a number is there, not which


def test_sentences_come_out_as_their_end_marks_arrive() -> None:
    splitter = SentenceSplitter()
    assert list(splitter.feed("好的，请问")) == []
    assert list(splitter.feed("您的电话？我")) == ["好的，请问您的电话？"]
    assert list(splitter.feed("们会处理；”")) == ["我们会处理；"]
    assert list(splitter.feed("谢谢")) == []
    assert splitter.flush() == "谢谢"


def test_citations_and_figures() -> None:
    assert split_citation("[kb-012] 需要身份证。") == ("kb-012", "需要身份证。")
    assert split_citation("【kb-3】：好。") == ("kb-3", "好。")
    assert split_citation("需要身份证。") == (None, "需要身份证。")
    article = KbArticle("kb-1", "居住证", "怎么办？", "三十个工作日内办结，电话010-12345678。", "公安局")
    allowed = article_numbers(article)
    assert not invented_numbers("30个工作日，可拨打010 12345678或12345。", allowed)
    assert invented_numbers("需交200元。", allowed) == {"200"}
