"""The Twilio dialler against a stand-in speaking Twilio's REST API and Media Streams
(tests/twilio_standin.py): the call it asks for, what a refusal or an unreachable Twilio comes to;
the signed status route; and whole survey calls: a server configured for Twilio dials a due
callback, the stand-in answers and keys in the answers, or is busy. Real sockets throughout, one
Hotline server (SQLite file) for the module."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from twilio_standin import Callee, TwilioStandIn, read_twiml
from workflow_orders import NOISE, file_in_wangjing

from server.app import create_app, prepare_database
from server.config import ConfigError, Settings, load_settings
from server.dialer.base import Placed, SurveyRing
from server.dialer.configured import build_dialer, build_scheduler, check_dialer
from server.dialer.softphone import RegisteredPhones
from server.dialer.twilio_rest import TwilioDialer
from server.storage import repository
from server.storage.db import make_engine
from server.storage.models import Callback, CallbackAttempt
from server.telephony.simulate import free_port
from server.telephony.twilio_signature import twilio_signature
from server.workflow import handling
from server.workflow.callback_attempts import arm_attempt, note_call_sid
from server.workflow.callbacks import CallbackRules, claim_due
from server.workflow.handling import Result

ACCOUNT = "AC" + "5" * 32
TOKEN = "standin-auth-token"
FROM = "+861012345678"
T = TypeVar("T")


def eventually(check: Callable[[], T], what: str, timeout: float = 120.0) -> T:
    """`check()` once it is truthy, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


@pytest.fixture(scope="module")
def twilio() -> Iterator[TwilioStandIn]:
    with TwilioStandIn(ACCOUNT, TOKEN) as standin:
        yield standin


# ---- the dialler -------------------------------------------------------------------------------


def place(dialer: TwilioDialer, ring: SurveyRing, stream_url: str = "wss://hotline.example/media-stream") -> Placed:
    async def go() -> Placed:
        try:
            return await dialer.place(ring, stream_url)
        finally:
            await dialer.close()

    return asyncio.run(go())


def dialer_to(api_base: str, token: str = TOKEN, status_url: str = "https://hotline.example/twilio/call-status"):  # noqa: ANN201
    return TwilioDialer(ACCOUNT, token, FROM, api_base, status_url, ring_seconds=25)


def test_the_dialler_asks_twilio_to_connect_the_callee_to_our_stream(twilio: TwilioStandIn) -> None:
    # The token, as any parameter, survives XML: it is escaped in the TwiML and read back whole.
    ring = SurveyRing(callback_id=101, attempt_id=7, phone="13911110101", token='t&k<"en\'>')
    placed = place(dialer_to(twilio.base_url), ring)
    assert placed.outcome is None and placed.call_sid.startswith("CA") and len(placed.call_sid) == 34
    (form,) = twilio.calls_for_callback(101)
    assert twilio.call(placed.call_sid).form is form
    assert form["To"] == "+8613911110101" and form["From"] == FROM and form["Timeout"] == "25"
    assert form["StatusCallback"] == "https://hotline.example/twilio/call-status"
    assert (form["StatusCallbackEvent"], form["StatusCallbackMethod"]) == ("completed", "POST")
    assert read_twiml(form["Twiml"]) == ("wss://hotline.example/media-stream", ring.stream_parameters())
    # A number in E.164 already is sent as it is.
    international = SurveyRing(callback_id=102, attempt_id=8, phone="+14155550100", token="x")
    assert place(dialer_to(twilio.base_url), international).outcome is None
    assert twilio.calls_for_callback(102)[0]["To"] == "+14155550100"


def test_a_refused_call_fails_with_twilios_reason_but_not_the_number(twilio: TwilioStandIn) -> None:
    ring = SurveyRing(callback_id=103, attempt_id=9, phone="13911110103", token="secret-token")
    refused = place(dialer_to(twilio.base_url, token="wrong-token"), ring)
    assert refused.outcome == "failed" and "HTTP 401" in refused.note and "20003" in refused.note
    no_from = TwilioDialer(ACCOUNT, TOKEN, "", twilio.base_url, "", ring_seconds=25)
    refused_again = place(no_from, ring)
    assert refused_again.outcome == "failed" and "HTTP 400" in refused_again.note and "21213" in refused_again.note
    for note in (refused.note, refused_again.note):
        assert "13911110103" not in note and "secret-token" not in note and not refused.call_sid
    assert len(twilio.calls_for_callback(103)) == 2 and not [c for c in twilio.calls if c.form["To"].endswith("0103")]


def test_an_unreachable_twilio_is_a_failed_attempt() -> None:
    ring = SurveyRing(callback_id=104, attempt_id=10, phone="13911110104", token="x")
    placed = place(dialer_to(f"http://127.0.0.1:{free_port()}"), ring)
    assert placed.outcome == "failed" and "could not be reached" in placed.note


def test_a_twilio_dialler_wants_its_account_its_number_and_its_status_url() -> None:
    settings = load_settings(environ={"HOTLINE_DIALER_KIND": "twilio", "HOTLINE_DIALER_TWILIO_ACCOUNT_SID": ACCOUNT})
    with pytest.raises(ConfigError) as raised:
        check_dialer(settings)
    message = str(raised.value)
    assert "twilio_account_sid" not in message
    for missing in ("HOTLINE_GATEWAY_TWILIO_AUTH_TOKEN", "twilio_from_number", "twilio_status_url"):
        assert missing in message
    complete = load_settings(environ={**twilio_environ("http://127.0.0.1:9", "127.0.0.1:9")})
    check_dialer(complete)
    dialer = build_dialer(complete, RegisteredPhones())
    assert isinstance(dialer, TwilioDialer)
    asyncio.run(dialer.close())


# ---- a Hotline server dialling through the stand-in ---------------------------------------------


def twilio_environ(api_base: str, address: str) -> dict[str, str]:
    return {
        "HOTLINE_DIALER_KIND": "twilio", "HOTLINE_DIALER_NODE": "node-twilio",
        "HOTLINE_DIALER_TWILIO_ACCOUNT_SID": ACCOUNT, "HOTLINE_DIALER_TWILIO_FROM_NUMBER": FROM,
        "HOTLINE_DIALER_TWILIO_API_BASE": api_base,
        "HOTLINE_DIALER_TWILIO_STATUS_URL": f"http://{address}/twilio/call-status",
        "HOTLINE_DIALER_STREAM_URL": f"ws://{address}/media-stream",
        "HOTLINE_GATEWAY_TWILIO_AUTH_TOKEN": TOKEN,
        # No open line: the stand-in's stream is admitted by Twilio's signature.
        "HOTLINE_GATEWAY_OPEN_ON_LOOPBACK": "false",
        "HOTLINE_CALLBACK_CLAIM_SECONDS": "3600",
    }


# Each test has a caller of its own, all of one reported order.
CALLERS = {"busy": "13800000001", "route": "13800000002", "answers": "13800000003", "busy-e2e": "13800000004"}


@dataclass
class Hotline:
    address: str
    status_url: str
    settings: Settings
    engine: Engine

    def callback(self, who: str) -> Callback:
        with Session(self.engine) as session:
            # The number is sealed: compared here, not in SQL.
            (found,) = [c for c in session.exec(select(Callback)) if c.phone == CALLERS[who]]
            return found

    def attempts(self, callback_id: int) -> list[CallbackAttempt]:
        with Session(self.engine) as session:
            return list(session.exec(select(CallbackAttempt).where(CallbackAttempt.callback_id == callback_id)
                                     .order_by(col(CallbackAttempt.id))))

    def make_due(self, who: str) -> int:
        callback_id = self.callback(who).id
        with Session(self.engine) as session:
            session.execute(update(Callback).where(col(Callback.id) == callback_id)
                            .values(due_at=datetime.now(UTC) - timedelta(minutes=1)))
            session.commit()
        return callback_id


def report_order(engine: Engine) -> str:
    """An order with every caller of CALLERS merged into it, accepted and reported by its unit."""
    repository.replace_catalogue(engine, [NOISE])
    order = file_in_wangjing(engine, "CA-tw-0", phone="13911112222", address="望京西园四区南门工地")
    for i, phone in enumerate(CALLERS.values(), start=1):
        file_in_wangjing(engine, f"CA-tw-{i}", phone=phone, address="望京西园四区那个工地")
    unit = repository.get_ticket(engine, order).ticket.unit
    handling.accept(engine, order, unit=unit, actor="unit:1")
    handling.report(engine, order, unit=unit, actor="unit:1", result=Result.SOLVED, text="已责令停工",
                    rules=CallbackRules())
    return order


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory, models, twilio: TwilioStandIn) -> Iterator[Hotline]:  # noqa: ANN001
    database_url = f"sqlite:///{tmp_path_factory.mktemp('twilio') / 'hotline.db'}"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    address = f"127.0.0.1:{sock.getsockname()[1]}"
    settings = load_settings(environ=twilio_environ(twilio.base_url, address))
    settings.raw["recordings"]["dir"] = str(tmp_path_factory.mktemp("recordings"))  # not the checkout's var/
    prepare_database(settings, database_url)
    engine = make_engine(database_url)
    report_order(engine)
    app = create_app(settings, database_url, *models)
    server = uvicorn.Server(uvicorn.Config(app, ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    eventually(lambda: server.started or not thread.is_alive(), "the server to start")
    assert thread.is_alive(), "the server did not start"
    try:
        yield Hotline(address, f"http://{address}/twilio/call-status", settings, engine)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        engine.dispose()


def post_status(hotline: Hotline, params: dict[str, str], token: str = TOKEN) -> httpx.Response:
    headers = {"X-Twilio-Signature": twilio_signature(token, hotline.status_url, params)}
    return httpx.post(hotline.status_url, data=params, headers=headers, timeout=30)


def placed_attempt(hotline: Hotline, who: str, call_sid: str) -> int:
    """Claim `who`'s callback as the scheduler does and note Twilio's sid on the attempt; its id."""
    callback_id = hotline.make_due(who)
    rules = CallbackRules.from_settings(hotline.settings)
    (claimed,) = claim_due(hotline.engine, "node-twilio", datetime.now(UTC), rules)
    assert claimed.id == callback_id
    attempt_id = arm_attempt(hotline.engine, callback_id, "node-twilio", "0" * 64)
    assert attempt_id is not None
    note_call_sid(hotline.engine, attempt_id, call_sid)
    return callback_id


def status(call_sid: str, call_status: str) -> dict[str, str]:
    return {"CallSid": call_sid, "AccountSid": ACCOUNT, "CallStatus": call_status, "To": "+8613800000000",
            "From": FROM}


def test_a_signed_busy_status_is_the_attempts_outcome_and_the_callback_is_tried_later(hotline: Hotline) -> None:
    callback_id = placed_attempt(hotline, "busy", "CA" + "b" * 32)
    assert post_status(hotline, status("CA" + "b" * 32, "ringing")).status_code == 200
    assert hotline.attempts(callback_id)[-1].outcome is None  # under way: nothing to record
    before = datetime.now(UTC)
    assert post_status(hotline, status("CA" + "b" * 32, "busy")).status_code == 200
    callback, (attempt,) = hotline.callback("busy"), hotline.attempts(callback_id)
    assert (attempt.outcome, attempt.note) == ("busy", "Twilio: busy")
    assert callback.status == "pending" and callback.attempts == 1 and callback.claimed_by is None
    assert callback.due_at >= before + timedelta(minutes=30)  # backed off


def test_the_status_route_refuses_forgeries_and_ignores_what_it_cannot_use(hotline: Hotline) -> None:
    sid = "CA" + "c" * 32
    callback_id = placed_attempt(hotline, "route", sid)

    def stored() -> tuple:
        callback = hotline.callback("route")
        return callback.status, callback.due_at, [(a.outcome, a.note) for a in hotline.attempts(callback_id)]

    before = stored()
    assert post_status(hotline, status(sid, "busy"), token="another-token").status_code == 403
    forged = httpx.post(hotline.status_url, data=status(sid, "busy"), timeout=30)
    assert forged.status_code == 401 and "X-Twilio-Signature" in forged.json()["detail"]
    missing = post_status(hotline, {"CallSid": sid, "AccountSid": ACCOUNT})
    assert missing.status_code == 422 and "CallStatus" in missing.json()["detail"]
    assert post_status(hotline, status("CA" + "d" * 32, "busy")).status_code == 200  # not our call
    assert stored() == before
    # Answered and ended, but the survey never recorded anything: unclear, to be tried again.
    assert post_status(hotline, status(sid, "completed")).status_code == 200
    (attempt,) = hotline.attempts(callback_id)
    assert (attempt.outcome, attempt.note) == ("unclear", "the call ended before the survey did")
    assert hotline.callback("route").status == "pending"


def dial_due(hotline: Hotline) -> int:
    """One tick of a scheduler built from the server's [dialer] settings; how many it dialled."""

    async def go() -> int:
        rules = CallbackRules.from_settings(hotline.settings)
        scheduler = build_scheduler(hotline.settings, hotline.engine, RegisteredPhones(), rules)
        assert scheduler is not None
        try:
            dialled = await scheduler.tick()
            await scheduler.settle()
            return dialled
        finally:
            await scheduler.stop()

    return asyncio.run(go())


def test_a_callee_who_answers_is_surveyed_by_keypad(hotline: Hotline, twilio: TwilioStandIn) -> None:
    twilio.callees["+86" + CALLERS["answers"]] = Callee("answer", keys=["1", "1", "1", "1"])
    callback_id = hotline.make_due("answers")
    assert dial_due(hotline) == 1
    (form,) = twilio.calls_for_callback(callback_id)
    (call,) = [c for c in twilio.calls if c.form is form]
    assert call.over.wait(180), "the call never ended"
    assert call.error is None and call.keys_sent == ["1", "1", "1", "1"]
    assert (call.status, call.reported) == ("completed", 200)
    callback, (attempt,) = hotline.callback("answers"), hotline.attempts(callback_id)
    assert (callback.status, callback.contacted, callback.solved, callback.satisfaction) == ("done", True, True, "满意")
    assert (attempt.outcome, attempt.call_sid) == ("answered", call.sid)  # 'completed' changed nothing
    assert len(twilio.calls_for_callback(callback_id)) == 1


def test_a_busy_callee_is_recorded_from_twilios_status_callback(hotline: Hotline, twilio: TwilioStandIn) -> None:
    ringing = threading.Event()
    twilio.callees["+86" + CALLERS["busy-e2e"]] = Callee("busy", ring=ringing)
    callback_id = hotline.make_due("busy-e2e")
    assert dial_due(hotline) == 1
    (attempt,) = hotline.attempts(callback_id)
    assert attempt.outcome is None and attempt.call_sid  # placed, under way
    ringing.set()
    call = twilio.call(attempt.call_sid)
    assert call.over.wait(60) and (call.status, call.reported) == ("busy", 200)
    callback, (attempt,) = hotline.callback("busy-e2e"), hotline.attempts(callback_id)
    assert attempt.outcome == "busy" and callback.status == "pending" and callback.attempts == 1
    assert len(twilio.calls_for_callback(callback_id)) == 1
