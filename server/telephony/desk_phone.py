"""A desk phone: a live caller on a microphone and speaker, talking to Hotline as a gateway would.

The phone speaks the Twilio Media Streams protocol from the gateway's side: `connected` and
`start`, the microphone as 20 ms μ-law `media` frames, keypad `dtmf`, and `stop` when the caller
hangs up. From the server it plays `media`, and echoes each `mark` only once the audio queued
before it has been played, as a real gateway does; `clear` drops the audio not yet played and
releases the marks waiting on it at once, as Twilio does. Anything else from the server is logged
and ignored: a desk phone that crashes on one odd message would be worse than one that misses it.

The audio itself comes from an `AudioLine` (the sound card in `voice.audio_devices`; a test
passes one fed from a file), so everything here runs without a sound card.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO

import numpy as np
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from server.telephony.phone_registration import PhoneRegistration, RegistrationError
from server.telephony.protocol import Mark, Media, ProtocolError, Unknown, parse_message
from server.telephony.simulate import endpoints
from server.telephony.softphone import gateway_media_message, gateway_start_message
from voice.codec import pcm16_to_ulaw, ulaw_to_pcm16

log = logging.getLogger("hotline.phone")

DTMF_KEYS = "0123456789*#"
# How often waiting marks are checked against playback; well below what a listener would notice.
MARK_POLL_S = 0.01
# When the server hangs up, what it already sent (a goodbye) is still played out, up to this long.
DRAIN_LIMIT_S = 15.0
# How long to wait, after `stop`, for the server to close the socket before the phone does.
STOP_WAIT_S = 10.0


class AudioLine(Protocol):
    """Microphone in, speaker out, both as 8 kHz int16."""

    def start(self, on_frame: Callable[[np.ndarray], None]) -> None:
        """Begin calling `on_frame` with each 20 ms microphone frame (160 samples), from any thread."""

    def play(self, pcm: np.ndarray) -> int:
        """Queue audio for the speaker; returns the playback position at which it will have played."""

    def played(self) -> int:
        """How far playback has got (audio dropped by `clear` counts as played)."""

    def clear(self) -> None:
        """Drop all audio not yet played."""

    def close(self) -> None: ...


class PhoneError(Exception):
    """The call could not be placed; the message says why."""


@dataclass(frozen=True)
class CallRecord:
    call_sid: str
    stream_sid: str
    ended_by: str  # "caller" or "server"
    marks: tuple[str, ...]  # the server's marks, in the order their audio finished playing
    close_reason: str | None = None  # how the server closed the socket, when it did


class DeskPhone:
    def __init__(self, ws_url: str, line: AudioLine, caller_number: str | None = None,
                 drain_limit_s: float = DRAIN_LIMIT_S, parameters: dict[str, str] | None = None,
                 call_sid: str | None = None) -> None:
        self.ws_url = ws_url
        self.line = line
        self.caller_number = caller_number
        self.drain_limit_s = drain_limit_s
        # A call we answer (a callback survey) carries the ring's parameters and call id.
        self.parameters = parameters or {}
        self.call_sid = call_sid or f"CA{uuid.uuid4().hex}"
        self.stream_sid = f"MZ{uuid.uuid4().hex}"
        self._hung_up = asyncio.Event()
        self._keys: asyncio.Queue[str] = asyncio.Queue()
        self._marks: deque[tuple[int, str]] = deque()  # (playback position it waits for, name)
        self._queued_end = 0
        self.marks_echoed: list[str] = []

    def press(self, keys: str) -> str:
        """Send the keypad keys among `keys`; returns the ones sent. Call on the phone's event loop."""
        sent = "".join(key for key in keys if key in DTMF_KEYS)
        for key in sent:
            self._keys.put_nowait(key)
        return sent

    def hang_up(self) -> None:
        """End the call (sends `stop`). Call on the phone's event loop."""
        self._hung_up.set()

    async def run(self) -> CallRecord:
        """Place the call and carry it until the caller hangs up or the server closes."""
        loop = asyncio.get_running_loop()
        mic: asyncio.Queue[np.ndarray] = asyncio.Queue()

        def from_line(frame: np.ndarray) -> None:
            try:
                loop.call_soon_threadsafe(mic.put_nowait, frame)
            except RuntimeError:
                pass  # a last frame from the device after the call's loop closed: nobody to hear it

        ws = await self._connect()
        tasks: list[asyncio.Task] = []
        try:
            await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
            params = {**self.parameters, **({"from": self.caller_number} if self.caller_number else {})}
            await ws.send(json.dumps(gateway_start_message(self.stream_sid, self.call_sid, params)))
            self.line.start(from_line)
            listener = asyncio.create_task(self._listen(ws))
            hung_up = asyncio.create_task(self._hung_up.wait())
            tasks = [listener, hung_up, asyncio.create_task(self._send_microphone(ws, mic)),
                     asyncio.create_task(self._send_keys(ws)), asyncio.create_task(self._echo_marks(ws))]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a bug in a task must surface, not look like a hang-up
            ended_by = "caller" if hung_up in done else "server"
            if ended_by == "server":
                await self._drain()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                await ws.send(json.dumps({"event": "stop", "streamSid": self.stream_sid,
                                          "stop": {"accountSid": "AChotlinesimulator", "callSid": self.call_sid}}))
                # The server files the call on `stop` and then closes; closing first would cut that short.
                async with asyncio.timeout(STOP_WAIT_S):
                    async for _ in ws:
                        pass
            await ws.close()
            self.line.close()
        reason = None
        if ended_by == "server" and ws.close_code is not None:
            reason = f"{ws.close_code} {ws.close_reason}".strip()
        return CallRecord(self.call_sid, self.stream_sid, ended_by, tuple(self.marks_echoed), reason)

    async def _connect(self) -> ClientConnection:
        try:
            return await websockets.connect(self.ws_url, max_size=2**20, open_timeout=10)
        except (OSError, TimeoutError, InvalidURI, InvalidHandshake) as exc:
            raise PhoneError(f"cannot reach the server at {self.ws_url}: {exc}") from None

    async def _listen(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                await self._on_message(ws, raw)

    async def _on_message(self, ws: ClientConnection, raw: str | bytes) -> None:
        try:
            event = parse_message(raw)
        except ProtocolError as exc:
            log.warning("ignoring a message from the server: %s", exc.reason)
            return
        if isinstance(event, Media):
            self._queued_end = self.line.play(ulaw_to_pcm16(event.payload))
        elif isinstance(event, Mark):
            self._marks.append((self._queued_end, event.name))
        elif isinstance(event, Unknown) and event.event == "clear":
            self.line.clear()
            await self._echo_played_marks(ws)
        else:
            log.warning("ignoring %s from the server: not something a server sends", type(event).__name__)

    async def _send_microphone(self, ws: ClientConnection, mic: asyncio.Queue[np.ndarray]) -> None:
        index = 0
        with contextlib.suppress(ConnectionClosed):
            while True:
                frame = await mic.get()
                await ws.send(gateway_media_message(self.stream_sid, pcm16_to_ulaw(frame), index))
                index += 1

    async def _send_keys(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                key = await self._keys.get()
                await ws.send(json.dumps({"event": "dtmf", "streamSid": self.stream_sid,
                                          "dtmf": {"track": "inbound_track", "digit": key}}))

    async def _echo_marks(self, ws: ClientConnection) -> None:
        # Playback advances on the audio device's clock, which cannot wake the event loop, so look.
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self._echo_played_marks(ws)
                await asyncio.sleep(MARK_POLL_S)

    async def _echo_played_marks(self, ws: ClientConnection) -> None:
        played = self.line.played()
        while self._marks and self._marks[0][0] <= played:
            _, name = self._marks.popleft()
            self.marks_echoed.append(name)
            await ws.send(json.dumps({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}}))

    async def _drain(self) -> None:
        deadline = asyncio.get_running_loop().time() + self.drain_limit_s
        while self.line.played() < self._queued_end and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(MARK_POLL_S)


def read_keys(phone: DeskPhone, loop: asyncio.AbstractEventLoop, keys: TextIO) -> threading.Thread:
    """Keypad presses from text lines (a terminal hands over whole lines, on Enter)."""

    def read() -> None:
        for text in keys:
            try:
                loop.call_soon_threadsafe(phone.press, text)
            except RuntimeError:
                return  # the call is over

    # A daemon, so a read still waiting on the terminal does not keep the program alive after the call.
    thread = threading.Thread(target=read, name="keypad", daemon=True)
    thread.start()
    return thread


async def call_with_keypad(phone: DeskPhone, keys: TextIO) -> CallRecord:
    """Run the call with the keypad read from `keys` and Ctrl-C hanging up cleanly (with `stop`)."""
    loop = asyncio.get_running_loop()

    def interrupted() -> None:
        phone.hang_up()
        # A second Ctrl-C is the usual way out should hanging up itself get stuck.
        loop.remove_signal_handler(signal.SIGINT)

    loop.add_signal_handler(signal.SIGINT, interrupted)
    try:
        read_keys(phone, loop, keys)
        return await phone.run()
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def run_registered_phone(server: str, number: str, key: str | None, input_device: str | None,
                         output_device: str | None, keys: TextIO, say: Callable[[str], None]) -> None:
    """`hotline phone --register NUMBER`: wait for the server to ring, answer each ring on the sound
    card (a callback survey), and wait again, until Ctrl-C."""
    from voice.audio_devices import DeviceLine

    _, http = endpoints(server)
    phones_url = "ws" + http[4:] + "/phones"

    async def serve_rings() -> None:
        async with PhoneRegistration(phones_url, number, key) as registration:
            say(f"registered with {phones_url}; waiting for a call (Ctrl-C to stop)")
            async for ring in registration.rings():
                say("ringing: answering (keypad: type 0-9 and press Enter)")
                await registration.answer(ring)
                line = DeviceLine(input_device, output_device)
                phone = DeskPhone(ring.stream_url, line, parameters=ring.parameters, call_sid=ring.call_sid)
                record = await call_with_keypad(phone, keys)
                say(f"call ended ({'you hung up' if record.ended_by == 'caller' else 'the server hung up'}); "
                    "waiting for the next")

    try:
        asyncio.run(serve_rings())
    except RegistrationError as exc:
        raise PhoneError(str(exc)) from None


def run_phone(server: str, caller_number: str | None, input_device: str | None, output_device: str | None,
              keys: TextIO, say: Callable[[str], None]) -> CallRecord:
    """`hotline phone`: open the sound card, place the call, carry it until someone hangs up."""
    from voice.audio_devices import DeviceLine

    ws_url, http = endpoints(server)
    line = DeviceLine(input_device, output_device)
    say(f"calling {ws_url} ({line.describe()})")
    say("keypad: type 0-9 * # and press Enter; Ctrl-C hangs up")
    record = asyncio.run(call_with_keypad(DeskPhone(ws_url, line, caller_number), keys))
    ended = "you hung up" if record.ended_by == "caller" else f"the server hung up ({record.close_reason})"
    say(f"call ended: {ended}; what was heard and filed (with a supervisor key): "
        f"curl -H \"Authorization: Bearer $HOTLINE_KEY\" {http}/api/calls/{record.call_sid}")
    return record
