"""A test stand-in for Twilio, speaking the two protocols the hotline's Twilio dialler relies on: the
REST API's `POST /2010-04-01/Accounts/{sid}/Calls.json` (basic auth, form in, JSON out, Twilio-style
JSON errors), and, for a callee who answers, Media Streams towards the TwiML's `<Stream>` (signed
handshake, connected, start with the `<Parameter>`s, 20 ms μ-law silence, marks echoed, one DTMF key
after each prompt has played), then the signed status callback (X-Twilio-Signature) saying how the
call ended. A real HTTP server on 127.0.0.1 (port 0), run by uvicorn in a thread.

Each number's callee is scripted by the test (`callees[to]`, else `default_callee`): it is busy, not
answered, fails, or answers and presses `keys`. Every Calls.json request is recorded. It carries a
load test's thousand calls too (tests/test_nodes_callbacks.py): one HTTP client for the status
callbacks, and only the server's marks are parsed of what the stream receives.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import socket
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.telephony.softphone import gateway_media_message, gateway_start_message
from server.telephony.twilio_signature import twilio_signature

SILENCE = b"\xff" * 160  # 20 ms of μ-law silence at 8 kHz
ENDINGS = {"busy": "busy", "no-answer": "no-answer", "fail": "failed"}


@dataclass
class Callee:
    """The phone at one number: "answer" (pressing `keys`, one after each prompt), "busy", "no-answer"
    or "fail". With `ring`, the phone rings until the test sets it."""

    does: str = "answer"
    keys: list[str] = field(default_factory=list)
    ring: threading.Event | None = None


@dataclass
class StandInCall:
    """A call the stand-in placed, and what came of it."""

    sid: str
    form: dict[str, str]
    stream_url: str
    parameters: dict[str, str]
    marks: list[str] = field(default_factory=list)  # the marks the server sent
    keys_sent: list[str] = field(default_factory=list)
    status: str = "queued"  # the status reported at the end
    reported: int | None = None  # the HTTP status the status callback got
    error: str | None = None
    over: threading.Event = field(default_factory=threading.Event)  # set once the status callback went


def read_twiml(twiml: str) -> tuple[str, dict[str, str]]:
    """The `<Connect><Stream>` URL and its `<Parameter>`s."""
    stream = ET.fromstring(twiml).find("./Connect/Stream")
    if stream is None or not stream.get("url"):
        raise ValueError("no <Connect><Stream url=…>")
    return stream.get("url", ""), {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}


def _error(status: int, code: int, message: str) -> JSONResponse:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return JSONResponse(body, status_code=status)


class TwilioStandIn:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.callees: dict[str, Callee] = {}
        self.default_callee = Callee("no-answer")  # for a number not in `callees`
        self.requests: list[dict[str, str]] = []  # every Calls.json form, refused ones too
        self.calls: list[StandInCall] = []
        self.base_url = ""
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None  # for the status callbacks, made on the server's loop
        self._loop: asyncio.AbstractEventLoop | None = None
        app = Starlette(routes=[Route("/2010-04-01/Accounts/{account}/Calls.json", self._create_call,
                                      methods=["POST"])])
        # Idle connections kept a minute, as an API's front end does: with uvicorn's 5 s, the same as
        # the dialler's httpx keep-alive expiry, a Calls.json request under load now and then went out
        # on a connection being closed (ReadError: the attempt failed).
        self._server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning",
                                                     timeout_keep_alive=60))
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TwilioStandIn:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Twilio stand-in did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        if self._client is not None and self._loop is not None and self._loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(timeout=10)
            except Exception:  # noqa: BLE001 - the stand-in stops all the same
                pass
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)

    def calls_for_callback(self, callback_id: int) -> list[dict[str, str]]:
        """The Calls.json requests whose stream names `callback_id`."""
        return [form for form in self.requests if "Twiml" in form
                and read_twiml(form["Twiml"])[1].get("callback") == str(callback_id)]

    def call(self, sid: str) -> StandInCall:
        return next(call for call in self.calls if call.sid == sid)

    # ---- the REST API --------------------------------------------------------------------------

    def _authorised(self, request: Request, account: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        given = request.headers.get("authorization", "")
        return account == self.account_sid and hmac.compare_digest(given, f"Basic {expected}")

    async def _create_call(self, request: Request) -> JSONResponse:
        try:
            body = await request.body()
        except ClientDisconnect:  # the dialler went away (a node killed) before its request was whole
            return _error(400, 12100, "the request was cut off")
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        self.requests.append(form)
        if not self._authorised(request, request.path_params["account"]):
            return _error(401, 20003, "Authenticate")
        for name, code in (("To", 21201), ("From", 21213)):
            if not form.get(name):
                return _error(400, code, f"No '{name}' number is specified")
        if not form.get("Twiml"):
            return _error(400, 21205, "Url parameter is required")  # this stand-in runs only given TwiML
        try:
            stream_url, parameters = read_twiml(form["Twiml"])
        except (ET.ParseError, ValueError) as exc:
            return _error(400, 12100, f"Document parse failure: {exc}")
        call = StandInCall(f"CA{uuid.uuid4().hex}", form, stream_url, parameters)
        self.calls.append(call)
        task = asyncio.create_task(self._go_through(call, self.callees.get(form["To"], self.default_callee)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        body = {"sid": call.sid, "account_sid": self.account_sid, "to": form["To"], "from": form["From"],
                "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{call.sid}.json"}
        return JSONResponse(body, status_code=201)

    # ---- the call ------------------------------------------------------------------------------

    async def _go_through(self, call: StandInCall, callee: Callee) -> None:
        while callee.ring is not None and not callee.ring.is_set():
            await asyncio.sleep(0.02)
        if callee.does in ENDINGS:
            await self._report(call, ENDINGS[callee.does])
            return
        try:
            await self._answer(call, list(callee.keys))
        except Exception as exc:  # noqa: BLE001 - kept for the test to see
            call.error = f"{type(exc).__name__}: {exc}"
        await self._report(call, "completed")

    async def _answer(self, call: StandInCall, keys: list[str]) -> None:
        headers = {"X-Twilio-Signature": twilio_signature(self.auth_token, call.stream_url)}
        stream_sid = f"MZ{uuid.uuid4().hex}"
        # No permessage-deflate: a load test's hundreds of thousands of frames need not be compressed.
        async with websockets.connect(call.stream_url, additional_headers=headers, open_timeout=15,
                                      compression=None) as ws:
            await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
            start = gateway_start_message(stream_sid, call.sid, call.parameters)
            start["start"]["accountSid"] = self.account_sid
            await ws.send(json.dumps(start))

            async def silence() -> None:
                for index in range(10**9):
                    await ws.send(gateway_media_message(stream_sid, SILENCE, index))
                    await asyncio.sleep(0.02)

            speaking = asyncio.create_task(silence())
            try:
                async for raw in ws:
                    if '"mark"' not in raw:  # media or clear: only marks are answered (a payload is base64)
                        continue
                    message = json.loads(raw)
                    if message.get("event") != "mark":
                        continue
                    name = message["mark"]["name"]
                    call.marks.append(name)
                    await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}))
                    if ":" not in name and keys:  # a prompt has played: answer it
                        call.keys_sent.append(keys.pop(0))
                        await ws.send(json.dumps({"event": "dtmf", "streamSid": stream_sid,
                                                  "dtmf": {"track": "inbound_track", "digit": call.keys_sent[-1]}}))
            finally:
                speaking.cancel()
                await asyncio.gather(speaking, return_exceptions=True)

    def _status_client(self) -> httpx.AsyncClient:
        if self._client is None:
            # Idle connections let go well before the node's uvicorn closes them (5 s): none is reused as
            # it is being closed.
            self._client = httpx.AsyncClient(timeout=15, limits=httpx.Limits(keepalive_expiry=2))
            self._loop = asyncio.get_running_loop()
        return self._client

    async def _report(self, call: StandInCall, status: str) -> None:
        call.status = status
        url = call.form.get("StatusCallback", "")
        try:
            if url:
                params = {"CallSid": call.sid, "AccountSid": self.account_sid, "CallStatus": status,
                          "To": call.form["To"], "From": call.form["From"], "Direction": "outbound-api",
                          "ApiVersion": "2010-04-01"}
                headers = {"X-Twilio-Signature": twilio_signature(self.auth_token, url, params)}
                call.reported = (await self._status_client().post(url, data=params, headers=headers)).status_code
        except httpx.HTTPError as exc:
            call.error = call.error or f"status callback: {type(exc).__name__}"
        finally:
            call.over.set()
