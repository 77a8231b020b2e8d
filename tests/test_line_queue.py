"""The line limit on a real server: with one line, a second caller is answered, hears that the lines
are busy and waits unheard; it gets the greeting once the line is free and is then served. A waiter
who hangs up leaves the queue (the agents' console lists who waits, in order); one who waits too
long is told to call back and the call ends."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import websockets
from server_harness import make_key
from test_server_live import Gateway, line_noise, live_server, stored_call, ulaw_clip

from server.config import ConfigError, load_settings
from server.storage.keys import Role
from server.telephony.line_queue import LineQueue, max_calls

pytestmark = pytest.mark.slow

ONE_LINE = {"server_max_calls": "1"}


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'lines.db'}"


async def dial(address: str) -> Gateway:
    ws = await websockets.connect(f"ws://{address}/media-stream")
    gateway = Gateway(ws, f"CA{uuid.uuid4().hex}")
    await gateway.start()
    return gateway


def marks(gateway: Gateway) -> list[str]:
    """The names of the prompts and replies sent in full (a sentence's own mark has a `:n` suffix)."""
    return [kind.removeprefix("mark:") for kind in gateway.kinds() if kind.startswith("mark:") and ":" not in kind[5:]]


def test_lines_go_to_waiters_first_come_first_served() -> None:
    async def run() -> None:
        lines = LineQueue(1)
        assert lines.try_take() and not lines.try_take()
        now = datetime.now(UTC)
        first, second, third = (lines.join(f"CA-{n}", now) for n in range(3))
        assert [w.call_sid for w in lines.waiters()] == ["CA-0", "CA-1", "CA-2"]
        lines.leave(first)  # hung up while waiting
        lines.release()
        assert second.done() and not third.done() and lines.serving == 1
        lines.release()  # handed to the third, who hung up before it could take it: the line is free again
        lines.leave(third)
        assert lines.serving == 0 and lines.waiting == 0 and lines.try_take()
        assert LineQueue(0).try_take() and LineQueue(0).try_take()  # 0: no limit

    asyncio.run(run())


def test_a_line_limit_that_is_not_a_whole_number_stops_the_server_with_a_clear_error() -> None:
    assert max_calls(load_settings(environ={"HOTLINE_SERVER_MAX_CALLS": "0"})) == 0
    with pytest.raises(ConfigError, match="max_calls"):
        max_calls(load_settings(environ={"HOTLINE_SERVER_MAX_CALLS": "-1"}))


def test_a_caller_past_the_limit_hears_the_lines_are_busy_and_is_served_when_a_line_frees(
    sqlite_url: str, models
) -> None:
    async def calls(address: str) -> tuple[Gateway, Gateway, float]:
        first = await dial(address)
        await first.wait_for("mark", "greeting")
        second = await dial(address)
        await second.wait_for("mark", "lines-busy", timeout=30)
        await second.echo("lines-busy")
        heard_while_queued = second.media_frames
        # Waiting: what the caller says is heard by nobody (no turn), and nothing is said to it.
        await second.send(ulaw_clip("d002_1.wav"), realtime=False)
        await second.keep_line_open(1.5)
        assert "greeting" not in marks(second) and second.media_frames == heard_while_queued
        freed_at = time.monotonic()
        await first.hang_up()
        await second.wait_for("mark", "greeting", timeout=30)
        await second.echo("greeting")
        await second.send(ulaw_clip("d013_1.wav"), realtime=False)
        await second.send(line_noise(1.5), realtime=False)
        await second.wait_for("mark", "reply-0")
        await second.hang_up()
        return first, second, freed_at

    with live_server(sqlite_url, models, **ONE_LINE) as address:
        first, second, freed_at = asyncio.run(calls(address))
        served = stored_call(address, second.call_sid)
        stored_call(address, first.call_sid)
    # The busy prompt is the first thing the second caller heard, the greeting only once the line was free.
    assert marks(second)[:2] == ["lines-busy", "greeting"], marks(second)
    greeted_at = next(at for at, kind, name in second.events if kind == "mark" and name == "greeting")
    assert greeted_at > freed_at
    busy_frames = next(i for i, (_, kind, name) in enumerate(second.events) if name == "lines-busy")
    assert busy_frames > 100  # seconds of audio: the rendered prompt, not a beep
    assert served["call"]["status"] == "ended" and served["call"]["route"] in ("answer", "ticket", "handoff")
    assert len(served["turns"]) == 1 and served["turns"][0]["reply_text"]
    assert "社保" not in served["turns"][0]["asr_text"] and served["turns"][0]["asr_text"]  # d013, not d002
    assert served["call"]["heard_marks"][0] == "greeting"  # the queue's own marks are not the served call's


def test_a_waiter_who_hangs_up_leaves_the_queue_and_the_next_gets_the_line(sqlite_url: str, models) -> None:
    async def calls(address: str) -> tuple[Gateway, Gateway, Gateway]:
        first = await dial(address)
        await first.wait_for("mark", "greeting")
        leaving = await dial(address)
        await leaving.wait_for("mark", "lines-busy", timeout=30)
        next_in_line = await dial(address)
        await next_in_line.wait_for("mark", "lines-busy", timeout=30)
        # The agents see who waits, in order, and nothing of who they are.
        page = await asyncio.to_thread(httpx.get, f"http://{address}/console/queue", headers=agent)
        rows = re.findall(r'<tr data-call="([^"]+)">\s*<td>第 (\d) 位', page.text)
        assert rows == [(leaving.call_sid, "1"), (next_in_line.call_sid, "2")], page.text
        assert "线路全忙、排队等候的来电（2）" in page.text, page.text
        await leaving.hang_up()
        await first.hang_up()
        await next_in_line.wait_for("mark", "greeting", timeout=30)
        await next_in_line.hang_up()
        return first, leaving, next_in_line

    with live_server(sqlite_url, models, **ONE_LINE) as address:
        agent = {"Authorization": f"Bearer {make_key(sqlite_url, Role.AGENT)}"}
        _, leaving, next_in_line = asyncio.run(calls(address))
        left = stored_call(address, leaving.call_sid)
        served = stored_call(address, next_in_line.call_sid)
    assert left["call"]["status"] == "ended" and left["call"]["route"] == "abandoned"
    assert left["turns"] == [] and left["call"]["ended_at"]
    assert served["call"]["route"] != "abandoned" and "greeting" in marks(next_in_line)


def test_a_caller_who_waits_too_long_is_told_to_call_back_and_the_call_ends(sqlite_url: str, models) -> None:
    async def calls(address: str) -> tuple[Gateway, Gateway]:
        first = await dial(address)
        await first.wait_for("mark", "greeting")
        waiting = await dial(address)
        await waiting.wait_for("mark", "call-back-later", timeout=30)
        await waiting.echo("call-back-later")
        await asyncio.wait_for(waiting._reader, timeout=30)  # the server ends the call: the stream closes
        await first.hang_up()
        return first, waiting

    with live_server(sqlite_url, models, server_max_calls="1", server_queue_max_wait_s="3",
                     server_busy_prompt_every_s="1.5") as address:
        _, waiting = asyncio.run(calls(address))
        told = stored_call(address, waiting.call_sid)
    assert waiting.ws.close_code == 1000
    heard = marks(waiting)
    assert heard.count("lines-busy") == 2 and heard[-1] == "call-back-later", heard  # said again after 1.5 s
    assert waiting.kinds().index("clear") > waiting.kinds().index("mark:lines-busy")  # the busy prompt gave way
    assert told["call"]["status"] == "ended" and told["call"]["route"] == "queue_timeout"
    assert told["call"]["heard_marks"] == ["call-back-later"] and told["turns"] == []
