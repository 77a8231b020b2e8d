"""A phone's side of `/phones`: registered under a number, told when it rings.

`hotline phone --register NUMBER` answers each ring on the microphone and speaker (a desk phone,
server/telephony/desk_phone.py, connected to the ring's stream with its parameters); a test answers
with keys and recorded words. The protocol is server/dialer/softphone.py's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI


class RegistrationError(Exception):
    pass


@dataclass(frozen=True)
class Ring:
    call_sid: str
    stream_url: str
    parameters: dict[str, str]


class PhoneRegistration:
    def __init__(self, phones_url: str, number: str, key: str | None = None) -> None:
        self.phones_url = phones_url
        self.number = number
        self.key = key
        self._ws: ClientConnection | None = None

    async def __aenter__(self) -> PhoneRegistration:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        try:
            self._ws = await websockets.connect(self.phones_url, additional_headers=headers, open_timeout=10)
        except (OSError, TimeoutError, InvalidURI, InvalidHandshake) as exc:
            raise RegistrationError(f"cannot reach {self.phones_url}: {exc}") from None
        await self._ws.send(json.dumps({"event": "register", "number": self.number}))
        try:
            reply = json.loads(await self._ws.recv())
        except ConnectionClosed as exc:
            why = exc.rcvd.reason if exc.rcvd else str(exc)
            raise RegistrationError(f"the server refused the registration: {why}") from None
        if reply.get("event") != "registered":
            raise RegistrationError(f"the server answered {reply.get('event')!r}, not 'registered'")
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._ws is not None:
            await self._ws.close()

    @property
    def let_go(self) -> tuple[int | None, str]:
        """How the server ended the registration: close code and reason (None while it holds)."""
        if self._ws is None or self._ws.close_code is None:
            return None, ""
        return self._ws.close_code, self._ws.close_reason or ""

    async def rings(self) -> AsyncIterator[Ring]:
        """Each ring, until the server lets go of the registration."""
        assert self._ws is not None, "use `async with PhoneRegistration(...)`"
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                if message.get("event") == "ring":
                    yield Ring(str(message["callSid"]), str(message["streamUrl"]),
                               {str(k): str(v) for k, v in (message.get("parameters") or {}).items()})
        except ConnectionClosed:
            return

    async def answer(self, ring: Ring) -> None:
        await self._reply(ring, "answered")

    async def busy(self, ring: Ring) -> None:
        await self._reply(ring, "busy")

    async def reject(self, ring: Ring) -> None:
        await self._reply(ring, "rejected")

    async def _reply(self, ring: Ring, event: str) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps({"event": event, "callSid": ring.call_sid}))
