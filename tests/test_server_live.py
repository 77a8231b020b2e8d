"""A live call on a real server: partial transcripts as events, barge-in, a turn the caller goes on
with, keypad entries, short answers. A scripted gateway plays dev clips over a real socket and
decides which marks to send back, which is how a phone tells the server what it has played."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import websockets
from rapidfuzz.distance import Levenshtein
from server_harness import DEV, api_get, reader_headers, running_server

from server.config import load_settings
from server.telephony.event_privacy import masked_words
from voice.audio_file import load_audio
from voice.codec import float_to_int16, pcm16_to_ulaw, resample

pytestmark = pytest.mark.slow

FRAME = 160
FRAME_S = 0.02


def ulaw_clip(name: str) -> bytes:
    return pcm16_to_ulaw(float_to_int16(load_audio(DEV / name, sample_rate=8000)))


def line_noise(seconds: float, level: float = 0.0, seed: int = 0) -> bytes:
    """The line with nobody on it; `level` adds broadband noise (RMS, full scale = 1)."""
    count = int(seconds * 8000)
    samples = np.random.default_rng(seed).normal(0, level, count) if level else np.zeros(count)
    return pcm16_to_ulaw(float_to_int16(np.clip(samples, -1, 1).astype(np.float32)))


class Gateway:
    """One call as a gateway carries it: the line carries silence whenever the script is not
    sending audio (a phone never stops sending), and marks are echoed only when the test says so."""

    def __init__(self, ws, call_sid: str) -> None:
        self.ws, self.call_sid, self.stream_sid = ws, call_sid, f"MZ{call_sid}"
        self.events: list[tuple[float, str, str | None]] = []  # (time, event, mark name)
        self.media_frames = 0
        self._sending = False
        self._reader = asyncio.create_task(self._read())
        self._line: asyncio.Task | None = None

    async def _silence(self) -> None:
        silence = json.dumps({"event": "media", "streamSid": self.stream_sid,
                              "media": {"payload": base64.b64encode(b"\xff" * FRAME).decode()}})
        try:
            while True:
                await asyncio.sleep(FRAME_S)
                if not self._sending:
                    await self.ws.send(silence)
        except websockets.ConnectionClosed:
            pass

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                kind = message["event"]
                if kind == "media":
                    self.media_frames += 1
                name = message.get("mark", {}).get("name") if kind == "mark" else None
                self.events.append((time.monotonic(), kind, name))
        except websockets.ConnectionClosed:
            pass

    async def start(self, caller: str = "13600000000") -> None:
        await self.ws.send(json.dumps({"event": "start", "streamSid": self.stream_sid, "start": {
            "streamSid": self.stream_sid, "callSid": self.call_sid, "customParameters": {"from": caller},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
        self._line = asyncio.create_task(self._silence())

    async def send(self, ulaw: bytes, realtime: bool) -> None:
        self._sending = True
        try:
            await self._send(ulaw, realtime)
        finally:
            self._sending = False

    async def _send(self, ulaw: bytes, realtime: bool) -> None:
        started = time.monotonic()
        for index, at in enumerate(range(0, len(ulaw), FRAME)):
            if realtime:
                await asyncio.sleep(max(0.0, started + index * FRAME_S - time.monotonic()))
            elif index % 25 == 24:
                await asyncio.sleep(0)
            payload = base64.b64encode(ulaw[at : at + FRAME].ljust(FRAME, b"\xff")).decode()
            await self.ws.send(json.dumps({"event": "media", "streamSid": self.stream_sid,
                                           "media": {"payload": payload}}))

    async def echo(self, name: str) -> None:
        await self.ws.send(json.dumps({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}}))

    async def key(self, digit: str) -> None:
        await self.ws.send(json.dumps({"event": "dtmf", "streamSid": self.stream_sid, "dtmf": {"digit": digit}}))

    async def wait_for(self, kind: str, name: str | None = None, timeout: float = 120, after: float = 0.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, event, mark in self.events:
                if event == kind and (name is None or mark == name) and at >= after:
                    return at
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {kind} {name or ''} within {timeout} s; got {self.kinds()}")

    def kinds(self) -> list[str]:
        return [event if mark is None else f"{event}:{mark}" for _, event, mark in self.events if event != "media"]

    async def keep_line_open(self, seconds: float) -> None:
        await self.send(line_noise(seconds), realtime=True)

    async def hang_up(self) -> None:
        if self._line is not None:
            self._line.cancel()
        await self.ws.send(json.dumps({"event": "stop", "streamSid": self.stream_sid}))
        await asyncio.wait_for(self._reader, timeout=120)


def plain(text: str) -> str:
    return "".join(char for char in text if char.isalnum())


def stored_call(address: str, call_sid: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        detail = api_get(address, f"/api/calls/{call_sid}").json()
        if detail.get("call", {}).get("status") not in (None, "active"):
            return detail
        time.sleep(0.2)
    raise AssertionError(f"call {call_sid} was not finished")


@contextmanager
def live_server(database_url: str, models, **overrides: str) -> Iterator[str]:
    environ = {f"HOTLINE_{key.upper()}": value for key, value in overrides.items()}
    recognizer, synthesizer = models
    with running_server(load_settings(environ=environ), database_url, recognizer, synthesizer) as address:
        yield address


def call(address: str, script) -> tuple[str, Gateway]:  # noqa: ANN001 - an async function of the gateway
    call_sid = f"CA{uuid.uuid4().hex}"

    async def run() -> Gateway:
        async with websockets.connect(f"ws://{address}/media-stream") as ws:
            gateway = Gateway(ws, call_sid)
            await gateway.start()
            await script(gateway)
            await gateway.hang_up()
            return gateway

    return call_sid, asyncio.run(run())


def watched_call(address: str, script) -> tuple[str, Gateway, list[dict]]:  # noqa: ANN001
    """`call`, with the server's live events for it collected from /api/events."""
    seen: list[dict] = []

    async def watch_and_call() -> tuple[str, Gateway]:
        events = f"ws://{address}/api/events"
        async with websockets.connect(events, additional_headers=reader_headers(address)) as watcher:

            async def collect() -> None:
                async for raw in watcher:
                    seen.append(json.loads(raw))

            collector = asyncio.create_task(collect())
            result = await asyncio.to_thread(call, address, script)
            await asyncio.sleep(0.5)
            collector.cancel()
            return result

    call_sid, gateway = asyncio.run(watch_and_call())
    return call_sid, gateway, [event for event in seen if event["call_sid"] == call_sid]


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'live.db'}"


def test_partial_transcripts_are_events_and_are_stored_with_the_turn(sqlite_url: str, models) -> None:
    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        await gateway.send(ulaw_clip("d013_1.wav"), realtime=True)
        await gateway.wait_for("mark", "reply-0")

    with live_server(sqlite_url, models) as address:
        call_sid, _, seen = watched_call(address, script)
        turn = stored_call(address, call_sid)["turns"][0]
    kinds = [event["type"] for event in seen]
    assert kinds[0] == "call_started" and kinds[-1] == "call_ended"
    partials = [event for event in seen if event["type"] == "partial"]
    assert len(partials) >= 2  # a 13 s turn: decodes every 3 s of speech and in its pauses
    assert kinds.index("partial") < kinds.index("final") < kinds.index("reply")
    # What two decodes agreed on only grows, and the final text begins with it.
    confirmed = [event["confirmed"] for event in partials]
    assert all(later.startswith(earlier) for earlier, later in zip(confirmed, confirmed[1:], strict=False)), confirmed
    final = [event["text"] for event in seen if event["type"] == "final"][-1]
    # The final decode may still mend a word two decodes agreed on (公帝 → 工地), never much more.
    agreed = plain(confirmed[-1])
    assert len(agreed) >= 10 and Levenshtein.distance(agreed, plain(final)[: len(agreed)]) <= 3
    assert turn["asr_text"] == final
    assert [p["confirmed"] for p in turn["partials"]] == confirmed
    assert all(p["audio_s"] > 0 for p in turn["partials"])


def _reply_marks(gateway: Gateway, name: str) -> list[str]:
    return [mark for _, event, mark in gateway.events if event == "mark" and mark and mark.split(":")[0] == name]


def test_speech_over_a_reply_clears_it_and_the_seat_learns_what_was_heard(sqlite_url: str, models) -> None:
    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        await gateway.send(ulaw_clip("d013_1.wav"), realtime=False)
        await gateway.send(line_noise(1.5), realtime=False)
        await gateway.wait_for("mark", "reply-0")  # the whole reply is out, none of it played yet
        sentences = _reply_marks(gateway, "reply-0")
        assert len(sentences) >= 2, sentences
        await gateway.echo(sentences[0])  # the caller heard the first sentence ...
        await asyncio.sleep(0.3)
        await gateway.send(ulaw_clip("d013_2.wav")[: 8000 * 2], realtime=True)  # ... then spoke over it
        cleared_at = await gateway.wait_for("clear", timeout=30)
        assert cleared_at - gateway.events[0][0] > 0
        for mark in sentences[1:]:  # a gateway returns the marks it held when it clears
            await gateway.echo(mark)
        await gateway.send(ulaw_clip("d013_2.wav")[8000 * 2 :], realtime=False)
        await gateway.send(line_noise(1.5), realtime=False)
        await gateway.wait_for("mark", "reply-1")

    with live_server(sqlite_url, models) as address:
        call_sid, gateway = call(address, script)
        detail = stored_call(address, call_sid)
    first, second = detail["turns"][0], detail["turns"][1]
    heard = first["reply_heard"]
    assert heard and first["reply_text"].startswith(heard) and len(heard) < len(first["reply_text"])
    assert "望京" in second["asr_text"] or "朝阳" in second["asr_text"] or second["asr_text"]
    assert second["reply_heard"] is None
    # Only the marks played before the clear count as heard.
    assert detail["call"]["heard_marks"] == ["greeting", _reply_marks(gateway, "reply-0")[0]]


def test_noise_over_a_reply_does_not_interrupt_it(sqlite_url: str, models) -> None:
    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        # Street noise while the greeting plays, about as loud as the caller's speech.
        await gateway.send(line_noise(3.0, level=0.08, seed=1), realtime=True)
        await gateway.echo("greeting")
        await gateway.keep_line_open(0.5)

    with live_server(sqlite_url, models) as address:
        call_sid, gateway = call(address, script)
        detail = stored_call(address, call_sid)
    assert "clear" not in gateway.kinds()
    assert detail["turns"] == []
    assert detail["call"]["heard_marks"] == ["greeting"]


def test_a_caller_who_goes_on_after_a_short_pause_gets_one_answer_to_the_whole_turn(sqlite_url: str, models) -> None:
    first, second = load_audio(DEV / "d002_1.wav", sample_rate=8000), load_audio(DEV / "d002_2.wav", sample_rate=8000)
    speech = lambda clip: clip[np.flatnonzero(np.abs(clip) > 0.05)[0] : np.flatnonzero(np.abs(clip) > 0.05)[-1]]  # noqa: E731
    to_ulaw = lambda samples: pcm16_to_ulaw(float_to_int16(samples.astype(np.float32)))  # noqa: E731

    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        await gateway.send(to_ulaw(speech(first)), realtime=True)
        # A breath long enough for the seat to answer a finished question, short enough to go on.
        # Long enough whatever the machine's load: the turn ends once the pause's decode is back
        # (or after the detector's 1.5 s if it is not); 0.9 s failed when the decode came late.
        await gateway.send(line_noise(2.0), realtime=True)
        await gateway.send(to_ulaw(speech(second)), realtime=True)
        await gateway.wait_for("mark", "reply-0", after=time.monotonic())
        await gateway.echo("reply-0")

    with live_server(sqlite_url, models, turn_default_silence_ms="450", turn_finished_silence_ms="350",
                     turn_rejoin_ms="3000") as address:
        call_sid, gateway, seen = watched_call(address, script)
        detail = stored_call(address, call_sid)
    finals = [event["text"] for event in seen if event["type"] == "final"]
    # The turn ended in a pause (what was said so far looked finished) and was taken up again.
    assert len(finals) >= 2 and "社保卡" in finals[0] and "银行" not in finals[0], finals
    assert len(detail["turns"]) == 1, [t["asr_text"] for t in detail["turns"]]
    text = detail["turns"][0]["asr_text"]
    assert text == finals[-1] and "社保卡" in text and "银行" in text
    # Whatever the seat said to the first question alone was cleared before it was heard.
    replies_started = [event for event in seen if event["type"] == "reply"]
    assert detail["turns"][0]["reply_text"] == replies_started[-1]["text"]
    assert _reply_marks(gateway, "reply-0")[-1] == "reply-0"


def test_keypad_digits_closed_by_hash_are_a_turn(sqlite_url: str, models) -> None:
    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        for key in "139*13912345678#":  # a slip, * to start again, then the number and #
            await gateway.key(key)
        await gateway.keep_line_open(0.3)
        await gateway.wait_for("mark", "reply-0")

    with live_server(sqlite_url, models) as address:
        call_sid, _ = call(address, script)
        detail = stored_call(address, call_sid)
    assert [turn["asr_text"] for turn in detail["turns"]] == ["13912345678"]
    assert detail["turns"][0]["reply_text"]
    assert detail["call"]["dtmf"] == "139*13912345678#"


def test_keys_without_a_hash_count_after_the_keypad_timeout(sqlite_url: str, models) -> None:
    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        for key in "2":
            await gateway.key(key)
        await gateway.keep_line_open(1.5)
        await gateway.wait_for("mark", "reply-0")

    with live_server(sqlite_url, models, turn_keypad_timeout_s="0.8") as address:
        call_sid, _ = call(address, script)
        detail = stored_call(address, call_sid)
    assert [turn["asr_text"] for turn in detail["turns"]] == ["2"]


def test_a_one_word_answer_is_a_turn(sqlite_url: str, models) -> None:
    _, synthesizer = models
    word = synthesizer.synthesize("对。")
    ulaw = pcm16_to_ulaw(float_to_int16(resample(word, synthesizer.sample_rate, 8000)))

    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        await gateway.send(line_noise(0.5) + ulaw, realtime=True)
        await gateway.keep_line_open(0.2)
        await gateway.wait_for("mark", "reply-0")

    with live_server(sqlite_url, models) as address:
        call_sid, _ = call(address, script)
        detail = stored_call(address, call_sid)
    assert len(detail["turns"]) == 1 and detail["turns"][0]["asr_text"]
    assert detail["turns"][0]["speech_ended_at"] - detail["turns"][0]["speech_started_at"] < 0.8


def test_names_are_respelt_after_the_reply_and_the_stored_turn_has_them(sqlite_url: str, models) -> None:
    # d023_2 says 顺义区胜利街道…; Whisper base writes the street 胜利节等. The seat answers the
    # words as decoded (no waiting on the respelling), then the respelt words follow as a second
    # final event and replace the stored turn's text.
    async def script(gateway: Gateway) -> None:
        await gateway.wait_for("mark", "greeting")
        await gateway.echo("greeting")
        await gateway.send(ulaw_clip("d023_2.wav"), realtime=False)
        await gateway.wait_for("mark", "reply-0")
        await gateway.keep_line_open(1.0)

    with live_server(sqlite_url, models) as address:
        call_sid, _, seen = watched_call(address, script)
        turn = stored_call(address, call_sid)["turns"][0]
    kinds = [(event["type"], bool(event.get("respelt"))) for event in seen if event["type"] in ("final", "reply")]
    assert kinds[-3:] == [("final", False), ("reply", False), ("final", True)], kinds
    finals = [event for event in seen if event["type"] == "final" and not event.get("numbers_pending")]
    decoded, respelt = (event["text"] for event in finals)
    assert "胜利街道" not in decoded and "胜利街道" in respelt, (decoded, respelt)
    assert finals[0]["turn"] == finals[1]["turn"]  # the same turn, read again: a console replaces its words
    # The event shows the caller's number by its last four digits; the stored turn keeps it whole.
    assert masked_words(turn["asr_text"]) == respelt and "13811998877" in turn["asr_text"]
