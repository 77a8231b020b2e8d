"""A phone that speaks the Twilio Media Streams protocol: plays audio files as a caller's turns.

It behaves like a gateway: audio goes out in 20 ms μ-law frames, the line carries silence
between turns (a phone never stops sending), marks are echoed once the audio before them has
"played" (in real time: when it would have finished playing), `clear` drops what has not played
and returns the marks held back, and `stop` ends the call. A turn is answered when a reply's
last mark (a name without ":", see server/telephony/speaker.py) has played. What the seat
understood is read back from the REST API afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import websockets

from server.telephony.protocol import FRAME_BYTES, SAMPLE_RATE
from voice.audio_file import load_audio
from voice.codec import float_to_int16, pcm16_to_ulaw
from voice.vad import SileroVad

FRAME_S = FRAME_BYTES / SAMPLE_RATE
SILENCE_FRAME = b"\xff" * FRAME_BYTES
# Enough trailing silence for the server's end-of-turn detector, sent at once when not real time.
SILENCE_BURST_S = 1.5


class CallFailed(Exception):
    pass


@dataclass
class TurnTiming:
    end_of_speech_wall: float | None = None  # time.time() when the caller stopped speaking
    first_reply_audio_wall: float | None = None  # the first audio after that


@dataclass
class PhoneCall:
    call_sid: str
    turns: list[TurnTiming] = field(default_factory=list)
    started_wall: float = 0.0  # when `start` went out
    first_audio_wall: float | None = None  # the greeting's first audio
    frames_sent: int = 0
    replies: list[str] = field(default_factory=list)  # the mark that answered each turn ("reply-0", …)


def caller_audio(path: Path) -> tuple[bytes, float]:
    """A clip as 8 kHz μ-law, and where its speech ends (seconds), for latency figures."""
    audio = load_audio(path, sample_rate=SAMPLE_RATE)
    frame = int(SAMPLE_RATE * 0.02)
    usable = audio[: len(audio) // frame * frame].reshape(-1, frame)
    loud = np.flatnonzero(np.sqrt((usable**2).mean(axis=1)) > 0.01)  # about -40 dBFS
    speech_end = (loud[-1] + 1) * 0.02 if loud.size else 0.0
    # On a line with noise nothing falls below that, and the clip's end was taken for the end of
    # speech: 0.5-0.85 s late on 12 of the 64 dev clips, so their latencies came out that much
    # short (one below zero). Silero, over the whole clip, hears where the voice stops; the earlier
    # of the two counts (on clean clips they agree within 0.1 s).
    voice = _last_voice_s(path)
    return pcm16_to_ulaw(float_to_int16(audio)), min(speech_end, voice) if voice else speech_end


def _last_voice_s(path: Path) -> float | None:
    """Where the last stretch Silero takes for speech ends in the clip (seconds), if any."""
    probs = SileroVad().process(load_audio(path, sample_rate=SileroVad.sample_rate))
    speech = np.flatnonzero(probs >= 0.5)
    return (speech[-1] + 1) * SileroVad.window_samples / SileroVad.sample_rate if speech.size else None


class Softphone:
    def __init__(self, ws_url: str, realtime: bool, reply_timeout_s: float = 120.0) -> None:
        self.ws_url = ws_url
        self.realtime = realtime
        self.reply_timeout_s = reply_timeout_s
        self._frames_sent = 0
        self.current: PhoneCall | None = None  # the call under way (or last made), for whoever watches it

    async def call(self, clips: list[Path], caller_number: str | None = None) -> PhoneCall:
        call_sid = f"CA{uuid.uuid4().hex}"
        stream_sid = f"MZ{uuid.uuid4().hex}"
        self._frames_sent = 0
        result = self.current = PhoneCall(call_sid=call_sid)
        marks: asyncio.Queue[str] = asyncio.Queue()
        clips_audio = [caller_audio(p) for p in clips]
        async with websockets.connect(self.ws_url, max_size=2**20) as ws:
            reader = asyncio.create_task(self._read(ws, stream_sid, marks, result))
            try:
                await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
                params = {"from": caller_number} if caller_number else {}
                result.started_wall = time.time()
                await ws.send(json.dumps(gateway_start_message(stream_sid, call_sid, params)))
                await self._wait_for_mark(marks, reader, "the greeting")
                for ulaw, speech_end in clips_audio:
                    timing = TurnTiming()
                    result.turns.append(timing)

                    def speech_ended(timing: TurnTiming = timing) -> None:
                        # From here on the seat may answer, even while the clip's own trailing
                        # silence is still being sent; replies from before are not this turn's.
                        timing.end_of_speech_wall = time.time()
                        _drain(marks)

                    await self._send_audio(ws, stream_sid, ulaw, speech_end_s=speech_end, on_speech_end=speech_ended)
                    result.replies.append(await self._silence_until_reply(ws, stream_sid, marks, reader))
                await ws.send(json.dumps({"event": "stop", "streamSid": stream_sid,
                                          "stop": {"callSid": call_sid}}))
                await asyncio.wait_for(reader, timeout=self.reply_timeout_s)
            finally:
                reader.cancel()
                result.frames_sent = self._frames_sent
        return result

    async def _read(self, ws, stream_sid: str, marks: asyncio.Queue[str], result: PhoneCall) -> None:
        playing_until = time.monotonic()
        held: list[tuple[float, str]] = []  # marks waiting for their audio to play
        releaser: asyncio.Task | None = None

        async def echo(name: str, played: bool) -> None:
            await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}))
            if played and ":" not in name:
                marks.put_nowait(name)

        async def release() -> None:
            while held:
                due, name = held[0]
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                held.pop(0)
                await echo(name, played=True)

        try:
            async for raw in ws:
                message = json.loads(raw)
                event = message.get("event")
                if event == "media":
                    result.first_audio_wall = result.first_audio_wall or time.time()
                    turn = result.turns[-1] if result.turns else None
                    if turn and turn.end_of_speech_wall is not None and turn.first_reply_audio_wall is None:
                        turn.first_reply_audio_wall = time.time()
                    frame_s = len(base64.b64decode(message["media"]["payload"])) / SAMPLE_RATE
                    playing_until = max(playing_until, time.monotonic()) + frame_s
                elif event == "mark":
                    name = message["mark"]["name"]
                    if not self.realtime:
                        await echo(name, played=True)
                        continue
                    # A real phone reports a mark only once the audio before it has played.
                    held.append((playing_until, name))
                    if releaser is None or releaser.done():
                        releaser = asyncio.create_task(release())
                elif event == "clear":
                    playing_until = time.monotonic()
                    if releaser is not None:
                        releaser.cancel()
                    flushed, held[:] = list(held), []
                    for _, name in flushed:  # returned at once, as Twilio does, but never played
                        await echo(name, played=False)
        finally:
            if releaser is not None:
                releaser.cancel()

    async def _wait_for_mark(self, marks: asyncio.Queue[str], reader: asyncio.Task, what: str) -> str:
        getter = asyncio.ensure_future(marks.get())
        done, _ = await asyncio.wait({getter, reader}, timeout=self.reply_timeout_s,
                                     return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if reader in done:
            raise CallFailed(f"the server closed the call while we waited for {what}")
        raise CallFailed(f"no reply within {self.reply_timeout_s:.0f} s while waiting for {what}")

    async def _send_audio(
        self, ws, stream_sid: str, ulaw: bytes, speech_end_s: float | None = None,
        on_speech_end: Callable[[], None] | None = None,
    ) -> None:
        """Send `ulaw` as a phone does, calling `on_speech_end` as the audio at `speech_end_s` goes
        out (in real time the frames keep to the clock, so that is the audio timeline)."""
        started = time.monotonic()
        end_frame = None if speech_end_s is None else int(speech_end_s / FRAME_S)
        for index, start in enumerate(range(0, len(ulaw), FRAME_BYTES)):
            frame = ulaw[start : start + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff")
            if self.realtime:
                # Keep to the clock, not to sleep()s, which drift late a little each frame.
                await asyncio.sleep(max(0.0, started + index * FRAME_S - time.monotonic()))
            elif index % 50 == 49:
                await asyncio.sleep(0)  # let the reader run
            await ws.send(gateway_media_message(stream_sid, frame, index))
            self._frames_sent += 1
            if index == end_frame and on_speech_end is not None:
                on_speech_end()
        if end_frame is not None and end_frame >= (len(ulaw) + FRAME_BYTES - 1) // FRAME_BYTES and on_speech_end:
            on_speech_end()

    async def _silence_until_reply(self, ws, stream_sid: str, marks: asyncio.Queue[str],
                                   reader: asyncio.Task) -> str:
        """Keep the line open with silence, as a phone does, until the seat's reply has played; its mark."""
        if not self.realtime:
            await self._send_audio(ws, stream_sid, SILENCE_FRAME * int(SILENCE_BURST_S / FRAME_S))
        getter = asyncio.ensure_future(self._wait_for_mark(marks, reader, "the seat's reply"))
        started, sent = time.monotonic(), 0
        try:
            while not getter.done():
                await ws.send(gateway_media_message(stream_sid, SILENCE_FRAME, 0))
                self._frames_sent += 1
                sent += 1
                # On the clock: the server's end of turn counts frames, so a line slower than real
                # time would make every pause look longer than it is.
                await asyncio.sleep(max(0.0, started + sent * FRAME_S - time.monotonic()))
        except websockets.ConnectionClosed:
            pass
        return await getter


def _drain(queue: asyncio.Queue[str]) -> None:
    while not queue.empty():
        queue.get_nowait()


def gateway_start_message(stream_sid: str, call_sid: str, params: dict[str, str]) -> dict:
    return {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": stream_sid,
        "start": {
            "accountSid": "AChotlinesimulator",
            "streamSid": stream_sid,
            "callSid": call_sid,
            "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": SAMPLE_RATE, "channels": 1},
            "customParameters": params,
        },
    }


def gateway_media_message(stream_sid: str, frame: bytes, index: int) -> str:
    return json.dumps({
        "event": "media",
        "streamSid": stream_sid,
        "media": {"track": "inbound", "chunk": str(index + 1), "timestamp": str(index * 20),
                  "payload": base64.b64encode(frame).decode("ascii")},
    })
