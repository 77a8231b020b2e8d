"""The loop closed end to end (接诉即办), on both databases, every part real: a caller's recorded
complaint comes in over the media stream and is filed and dispatched by the catalogue; the unit
accepts and reports over the REST API with its own key; the node rings the citizen's registered
phone after the configured delay; the citizen answers by keypad and once in words; and the three
rates move as the answers say."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import httpx
import numpy as np
import pytest
from server_harness import DEV, api_get, dialling_server, make_key, wait_for
from survey_callee import SurveyCallee, spoken

from server.storage.keys import Role
from server.telephony.softphone import Softphone
from server.workflow.callbacks import BEIJING
from voice.call_recording import decode_two_channels

pytestmark = pytest.mark.slow

CALL = "d023"  # a complaint whose words come through Whisper base steadily on every CPU tried
CALL_TURNS = [json.loads(line) for line in (DEV / "calls.jsonl").read_text(encoding="utf-8").splitlines()]
EXPECTED = next(call for call in CALL_TURNS if call["id"] == CALL)
CITIZEN = EXPECTED["expect"]["phone"]


def rates(address: str, dimension: str) -> list[dict]:
    month = datetime.now(BEIJING).strftime("%Y-%m")
    response = api_get(address, f"/api/metrics/{dimension}", month=month)
    assert response.status_code == 200
    return response.json()["rows"]


def test_a_complaint_is_dispatched_handled_called_back_and_counted(settings, database_url, models) -> None:  # noqa: ANN001
    recognizer, synthesizer = models
    # Callbacks at once, whatever the hour the suite runs at: the delay and calling hours are settings.
    callback = {"delay_hours": 0, "calling_hours": "00:00-23:59:59"}
    with dialling_server(settings, database_url, recognizer, synthesizer, callback=callback) as address:
        callee = SurveyCallee(address, CITIZEN, script=["1", "1", "2", spoken(synthesizer, "满意")])
        registered = asyncio.Event()

        async def citizen() -> None:
            answering = asyncio.create_task(callee.take_calls(1, registered))
            await asyncio.wait_for(registered.wait(), 30)
            clips = [DEV / turn["audio"] for turn in EXPECTED["turns"]]
            await Softphone(f"ws://{address}/media-stream", realtime=False).call(clips)
            # From here the citizen waits for the callback, while the unit works (below, in a thread).
            await asyncio.wait_for(answering, 300)

        def unit_handles_the_order() -> str:
            tickets = wait_for(lambda: api_get(address, "/api/tickets").json()["tickets"], 120)
            (order,) = tickets
            assert order["status"] == "dispatched" and order["phone"] == CITIZEN and order["unit"]
            assert rates(address, "unit") == []  # nobody called back yet
            unit = {"Authorization": f"Bearer {make_key(database_url, Role.UNIT, unit=order['unit'])}"}
            base = f"http://{address}/api/tickets/{order['id']}"
            assert httpx.post(f"{base}/accept", headers=unit, timeout=10).status_code == 200
            reported = httpx.post(f"{base}/report", headers=unit, timeout=10,
                                  json={"result": "solved", "text": "已拆除违建"})
            assert reported.status_code == 200 and reported.json()["status"] == "reported"
            return order["id"]

        async def both() -> str:
            unit_work = asyncio.create_task(asyncio.to_thread(unit_handles_the_order))
            await citizen()
            return await unit_work

        order_id = asyncio.run(both())
        heard = callee.heard[0]
        assert heard.prompts == 4 and heard.close_code == 1000

        detail = wait_for(lambda: (d := api_get(address, f"/api/tickets/{order_id}").json())["status"] == "closed"
                          and d, 60)
        (survey,) = detail["callbacks"]
        assert (survey["status"], survey["contacted"], survey["solved"], survey["satisfaction"]) == (
            "done", True, False, "满意")
        (attempt,) = survey["attempts"]
        assert attempt["outcome"] == "answered" and attempt["note"].startswith("按1 / 按1 / 按2 / ")
        assert "phone" not in survey and CITIZEN not in json.dumps(survey)
        kinds = [event["kind"] for event in detail["events"]]
        assert kinds == ["created", "dispatched", "accepted", "reported", "callbacks_scheduled", "closed"]
        # 响应率 and 满意率 1 (contacted; 满意, said in words), 解决率 0 (the citizen says: not solved).
        (unit_row,) = rates(address, "unit")
        assert unit_row["key"] == detail["unit"] and unit_row["answered"] == 1
        assert (unit_row["response_rate"], unit_row["resolution_rate"], unit_row["satisfaction_rate"]) == (1, 0, 1)
        (district_row,) = rates(address, "district")
        assert district_row["key"] == EXPECTED["expect"]["district"]
        # The survey call is recorded as a citizen's call is: both sides, the questions on the right.
        recording = wait_for(lambda: (r := api_get(address, f"/api/calls/{heard.call_sid}/recording")).status_code
                             == 200 and r, 60)
        audio, rate = decode_two_channels(recording.content)
        assert audio.shape[0] == 2 and float(np.abs(audio[1]).max()) > 0.05
