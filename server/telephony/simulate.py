"""`hotline simulate`: play a corpus of calls against a server and write one result line per call."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from server.telephony.softphone import PhoneCall, Softphone


class SimulationError(Exception):
    pass


@dataclass(frozen=True)
class CorpusCall:
    id: str
    clips: list[Path]
    caller_number: str | None = None


def read_corpus(path: Path) -> list[CorpusCall]:
    """Audio paths are relative to the corpus file's folder."""
    if not path.is_file():
        raise SimulationError(f"corpus file not found: {path}")
    calls = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            clips = [path.parent / turn["audio"] for turn in record["turns"]]
            call = CorpusCall(id=str(record["id"]), clips=clips, caller_number=record.get("caller_number"))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SimulationError(f"{path}:{number}: not a corpus call ({exc})") from exc
        calls.append(call)
    return calls


def endpoints(server: str) -> tuple[str, str]:
    """`ws://h:p`, `http://h:p` or either with /media-stream → (WebSocket URL, HTTP base URL)."""
    base = server.rstrip("/").removesuffix("/media-stream")
    if base.startswith(("ws://", "wss://")):
        http = "http" + base[2:]
    elif base.startswith(("http://", "https://")):
        http = base
    else:
        http = "http://" + base
    return "ws" + http[4:] + "/media-stream", http


def _ms_between(later: datetime | float | None, earlier: float | None) -> int | None:
    if later is None or earlier is None:
        return None
    seconds = later.timestamp() if isinstance(later, datetime) else later
    return round((seconds - earlier) * 1000)


def reader_headers(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


def check_key(server: str, key: str | None) -> None:
    """SimulationError, before any call is placed, when the server will not let us read calls back."""
    _, http = endpoints(server)
    try:
        response = httpx.get(f"{http}/api/calls", params={"limit": 1}, headers=reader_headers(key), timeout=10)
    except httpx.HTTPError as exc:
        raise SimulationError(f"cannot reach {http}: {exc}") from None
    if response.status_code == 401 and not key:
        raise SimulationError(
            f"{http} wants a key to read the calls back: pass --key or set HOTLINE_KEY "
            "(make one where the server runs: hotline key create --role supervisor)"
        )
    if response.status_code in (401, 403):
        raise SimulationError(f"{http} refused the key: {response.json().get('detail', response.status_code)}")


def fetch_detail(http: str, call_sid: str, key: str | None = None, timeout_s: float = 60.0) -> dict[str, Any]:
    """The call as stored; waits until the server has finished it (the seat concludes after `stop`).
    `key` is a key that may read calls (a supervisor's, say)."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=http, timeout=10, headers=reader_headers(key)) as client:
        while True:
            response = client.get(f"/api/calls/{call_sid}")
            if response.status_code == 200 and response.json()["call"]["status"] != "active":
                return response.json()
            if time.monotonic() > deadline:
                raise SimulationError(f"call {call_sid} was not finished on the server after {timeout_s:.0f} s")
            time.sleep(0.2)


def result_line(call_id: str, phone: PhoneCall, detail: dict[str, Any], realtime: bool) -> dict[str, Any]:
    record = detail["call"]
    turns = []
    for index, stored in enumerate(detail["turns"]):
        timing = phone.turns[index] if index < len(phone.turns) else None
        final_at = datetime.fromisoformat(stored["asr_final_at"]) if stored.get("asr_final_at") else None
        turns.append({
            "asr_text": stored["asr_text"],
            "reply_text": stored["reply_text"],
            "end_of_speech_to_final_ms":
                _ms_between(final_at, timing.end_of_speech_wall) if realtime and timing else None,
            "end_of_speech_to_reply_audio_ms":
                _ms_between(timing.first_reply_audio_wall, timing.end_of_speech_wall)
                if realtime and timing else None,
        })
    ticket = detail.get("ticket")
    # Who called and where, as the seat understood them, on every route (a ticket has them too).
    caller = {"caller_name": record.get("caller_name"), "phone": record.get("callback_number"),
              "district": record.get("district"), "street": record.get("street"), "address": record.get("address")}
    return {
        "id": call_id,
        "category": record["category"],
        "route": record["route"],
        "kb_article": record["kb_article"],
        "urgent": record["urgent"],
        "police": record["police"],
        "turns": turns,
        "ticket": None if ticket is None else {
            key: ticket.get(key) for key in (
                "id", "topic", "district", "street", "address", "caller_name", "phone", "urgent",
                "police", "unit", "co_unit", "due_at", "summary")
        },
        "record": caller,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LocalServer:
    url: str  # ws://127.0.0.1:PORT
    pid: int  # for benchmarks that measure its CPU time
    key: str  # a supervisor's key, to read the calls back
    log_path: Path  # what the server wrote (for benchmarks that read it; gone when the block ends)
    database: Path  # its SQLite file (likewise)


@dataclass(frozen=True)
class Target:
    """The server calls go to, and the key they are read back with."""

    url: str
    key: str | None


@contextmanager
def local_server(
    kb: Path | None, catalogue: Path | None, gazetteer: Path | None, env: dict[str, str] | None = None,
    hotline: list[str] | None = None,
) -> Iterator[LocalServer]:
    """A server of our own on a free loopback port, with a fresh database and the given knowledge
    (`env`: more settings for it, HOTLINE_<SECTION>_<KEY>; `hotline`: the command line that runs
    `hotline serve`, for a benchmark that wraps the server, by default this Python's `-m server.cli`)."""
    with tempfile.TemporaryDirectory(prefix="hotline-sim-") as folder:
        database = Path(folder) / "simulate.db"
        url = f"sqlite:///{database}"
        cli = [sys.executable, "-m", "server.cli"]
        env = {**os.environ, **(env or {}), "HOTLINE_DATABASE_URL": url, "HOTLINE_PATHS_DATA_DIR": folder}
        setup = [["db", "upgrade"], ["db", "seed"]]
        setup += [[kind, "import", str(path)] for kind, path in
                  (("kb", kb), ("catalogue", catalogue), ("gazetteer", gazetteer)) if path]
        for args in setup:
            done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SimulationError(f"hotline {' '.join(args)} failed: {done.stderr.strip() or done.stdout}")
        key = _reader_key(url)
        port = free_port()
        log_path = Path(folder) / "server.log"
        with log_path.open("w") as log_file:
            server = subprocess.Popen([*(hotline or cli), "serve", "--port", str(port)], env=env,
                                      stdout=log_file, stderr=subprocess.STDOUT)
            try:
                _wait_healthy(f"http://127.0.0.1:{port}", server, log_path)
                yield LocalServer(f"ws://127.0.0.1:{port}", server.pid, key, log_path, database)
            finally:
                stop_server(server, timeout_s=20)


def _reader_key(database_url: str) -> str:
    """A supervisor's key in our own server's fresh database, to read the calls back."""
    from server.storage.db import make_engine
    from server.storage.keys import Role, create_key

    engine = make_engine(database_url)
    try:
        return create_key(engine, Role.SUPERVISOR, label="simulate")[1]
    finally:
        engine.dispose()


@contextmanager
def server_target(server: str | None, key: str | None = None, kb: Path | None = None,
                  catalogue: Path | None = None, gazetteer: Path | None = None) -> Iterator[Target]:
    """The server to call: the one given (with `key` to read calls back; checked first), or one of
    our own for as long as the block runs."""
    if server:
        check_key(server, key)
        yield Target(server, key)
        return
    with local_server(kb, catalogue, gazetteer) as local:
        yield Target(local.url, local.key)


def _wait_healthy(http: str, server: subprocess.Popen, log_path: Path, timeout_s: float = 180) -> None:
    wait_until_serving(f"{http}/healthz", server, log_path, timeout_s)


def wait_until_serving(url: str, server: subprocess.Popen, log_path: Path, timeout_s: float) -> None:
    """Until `url` answers 200; SimulationError with the end of the server's log if it exits first
    or does not answer in time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise SimulationError(f"the server exited ({server.returncode}) while starting:\n{tail}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SimulationError(f"the server did not become ready within {timeout_s:.0f} s")


def stop_server(server: subprocess.Popen, timeout_s: float) -> None:
    """Ask a server we started to stop; kill it if it has not within `timeout_s`."""
    server.terminate()
    try:
        server.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def simulate_call(target: Target, call: CorpusCall, realtime: bool) -> dict[str, Any]:
    ws_url, http = endpoints(target.url)
    try:
        phone = asyncio.run(Softphone(ws_url, realtime).call(call.clips, call.caller_number))
        detail = fetch_detail(http, phone.call_sid, target.key)
        return result_line(call.id, phone, detail, realtime)
    except Exception as exc:  # noqa: BLE001 - a broken call is one error line, the run goes on
        return {"id": call.id, "error": f"{type(exc).__name__}: {exc}"}
