"""`hotline phone`: the desk phone over a real socket on 127.0.0.1.

The far end is a stand-in for the server's side of the Twilio Media Streams protocol, built on
`websockets` here: it records what the phone sends and answers with media, marks and clears.
The sound card is the one thing that cannot run here, so the phone's line is `FileLine`: its
microphone says audio clips, its speaker records what it plays, both on a 20 ms clock thread
the way PortAudio calls back, and its playback queue is the real one from voice.audio_devices.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import websockets
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from server.telephony.desk_phone import CallRecord, DeskPhone, PhoneError, call_with_keypad
from server.telephony.protocol import clear_message, frames, mark_message, media_message
from server.telephony.simulate import free_port
from voice.audio_devices import AudioDeviceError, DeviceLine, PlaybackQueue
from voice.audio_file import load_audio
from voice.codec import float_to_int16, pcm16_to_ulaw, ulaw_to_pcm16

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
FRAME = 160


class FileLine:
    """A phone line without a sound card: the microphone says queued clips (silence in between)."""

    def __init__(self, tick_s: float = 0.02) -> None:
        self.tick_s = tick_s
        self.speaker = PlaybackQueue()
        self.heard: list[np.ndarray] = []
        self.started = self.closed = False
        self._to_say: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._clock: threading.Thread | None = None

    def say(self, pcm: np.ndarray) -> None:
        with self._lock:
            self._to_say.append(np.asarray(pcm, dtype=np.int16))

    def start(self, on_frame: Callable[[np.ndarray], None]) -> None:
        self.started = True
        self._clock = threading.Thread(target=self._tick, args=(on_frame,), daemon=True)
        self._clock.start()

    def _tick(self, on_frame: Callable[[np.ndarray], None]) -> None:
        pending = np.zeros(0, dtype=np.int16)
        due = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                pending = np.concatenate([pending, *self._to_say])
                self._to_say.clear()
            frame = np.zeros(FRAME, dtype=np.int16)
            frame[: min(FRAME, pending.size)] = pending[:FRAME]
            pending = pending[FRAME:]
            on_frame(frame)
            self.heard.append(self.speaker.pull(FRAME))
            # Never catch up in a burst after a stall: that would play faster than real time.
            due = max(due + self.tick_s, time.monotonic())
            time.sleep(max(0.0, due - time.monotonic()))

    def play(self, pcm: np.ndarray) -> int:
        return self.speaker.put(pcm)

    def played(self) -> int:
        return self.speaker.played()

    def clear(self) -> None:
        self.speaker.clear()

    def close(self) -> None:
        self._stop.set()
        if self._clock is not None:
            self._clock.join(timeout=5)
        self.closed = True

    def heard_audio(self) -> np.ndarray:
        return np.concatenate(list(self.heard)) if self.heard else np.zeros(0, dtype=np.int16)


@dataclass
class ServerSide:
    """The server's end of one call: what the phone sent (with arrival times) and the socket."""

    ws: ServerConnection
    received: list[tuple[float, dict]] = field(default_factory=list)

    def messages(self, event: str | None = None) -> list[dict]:
        return [m for _, m in self.received if event is None or m["event"] == event]

    @property
    def stream_sid(self) -> str:
        return self.messages("start")[0]["streamSid"]

    async def wait(self, test: Callable[[dict], bool], count: int = 1, timeout: float = 5.0) -> float:
        """Waits until `count` messages pass `test`; returns when the last of them arrived."""
        deadline = time.monotonic() + timeout
        while True:
            hits = [at for at, m in self.received if test(m)]
            if len(hits) >= count:
                return hits[count - 1]
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for {count} messages; got {self.messages()[-5:]}")
            await asyncio.sleep(0.005)

    async def send_audio(self, pcm: np.ndarray) -> None:
        for frame in frames(pcm16_to_ulaw(pcm)):
            await self.ws.send(media_message(self.stream_sid, frame))


def mark_named(name: str) -> Callable[[dict], bool]:
    return lambda m: m["event"] == "mark" and m["mark"]["name"] == name


def tone(seconds: float, hz: float = 440.0) -> np.ndarray:
    # A cosine, so the first sample is loud and the start of playback is easy to find.
    t = np.arange(int(seconds * 8000)) / 8000
    return float_to_int16(0.3 * np.cos(2 * np.pi * hz * t))


@contextlib.asynccontextmanager
async def stand_in_server() -> AsyncIterator[tuple[str, asyncio.Queue[ServerSide]]]:
    sides: asyncio.Queue[ServerSide] = asyncio.Queue()

    async def handler(ws: ServerConnection) -> None:
        side = ServerSide(ws)
        sides.put_nowait(side)
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                side.received.append((time.monotonic(), json.loads(raw)))
                if side.received[-1][1]["event"] == "stop":
                    return  # as the real server does: the call is over, close the socket

    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/media-stream", sides


Body = Callable[[DeskPhone, ServerSide, FileLine], Awaitable[None]]


def on_call(body: Body, caller: str | None = None, hang_up: bool = True) -> tuple[FileLine, CallRecord, ServerSide]:
    """Places a call to the stand-in, runs `body` on it, then hangs up."""

    async def main() -> tuple[FileLine, CallRecord, ServerSide]:
        async with stand_in_server() as (url, sides):
            line = FileLine()
            phone = DeskPhone(url, line, caller_number=caller)
            call = asyncio.create_task(phone.run())
            side = await asyncio.wait_for(sides.get(), 5)
            await side.wait(lambda m: m["event"] == "start")
            await body(phone, side, line)
            if hang_up:
                phone.hang_up()
            record = await asyncio.wait_for(call, 10)
            await asyncio.sleep(0.05)  # the stand-in's reader takes in the last messages
        return line, record, side

    return asyncio.run(main())


def test_the_call_opens_like_a_gateway_and_streams_the_microphone() -> None:
    clip = float_to_int16(load_audio(DEV / "d005_1.wav", sample_rate=8000))[:8000]

    async def body(phone: DeskPhone, side: ServerSide, line: FileLine) -> None:
        line.say(clip)
        await side.wait(lambda m: m["event"] == "media", count=60)

    line, record, side = on_call(body, caller="13800138000")
    messages = side.messages()
    assert messages[0] == {"event": "connected", "protocol": "Call", "version": "1.0.0"}
    start = messages[1]
    assert start["event"] == "start" and start["streamSid"] == record.stream_sid
    assert start["start"]["callSid"] == record.call_sid and start["start"]["streamSid"] == record.stream_sid
    assert start["start"]["customParameters"] == {"from": "13800138000"}
    assert start["start"]["mediaFormat"] == {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
    media = side.messages("media")
    payloads = [base64.b64decode(m["media"]["payload"]) for m in media]
    assert {len(p) for p in payloads} == {160}
    assert {m["streamSid"] for m in media} == {record.stream_sid}
    assert [int(m["media"]["chunk"]) for m in media] == list(range(1, len(media) + 1))
    # The clip may start a frame or two into the stream (the line was already running silence).
    sent = ulaw_to_pcm16(b"".join(payloads)).astype(np.float64)
    offset = int(np.flatnonzero(sent)[0]) // FRAME * FRAME
    heard = sent[offset : offset + clip.size]
    error = heard - clip
    assert 10 * np.log10(np.sum(clip.astype(np.float64) ** 2) / np.sum(error**2)) > 30  # μ-law is ~38 dB
    assert messages[-1] == {"event": "stop", "streamSid": record.stream_sid,
                            "stop": {"accountSid": "AChotlinesimulator", "callSid": record.call_sid}}
    assert record.ended_by == "caller" and line.closed


def test_a_mark_comes_back_only_once_the_audio_before_it_has_played() -> None:
    reply = tone(1.0)
    seen: dict[str, float] = {}

    async def body(phone: DeskPhone, side: ServerSide, line: FileLine) -> None:
        sent_at = time.monotonic()
        await side.send_audio(reply)
        await side.ws.send(mark_message(side.stream_sid, "reply-0"))
        await side.ws.send(mark_message(side.stream_sid, "reply-0-end"))  # nothing between: due together
        seen["echo_after_s"] = await side.wait(mark_named("reply-0")) - sent_at
        seen["played_at_echo"] = line.played()
        await side.wait(mark_named("reply-0-end"))

    line, _, side = on_call(body)
    assert 0.95 <= seen["echo_after_s"] < 3.0, seen
    assert seen["played_at_echo"] >= reply.size
    assert [m["mark"]["name"] for m in side.messages("mark")] == ["reply-0", "reply-0-end"]
    assert {m["streamSid"] for m in side.messages("mark")} == {side.stream_sid}
    played = line.heard_audio()
    start = int(np.flatnonzero(played)[0])
    assert np.array_equal(played[start : start + reply.size], ulaw_to_pcm16(pcm16_to_ulaw(reply)))


def test_clear_drops_the_queued_audio_and_releases_its_mark_at_once() -> None:
    seen: dict[str, float] = {}

    async def body(phone: DeskPhone, side: ServerSide, line: FileLine) -> None:
        await side.send_audio(tone(3.0))
        await side.ws.send(mark_message(side.stream_sid, "long"))
        await asyncio.sleep(0.4)
        cleared_at = time.monotonic()
        await side.ws.send(clear_message(side.stream_sid))
        seen["echo_after_clear_s"] = await side.wait(mark_named("long")) - cleared_at
        # The line goes on: audio after the clear plays, and its mark waits for it again.
        sent_at = time.monotonic()
        await side.send_audio(tone(0.4))
        await side.ws.send(mark_message(side.stream_sid, "after"))
        seen["second_echo_s"] = await side.wait(mark_named("after")) - sent_at

    line, _, side = on_call(body)
    assert seen["echo_after_clear_s"] < 0.5, seen  # not the 2.6 s of audio that was left
    assert seen["second_echo_s"] >= 0.35, seen
    sounding = np.count_nonzero(line.heard_audio()) / 8000
    assert 0.35 < sounding < 1.5, f"{sounding:.2f} s of the 3.4 s sent were played"


def test_keypad_digits_go_out_as_dtmf_events() -> None:
    async def body(phone: DeskPhone, side: ServerSide, line: FileLine) -> None:
        assert phone.press("12a#*\n") == "12#*"
        await side.wait(lambda m: m["event"] == "dtmf", count=4)

    _, record, side = on_call(body)
    assert side.messages("start")[0]["start"]["customParameters"] == {}
    assert side.messages("dtmf") == [
        {"event": "dtmf", "streamSid": record.stream_sid, "dtmf": {"track": "inbound_track", "digit": d}}
        for d in "12#*"
    ]


def test_junk_from_the_server_is_logged_and_the_call_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    junk: list[str | bytes] = [
        "not json", b"\x00\x01 binary", "[1, 2]", '{"event": 7}', '{"event": "media"}',
        '{"event": "media", "media": {"payload": "***"}}', '{"event": "mark", "mark": {}}',
        '{"event": "bogus"}', '{"event": "stop"}',
    ]

    async def body(phone: DeskPhone, side: ServerSide, line: FileLine) -> None:
        for message in junk:
            await side.ws.send(message)
        await side.send_audio(tone(0.2))
        await side.ws.send(mark_message(side.stream_sid, "still-here"))
        await side.wait(mark_named("still-here"))

    with caplog.at_level(logging.WARNING, logger="hotline.phone"):
        _, record, side = on_call(body)
    assert len([r for r in caplog.records if r.name == "hotline.phone"]) == len(junk)
    assert record.ended_by == "caller" and side.messages()[-1]["event"] == "stop"


def test_when_the_server_hangs_up_its_last_words_still_play() -> None:
    async def body(phone: DeskPhone, side: ServerSide, line: FileLine) -> None:
        await side.send_audio(tone(0.5))
        await side.ws.close(1000, "call ended")

    line, record, _ = on_call(body, hang_up=False)
    assert record.ended_by == "server" and record.close_reason == "1000 call ended"
    assert line.played() == 4000 and line.closed


def test_keypad_lines_and_ctrl_c_on_a_running_call() -> None:
    async def main() -> tuple[CallRecord, ServerSide]:
        async with stand_in_server() as (url, sides):
            phone = DeskPhone(url, FileLine())
            call = asyncio.create_task(call_with_keypad(phone, io.StringIO("12\nx#\n")))
            side = await asyncio.wait_for(sides.get(), 5)
            await side.wait(lambda m: m["event"] == "dtmf", count=3)
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does
            record = await asyncio.wait_for(call, 10)
            await asyncio.sleep(0.05)
        return record, side

    record, side = asyncio.run(main())
    assert [m["dtmf"]["digit"] for m in side.messages("dtmf")] == ["1", "2", "#"]
    assert record.ended_by == "caller" and side.messages()[-1]["event"] == "stop"


def test_an_unreachable_server_is_a_phone_error() -> None:
    line = FileLine()
    url = f"ws://127.0.0.1:{free_port()}/media-stream"
    with pytest.raises(PhoneError, match="cannot reach the server"):
        asyncio.run(DeskPhone(url, line).run())
    assert not line.started


def test_hotline_phone_without_a_sound_card_is_a_clear_error() -> None:
    # On machines without PortAudio or a sound device (CI, servers) the device is what fails;
    # with both present, it is the server nobody listens for.
    try:
        DeviceLine().close()
        expected = "cannot reach the server"
    except AudioDeviceError as exc:
        expected = str(exc)
    done = subprocess.run([sys.executable, "-m", "server.cli", "phone", "--server", f"ws://127.0.0.1:{free_port()}"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "error:" in done.stderr and expected in done.stderr


@pytest.mark.slow
def test_a_call_to_the_real_server(settings, models, tmp_path: Path) -> None:
    from server_harness import api_get, running_server

    recognizer, synthesizer = models
    database = f"sqlite:///{tmp_path / 'hotline.db'}"
    clip = float_to_int16(load_audio(DEV / "d005_1.wav", sample_rate=8000))

    async def until_heard(phone: DeskPhone, mark: str) -> None:
        deadline = time.monotonic() + 120
        while mark not in phone.marks_echoed:
            assert time.monotonic() < deadline, f"the seat's {mark!r} never finished playing"
            await asyncio.sleep(0.05)

    async def main(address: str) -> tuple[CallRecord, FileLine, float]:
        line = FileLine(tick_s=0.005)  # four times real time: the server's turn taking goes by audio
        phone = DeskPhone(f"ws://{address}/media-stream", line, caller_number="13700001111")
        call = asyncio.create_task(phone.run())
        await until_heard(phone, "greeting")
        greeting_s = line.played() / 8000
        line.say(clip)
        phone.press("9")
        await until_heard(phone, "reply-0")
        phone.hang_up()
        return await asyncio.wait_for(call, 30), line, greeting_s

    with running_server(settings, database, recognizer, synthesizer) as address:
        record, line, greeting_s = asyncio.run(main(address))
        detail = api_get(address, f"/api/calls/{record.call_sid}").json()
    call = detail["call"]
    assert call["status"] == "ended" and call["caller_number"] == "13700001111" and call["dtmf"] == "9"
    # Which marks the seat sets is the server's business; the phone's part is to echo each, in order.
    assert call["heard_marks"] == list(record.marks)
    assert record.marks[0].startswith("greeting") and "greeting" in record.marks and "reply-0" in record.marks
    assert greeting_s > 1.0 and line.played() / 8000 > greeting_s + 1.0  # both were heard, not just marked
    assert detail["turns"][0]["asr_text"] and detail["turns"][0]["reply_text"]


def test_hotline_phone_register_wants_digits_and_a_server() -> None:
    def phone(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", "phone", *args], capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    bad = phone("--register", "139-1111")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "in digits" in bad.stderr
    # Registering comes before the sound card: a server nobody listens for is the error.
    away = phone("--register", "13911112222", "--server", f"ws://127.0.0.1:{free_port()}")
    assert away.returncode == 1 and "Traceback" not in away.stderr
    assert "error:" in away.stderr and "cannot reach" in away.stderr


def test_an_answered_ring_opens_the_stream_with_its_parameters_and_call_id() -> None:
    async def main() -> ServerSide:
        async with stand_in_server() as (url, sides):
            ring = {"callback": "7", "attempt": "9", "token": "secret"}
            phone = DeskPhone(url, FileLine(), parameters=ring, call_sid="CSrung")
            call = asyncio.create_task(phone.run())
            side = await asyncio.wait_for(sides.get(), 5)
            await side.wait(lambda m: m["event"] == "start")
            phone.hang_up()
            await asyncio.wait_for(call, 10)
        return side

    start = asyncio.run(main()).messages("start")[0]["start"]
    assert start["callSid"] == "CSrung" and start["customParameters"] == {"callback": "7", "attempt": "9",
                                                                         "token": "secret"}
