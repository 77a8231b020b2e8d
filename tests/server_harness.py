"""Running a real Hotline server on a free loopback port inside the test process."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from server.app import create_app, prepare_database
from server.config import Settings
from server.key_guard import FailedKeyChecks
from server.storage import db, repository
from server.storage.keys import Role, create_key
from server.telephony.simulate import free_port
from voice.asr.base import SpeechRecognizer
from voice.tts.base import SpeechSynthesizer

T = TypeVar("T")

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "corpus" / "dev"
SAMPLE_KB = SHARED / "kb"

# A supervisor's key for each running test server, by its address: tests read calls with it.
_READER_KEYS: dict[str, str] = {}


def load_sample_knowledge(database_url: str) -> None:
    """The shared sample KB, catalogue and gazetteer, which the dev corpus labels refer to."""
    from knowledge.formats import read_catalogue, read_gazetteer, read_kb

    engine = db.make_engine(database_url)
    try:
        repository.replace_kb(engine, read_kb(SAMPLE_KB / "sample_kb.jsonl"))
        repository.replace_catalogue(engine, read_catalogue(SAMPLE_KB / "catalogue.json"))
        repository.replace_gazetteer(engine, read_gazetteer(SAMPLE_KB / "gazetteer.json"))
    finally:
        engine.dispose()


@contextmanager
def serving(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Runs `app` under uvicorn on `port` (by default a free one) of the loopback; yields `127.0.0.1:PORT`."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws="websockets-sansio",
                                           ws_max_size=2**20, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)


@contextmanager
def serving_rest_api(engine: Engine) -> Iterator[str]:
    """The REST routers alone (no telephony, no models) over `engine`, with the default workflow
    rules, on a free loopback port; yields `http://127.0.0.1:PORT`."""
    from fastapi.exceptions import RequestValidationError

    from server.api import dashboard, handling, metrics, routes, tickets
    from server.api.validation import invalid_request
    from server.workflow.callbacks import CallbackRules
    from server.workflow.intake import DispatchRules
    from server.workflow.metrics import MetricWeights

    app = FastAPI()
    app.add_exception_handler(RequestValidationError, invalid_request)  # as create_app does
    for router in (routes.router, tickets.router, handling.router, metrics.router, dashboard.router):
        app.include_router(router)
    app.state.engine = engine
    app.state.failed_keys = FailedKeyChecks(limit=10, window_s=900)
    app.state.dispatch_rules = DispatchRules()
    app.state.callback_rules = CallbackRules()
    app.state.metric_weights = MetricWeights()
    with serving(app) as address:
        yield f"http://{address}"


@contextmanager
def recordings_apart(settings: Settings) -> Iterator[Settings]:
    """`settings`, with the calls' recordings in a folder of their own for as long as the block runs
    unless they name one: never in the checkout's var/."""
    if settings.raw["recordings"]["dir"]:
        yield settings
        return
    with tempfile.TemporaryDirectory(prefix="hotline-recordings-") as folder:
        yield replace(settings, raw={**settings.raw, "recordings": {**settings.raw["recordings"], "dir": folder}})


@contextmanager
def running_server(
    settings: Settings,
    database_url: str,
    recognizer: SpeechRecognizer,
    synthesizer: SpeechSynthesizer,
) -> Iterator[str]:
    """A Hotline server with a migrated database holding the shared sample knowledge."""
    prepare_database(settings, database_url)
    load_sample_knowledge(database_url)
    key = make_key(database_url, Role.SUPERVISOR)
    with recordings_apart(settings) as settings, serving(
        create_app(settings, database_url, recognizer=recognizer, synthesizer=synthesizer)
    ) as address:
        _READER_KEYS[address] = key
        try:
            yield address
        finally:
            _READER_KEYS.pop(address, None)


@contextmanager
def dialling_server(
    settings: Settings,
    database_url: str,
    recognizer: SpeechRecognizer,
    synthesizer: SpeechSynthesizer,
    **sections: dict[str, object],
) -> Iterator[str]:
    """A Hotline server (the sample knowledge) whose node dials due callbacks on registered
    softphones, polling often; `sections` override settings by section, e.g. callback={...}."""
    raw = {**settings.raw, "dialer": {**settings.raw["dialer"], "poll_seconds": 0.2, "ring_seconds": 3}}
    for name, values in sections.items():
        raw[name] = {**raw[name], **values}
    prepare_database(settings, database_url)
    load_sample_knowledge(database_url)
    key = make_key(database_url, Role.SUPERVISOR)
    port = free_port()
    raw["dialer"]["stream_url"] = f"ws://127.0.0.1:{port}/media-stream"
    with recordings_apart(replace(settings, raw=raw)) as settings, serving(
        create_app(settings, database_url, recognizer=recognizer, synthesizer=synthesizer, dial_callbacks=True), port
    ) as address:
        _READER_KEYS[address] = key
        try:
            yield address
        finally:
            _READER_KEYS.pop(address, None)


def wait_for(check: Callable[[], T], seconds: float = 120.0) -> T:
    """`check()`'s first truthy value, polled until `seconds` have passed (then the test fails)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"not so within {seconds:.0f} s")


def make_key(database_url: str, role: Role, unit: str | None = None) -> str:
    engine = db.make_engine(database_url)
    try:
        return create_key(engine, role, unit=unit, label="tests")[1]
    finally:
        engine.dispose()


def reader_headers(address: str) -> dict[str, str]:
    """What a supervisor's console sends to the server at `address` (one `running_server` made)."""
    return {"Authorization": f"Bearer {_READER_KEYS[address]}"}


def api_get(address: str, path: str, **params: object) -> httpx.Response:
    """GET `path` of the REST API at `address` with a supervisor's key."""
    return httpx.get(f"http://{address}{path}", params=params, headers=reader_headers(address), timeout=10)


def close_call(engine, **fields):  # noqa: ANN001, ANN003, ANN201
    """End a call as the server does: its order filed and dispatched, by the default rules."""
    from server.workflow.intake import DispatchRules
    from server.workflow.intake import close_call as close_call_with

    return close_call_with(engine, DispatchRules(), **fields)
