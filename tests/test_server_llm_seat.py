"""A whole call with the LLM seat backend: real audio through the real recogniser, the real
WebSocket and database, and a stand-in OpenAI-compatible server on a real socket for the model."""

from __future__ import annotations

import asyncio
import json

import pytest
from llm_standin import Answer, Failure, LlmStandin
from server_harness import DEV, api_get, running_server

from server.config import load_settings
from server.telephony.softphone import Softphone

pytestmark = pytest.mark.slow


def _call(address: str, clip: str) -> dict:
    phone = asyncio.run(Softphone(f"ws://{address}/media-stream", realtime=False).call([DEV / clip]))
    response = api_get(address, f"/api/calls/{phone.call_sid}")
    assert response.status_code == 200
    return response.json()


def _llm_settings(llm: LlmStandin):
    return load_settings(environ={
        "HOTLINE_SEAT_BACKEND": "llm", "HOTLINE_LLM_BASE_URL": llm.base_url, "HOTLINE_LLM_MODEL": "stand-in",
        "HOTLINE_LLM_TIMEOUT_S": "10",
    })


def test_the_model_answers_a_consultation_from_the_article_and_the_turn_says_so(database_url, models):
    read = json.dumps({"category": "咨询", "is_question": True, "kb_article": "kb-001"})
    answer = ["[kb-001] ", "外地来京人员先到居住地派出所办理居住登记，", "登记满半年就可以申请居住证。"]
    # The respelling of the turn reads it once more; the stand-in answers that too.
    script = [Answer(tool_arguments=read), Answer(content=answer, pause_s=0.05)] * 2
    with LlmStandin(script) as llm:
        with running_server(_llm_settings(llm), database_url, *models) as address:
            detail = _call(address, "d001_1.wav")
    turn = detail["turns"][0]
    assert (turn["backend"], turn["fallback_reason"], turn["kb_article"]) == ("llm", None, "kb-001"), turn
    said = "外地来京人员先到居住地派出所办理居住登记，登记满半年就可以申请居住证。"
    assert turn["reply_text"] == said + "请问还有其他需要吗？"
    assert detail["call"]["kb_article"] == "kb-001" and detail["call"]["route"] == "answer"
    # The model was asked with the caller's words, and offered the article among its candidates.
    assert "kb-001" in llm.prompt_text() and "居住证" in llm.prompt_text()


def test_a_failing_model_leaves_the_call_to_the_offline_seat(database_url, models):
    with LlmStandin([Failure(500)] * 8) as llm:
        with running_server(_llm_settings(llm), database_url, *models) as address:
            detail = _call(address, "d001_1.wav")
    turn = detail["turns"][0]
    assert (turn["backend"], turn["fallback_reason"]) == ("offline", "error")
    assert turn["reply_text"] and detail["call"]["category"] == "咨询"
