"""The agent console (server/web/console.py, server/api/console_lines.py) in Chromium: a call the
seat hands to a person comes up in the queue with its reason; the agent reads the brief, takes the
call, and the caller hears the agent's microphone (a recording Chromium plays as its microphone,
read back by the recogniser from what reached the caller); a supervisor listens in; the agent files
the order from the pre-filled form, bad input shown beside its field; hanging up ends the call."""

from __future__ import annotations

import time

import httpx
import numpy as np
from browser_harness import chromium, log_in, microphone_wav, wait_for_script
from line_caller import LineCaller, spoken
from server_harness import DEV, make_key, reader_headers, running_server

from server.storage.keys import Role
from voice.call_recording import decode_two_channels
from voice.codec import int16_to_float, resample, ulaw_to_pcm16


def wait_until(condition, timeout_s: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_an_agent_takes_a_handed_off_call_and_files_its_order(settings, tmp_path, models) -> None:
    recognizer, synthesizer = models
    # The agent's microphone says d001's words (刚来北京上班…需要什么条件); the caller will hear them.
    microphone = microphone_wav([DEV / "d001_1.wav"], tmp_path / "agent.wav", silence_s=1.0)
    database_url = f"sqlite:///{tmp_path / 'hotline.db'}"
    with running_server(settings, database_url, *models) as address, chromium(microphone) as browser:
        agent_key = make_key(database_url, Role.AGENT)
        agent = log_in(browser, address, agent_key)
        supervisor = log_in(browser, address, make_key(database_url, Role.SUPERVISOR))
        asks_for_a_person = spoken(synthesizer, "你好，我不想跟机器说话，请帮我转人工。")
        with LineCaller(address, asks_for_a_person) as caller:
            row = f'#live-calls tr[data-call="{caller.call_sid}"]'
            agent.wait_for_selector(f'{row} .handoff:has-text("来电人要求转人工")', timeout=90_000)
            last_words = agent.inner_text(f"{row} .last-words")  # what the caller just said
            assert "机器" in last_words or "人工" in last_words, last_words
            agent.click(f"{row} a")
            agent.wait_for_selector("#take-button")
            # The brief is on screen before the agent speaks.
            assert agent.inner_text("#brief").startswith("转人工原因：来电人要求转人工。")
            supervisor.goto(f"http://{address}/console/calls/{caller.call_sid}")
            supervisor.click("#listen-button")
            wait_for_script(supervisor, "document.querySelector('#listen-button').textContent === '监听中'")

            taken_at = time.monotonic()
            agent.click("#take-button")
            wait_for_script(agent, "document.querySelector('#line-status').textContent.includes('您已接入')")
            # A full turn of the agent's recording (9.7 s with its pause) and some.
            wait_until(lambda: len(caller.heard_since(taken_at)) >= 12 * 8000, 60, "the agent's audio")
            heard = int16_to_float(ulaw_to_pcm16(caller.heard_since(taken_at)[: 12 * 8000]))
            words = recognizer.transcribe(resample(heard, 8000, 16000)).text
            assert "北京上班" in words and "条件" in words, words
            listened = supervisor.evaluate("hotlineConsole.listener.framesPlayed")
            assert listened > 200, listened  # both directions reach the supervisor

            # The order: bad input is shown beside its field and nothing is filed.
            agent.select_option("#f-category", "求助")
            agent.select_option("#f-district", "朝阳区")
            agent.fill("#f-street", "望京街道")
            agent.fill("#f-phone", "1391234abcd")
            agent.fill("#f-summary", "来电人要求人工协助办理居住证，需街道联系说明材料。")
            agent.click("#file-order")
            agent.wait_for_selector("#phone-error")
            assert agent.inner_text("#phone-error") == "电话应为 7 到 12 位数字"
            assert agent.get_attribute("#f-phone", "aria-invalid") == "true"
            assert agent.input_value("#f-summary").startswith("来电人要求人工协助")  # what was typed stays
            call = httpx.get(f"http://{address}/api/calls/{caller.call_sid}", headers=reader_headers(address),
                             timeout=10).json()
            assert call["ticket"] is None
            agent.fill("#f-phone", "13912345678")
            agent.click("#file-order")
            agent.wait_for_selector("#order-filed")
            ticket_id = agent.inner_text("#filed-id")

            agent.click("#drop-button")
            assert caller.closed.wait(30), "the call did not end when the agent hung up"
        call = httpx.get(f"http://{address}/api/calls/{caller.call_sid}", headers=reader_headers(address),
                         timeout=10).json()
        assert call["call"]["status"] == "ended" and call["call"]["route"] == "handoff"
        ticket = call["ticket"]
        assert ticket["id"] == ticket_id and ticket["district"] == "朝阳区" and ticket["phone"] == "13912345678"
        assert ticket["events"][0]["actor"].startswith("agent:")
        # The recording's side of what the caller heard ends with the agent's words.
        wait_until(lambda: httpx.get(f"http://{address}/api/calls/{caller.call_sid}/recording", timeout=30,
                                     headers={"Authorization": f"Bearer {agent_key}"}).status_code == 200,
                   60, "the call's recording")
        played = httpx.get(f"http://{address}/api/calls/{caller.call_sid}/recording",
                           headers={"Authorization": f"Bearer {agent_key}"}, timeout=30)
        audio, rate = decode_two_channels(played.content)
        last_sound = int(np.flatnonzero(np.abs(audio[1]) > 0.01)[-1])
        words = recognizer.transcribe(resample(audio[1, max(0, last_sound - 12 * rate):last_sound], rate, 16000)).text
        assert "北京上班" in words or "条件" in words, words


def test_console_pages_answer_unknown_calls_filed_calls_and_suggestions(server, database_url) -> None:
    from test_api_access import file_ticket

    from server.storage.db import make_engine

    agent = {"Authorization": f"Bearer {make_key(database_url, Role.AGENT)}"}
    with httpx.Client(base_url=f"http://{server}", headers=agent, timeout=10) as client:
        missing = client.get("/console/calls/CA-nobody")
        assert missing.status_code == 404 and "没有找到通话 CA-nobody" in missing.text
        nobody = client.post("/console/calls/CA-nobody/order", data={"category": "投诉", "summary": "x"})
        assert nobody.status_code == 404
        engine = make_engine(database_url)
        try:
            filed = file_ticket(engine, "CA-filed", "海淀区", "餐饮油烟扰民", "清河中街")
        finally:
            engine.dispose()
        page = client.get("/console/calls/CA-filed")
        assert page.status_code == 200 and f'<span id="filed-id">{filed}</span>' in page.text
        again = client.post("/console/calls/CA-filed/order", data={"category": "投诉", "summary": "又一单"})
        assert again.status_code == 409 and f"已经生成工单 {filed}" in again.text
        suggested = client.get("/console/suggest", params={"q": "外地人在北京怎么办居住证"})
        assert 'data-article="kb-001"' in suggested.text
        assert "没有与来电内容相关" in client.get("/console/suggest", params={"q": ""}).text
