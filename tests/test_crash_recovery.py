"""A server killed (`kill -9`) during four live calls loses no caller's request: every turn a caller
heard the reply to is in the database, and the restarted server marks each call interrupted and
files its draft order for review (server/workflow/recovery.py). A real `hotline serve` process on a
SQLite file, real calls from the dev corpus through the softphone, real models."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from node_harness import Node, data_keys_environ, showing_logs, stop
from server_harness import DEV, load_sample_knowledge, make_key

from server.app import prepare_database
from server.storage import repository
from server.storage.db import make_engine
from server.storage.keys import Role
from server.telephony.simulate import free_port
from server.telephony.softphone import Softphone

pytestmark = [pytest.mark.slow, pytest.mark.alone]

REPO = Path(__file__).resolve().parents[1]
CORPUS = {c["id"]: c for c in map(json.loads, (DEV / "calls.jsonl").read_text(encoding="utf-8").splitlines())}
# Complaints and reports, each saying so in its first turn: every one is a request owed an order.
CALLS = ["d013", "d017", "d033", "d035"]
NODE = "crash-test-node"  # a name kept across the restart: the restarted node takes its calls back at once


def clips(call_id: str) -> list[Path]:
    # Said twice over, as a caller repeating themselves would: every call is still going when the
    # slowest of the four has its first answer.
    return [DEV / turn["audio"] for turn in CORPUS[call_id]["turns"]] * 2


def node_environ(database_url: str, data_dir: Path) -> dict[str, str]:
    """The node's settings: this test's database and the suite's data keys (the same after the
    restart, and readable by the test), its name, no line limit, no callbacks dialled."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return {
        **inherited,
        **data_keys_environ(),
        "HOTLINE_DATABASE_URL": database_url, "HOTLINE_PATHS_DATA_DIR": str(data_dir),
        "HOTLINE_DIALER_NODE": NODE, "HOTLINE_DIALER_KIND": "none", "HOTLINE_SERVER_MAX_CALLS": "0",
    }


@contextmanager
def hotline_serve(database_url: str, folder: Path, name: str, start_timeout_s: float = 300) -> Iterator[Node]:
    """`hotline serve` on a free port, yielded once it answers /healthz; stopped afterwards if still up."""
    port, log = free_port(), folder / f"{name}.log"
    with log.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=REPO,
                                   env=node_environ(database_url, folder / "data"), stdout=sink,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    node = Node(name, port, process, log)
    try:
        with showing_logs([node]):
            deadline = time.monotonic() + start_timeout_s
            while True:
                assert process.poll() is None, "the server exited while starting"
                try:
                    if httpx.get(f"{node.http}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"the server did not start in {start_timeout_s:.0f} s"
                time.sleep(0.3)
            yield node
    finally:
        stop(node)


async def until(check: Callable[[], object], placed: list[asyncio.Task], what: str) -> None:
    deadline = time.monotonic() + 600
    while not check():
        assert not any(task.done() for task in placed), [task.exception() for task in placed if task.done()]
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


async def calls_killed_midway(node: Node) -> list[Softphone]:
    """The four calls up at once; the server killed once every caller has heard a reply."""
    phones = [Softphone(f"ws://127.0.0.1:{node.port}/media-stream", realtime=False, reply_timeout_s=300)
              for _ in CALLS]
    placed: list[asyncio.Task] = []
    for n, (phone, call) in enumerate(zip(phones, CALLS, strict=True)):
        placed.append(asyncio.create_task(phone.call(clips(call), caller_number=f"1370000{n:04d}")))
        # Each rings once the one before is answered: four handshakes at the same instant on this
        # busy machine can outlast the phone's 10 s for one.
        await until(lambda phone=phone: phone.current and phone.current.first_audio_wall, placed, "no greeting")
    await until(lambda: all(phone.current and phone.current.replies for phone in phones), placed,
                "the four callers did not all hear a reply")
    os.kill(node.process.pid, signal.SIGKILL)
    node.process.wait()
    ended = await asyncio.gather(*placed, return_exceptions=True)
    assert all(isinstance(outcome, Exception) for outcome in ended)  # cut off, every one of them
    return phones


def test_a_server_killed_mid_call_loses_no_request(tmp_path: Path, settings) -> None:
    database_url = f"sqlite:///{tmp_path / 'hotline.db'}"
    prepare_database(settings, database_url)
    load_sample_knowledge(database_url)
    supervisor = {"Authorization": f"Bearer {make_key(database_url, Role.SUPERVISOR)}"}

    with hotline_serve(database_url, tmp_path, "before") as node:
        phones = asyncio.run(calls_killed_midway(node))
    heard = {phone.current.call_sid: [int(r.removeprefix("reply-")) for r in phone.current.replies
                                      if r.startswith("reply-")] for phone in phones if phone.current}
    assert len(heard) == 4 and all(heard.values())

    # What the dead server left: every turn a caller heard the answer to, and the call still open.
    engine = make_engine(database_url)
    try:
        for call_sid, answered in heard.items():
            detail = repository.get_call_detail(engine, call_sid)
            assert detail is not None and detail.call.status == "active" and detail.call.node == NODE
            stored = {turn.index: turn for turn in detail.turns}
            assert set(answered) <= set(stored), (call_sid, answered, sorted(stored))
            assert all(stored[i].asr_text and stored[i].reply_text for i in answered)
            assert detail.call.draft is not None
    finally:
        engine.dispose()

    with hotline_serve(database_url, tmp_path, "after") as node:
        for call_sid, answered in heard.items():
            detail = httpx.get(f"{node.http}/api/calls/{call_sid}", headers=supervisor, timeout=10).json()
            call, turns, order = detail["call"], detail["turns"], detail["ticket"]
            assert call["status"] == "interrupted" and "interrupted" in call["error"]
            assert {t["index"] for t in turns} >= set(answered)
            # Each caller made a request: it waits in the review queue, drafted as the seat had it.
            assert call["category"] in ("投诉", "举报") and call["route"] == "ticket", (call_sid, call)
            assert order is not None and order["status"] == "review" and order["category"] == call["category"]
            assert order["summary"] and [e["actor"] for e in order["events"]] == ["recovery", "recovery"]
        queue = httpx.get(f"{node.http}/api/tickets", params={"status": "review"}, headers=supervisor,
                          timeout=10).json()
        assert len(queue["tickets"]) == 4  # one each, none twice
