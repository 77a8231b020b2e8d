"""Ringing softphones: phones registered with this node over our `/phones` WebSocket.

A phone (`hotline phone --register NUMBER`, or a test's client) opens `/phones` and says
`{"event": "register", "number": "139…"}`; we answer `registered`. To ring it we send
`{"event": "ring", "callSid": …, "streamUrl": …, "parameters": {…}}`; the phone answers with
`answered`, `busy` or `rejected` naming the callSid, and once answered opens `streamUrl` and speaks
the Twilio Media Streams protocol, its `start` carrying `parameters`, as a carrier would connect
the callee. A phone that says nothing for `ring_seconds` was not answered.

Registrations live in the memory of the node the phone is connected to: only that node can ring
it (a carrier, server/dialer/twilio_rest.py, reaches any number from any node).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from server.dialer.base import Placed, SurveyRing
from server.workflow.callbacks import Outcome

log = logging.getLogger("hotline.dialer")

PHONE_NUMBER = re.compile(r"\d{3,20}")
REPLIES = {"answered": None, "busy": Outcome.BUSY, "rejected": Outcome.BUSY}


@dataclass
class RegisteredPhone:
    number: str
    send_text: Callable[[str], Awaitable[None]]
    close: Callable[[int, str], Awaitable[None]]
    ringing: dict[str, asyncio.Future[str]] = field(default_factory=dict)  # callSid → reply

    def replied(self, call_sid: str, reply: str) -> bool:
        future = self.ringing.get(call_sid)
        if future is None or future.done():
            return False
        future.set_result(reply)
        return True

    def hung_up(self) -> None:
        for future in self.ringing.values():
            if not future.done():
                future.set_result("gone")


class RegisteredPhones:
    """The phones registered with this node, by number; a newer registration takes the number."""

    def __init__(self) -> None:
        self._phones: dict[str, RegisteredPhone] = {}

    def register(self, phone: RegisteredPhone) -> RegisteredPhone | None:
        """Register `phone`; returns the phone it displaced, if any."""
        displaced = self._phones.get(phone.number)
        self._phones[phone.number] = phone
        return displaced

    def unregister(self, phone: RegisteredPhone) -> None:
        if self._phones.get(phone.number) is phone:
            del self._phones[phone.number]
        phone.hung_up()

    def get(self, number: str) -> RegisteredPhone | None:
        return self._phones.get(number)

    def __len__(self) -> int:
        return len(self._phones)


class SoftphoneDialer:
    name = "softphone"

    def __init__(self, phones: RegisteredPhones, ring_seconds: float) -> None:
        self._phones = phones
        self._ring_seconds = ring_seconds

    async def place(self, ring: SurveyRing, stream_url: str) -> Placed:
        phone = self._phones.get(ring.phone)
        if phone is None:
            return Placed(Outcome.FAILED, note="no phone is registered for this number on this node")
        call_sid = f"CS{uuid.uuid4().hex}"
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        phone.ringing[call_sid] = reply
        try:
            message = {"event": "ring", "callSid": call_sid, "streamUrl": stream_url,
                       "parameters": ring.stream_parameters()}
            try:
                await phone.send_text(json.dumps(message))
            except Exception:  # the phone's socket went away as we rang
                return Placed(Outcome.NO_ANSWER, call_sid, "the phone went away while ringing")
            try:
                said = await asyncio.wait_for(reply, self._ring_seconds)
            except TimeoutError:
                return Placed(Outcome.NO_ANSWER, call_sid, f"not answered in {self._ring_seconds:g} s")
        finally:
            phone.ringing.pop(call_sid, None)
        if said == "gone":
            return Placed(Outcome.NO_ANSWER, call_sid, "the phone went away while ringing")
        return Placed(REPLIES[said], call_sid, "" if said == "answered" else f"the phone said {said}")

    async def close(self) -> None:
        return None
