"""The console's audio lines (server/api/console_lines.py) over real sockets, without a browser:
a call not live here is 404 and one already taken 409 before the handshake; an agent's frame that
is not audio gets an error and the line stays up; the caller hears the agent's frames and a
supervisor listening in hears both directions; the agent hanging up ends the call cleanly."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import httpx
import pytest
import websockets
from line_caller import LineCaller, spoken
from server_harness import make_key, reader_headers, running_server
from websockets.exceptions import InvalidStatus

from server.api.console_lines import MAX_AGENT_FRAME, agent_frame
from server.storage.keys import Role

TONE = bytes(range(0, 160))  # a frame of varied μ-law: anything but the silence 0xff


def wait_for(condition, timeout_s: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def handshake_status(url: str, key: str) -> int:
    async def attempt() -> int:
        try:
            async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {key}"}):
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    return asyncio.run(attempt())


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("not json", "malformed JSON"),
        ('{"event": "mark"}', "expected"),
        ('{"event": "media", "media": {}}', "base64 text"),
        ('{"event": "media", "media": {"payload": "***"}}', "not valid base64"),
        (json.dumps({"event": "media", "media": {"payload": base64.b64encode(b"x" * (MAX_AGENT_FRAME + 1)).decode()}}),
         "a frame holds"),
    ],
)
def test_an_agent_frame_that_is_not_audio_is_refused_with_the_reason(raw: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        agent_frame(raw)


def test_agent_and_supervisor_lines_on_a_live_call(settings, tmp_path, models) -> None:
    _, synthesizer = models
    database_url = f"sqlite:///{tmp_path / 'hotline.db'}"
    with running_server(settings, database_url, *models) as address:
        agent, other_agent = make_key(database_url, Role.AGENT), make_key(database_url, Role.AGENT)
        supervisor = make_key(database_url, Role.SUPERVISOR)
        assert handshake_status(f"ws://{address}/console/calls/CA-nobody/line", agent) == 404
        with LineCaller(address, spoken(synthesizer, "你好，请帮我转人工。")) as caller:
            queue = f"http://{address}/console/queue"
            on_queue = lambda: caller.call_sid in httpx.get(queue, headers={"Authorization": f"Bearer {agent}"}).text  # noqa: E731
            assert wait_for(on_queue, 60)  # the call is up, and listed for the agents
            # The whole reading, for the agent's form (the events show the caller masked).
            reading = f"http://{address}/console/calls/{caller.call_sid}/reading"
            as_agent = {"Authorization": f"Bearer {agent}"}
            assert wait_for(lambda: httpx.get(reading, headers=as_agent).json().get("handoff_reason"), 60)
            nobody = httpx.get(f"http://{address}/console/calls/CA-nobody/reading", headers=as_agent)
            assert nobody.status_code == 404 and "no live call" in nobody.json()["detail"]
            base = f"ws://{address}/console/calls/{caller.call_sid}"

            async def on_the_line() -> tuple[list[str], set[str]]:
                as_supervisor = {"Authorization": f"Bearer {supervisor}"}
                as_agent = {"Authorization": f"Bearer {agent}"}
                async with websockets.connect(f"{base}/listen", additional_headers=as_supervisor) as listener, \
                        websockets.connect(f"{base}/line", additional_headers=as_agent) as line:
                    errors = []
                    await line.send("not json")
                    # The caller's frames come on the same line: the answer is the first error among them.
                    while (answer := json.loads(await asyncio.wait_for(line.recv(), 10)))["event"] != "error":
                        assert answer["event"] == "media", answer
                    errors.append(answer["detail"])
                    sent_at = time.monotonic()
                    frame = json.dumps({"event": "media", "media": {"payload": base64.b64encode(TONE).decode()}})
                    for _ in range(50):  # a second of the agent's voice
                        await line.send(frame)
                        await asyncio.sleep(0.02)
                    # Another agent cannot take the call meanwhile.
                    errors.append(str(await asyncio.to_thread(handshake_status, f"{base}/line", other_agent)))
                    tracks: set[str] = set()
                    while tracks != {"inbound", "outbound"} and time.monotonic() - sent_at < 10:
                        message = json.loads(await asyncio.wait_for(listener.recv(), 10))
                        tracks.add(message["media"]["track"])
                    errors.append(str(sum(f == TONE for f in [frame for at, frame in caller.heard if at >= sent_at])))
                return errors, tracks

            errors, tracks = asyncio.run(on_the_line())
            assert errors[0] == "malformed JSON: Expecting value"
            assert errors[1] == "409"
            assert int(errors[2]) >= 45  # the caller heard the agent's frames as sent
            assert tracks == {"inbound", "outbound"}
            # The agent closed the line: the call ends, normally.
            assert caller.closed.wait(30)
        call = httpx.get(f"http://{address}/api/calls/{caller.call_sid}", headers=reader_headers(address),
                         timeout=10).json()["call"]
        assert call["status"] == "ended" and call["error"] is None
