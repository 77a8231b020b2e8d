"""A caller on a line for the console tests: speaks a clip over /media-stream as a gateway
would (real time, then the silence of someone waiting), echoes the seat's marks, and keeps every
frame it hears with when it heard it. It runs in a thread of its own, beside a sync browser."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid

import numpy as np
import websockets

from server.telephony.protocol import FRAME_BYTES
from server.telephony.softphone import gateway_media_message, gateway_start_message
from voice.codec import float_to_int16, pcm16_to_ulaw, resample
from voice.tts.base import SpeechSynthesizer

SILENCE = b"\xff" * FRAME_BYTES


def spoken(synthesizer: SpeechSynthesizer, text: str) -> bytes:
    """`text` in the offline voice as 8 kHz μ-law, a breath of silence before and after."""
    speech = resample(synthesizer.synthesize(text), synthesizer.sample_rate, 8000)
    pause = np.zeros(4000, dtype=np.float32)
    return pcm16_to_ulaw(float_to_int16(np.concatenate([pause, speech, pause])))


class LineCaller:
    def __init__(self, address: str, speech: bytes) -> None:
        self.url = f"ws://{address}/media-stream"
        self.speech = speech
        self.call_sid = f"CA{uuid.uuid4().hex}"
        self.stream_sid = f"MZ{uuid.uuid4().hex}"
        self.heard: list[tuple[float, bytes]] = []  # (time.monotonic(), μ-law frame)
        self.closed = threading.Event()
        self.close_reason = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> LineCaller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.hang_up()
        self._thread.join(timeout=30)

    def hang_up(self) -> None:
        self._stop.set()

    def heard_since(self, moment: float) -> bytes:
        return b"".join(frame for at, frame in list(self.heard) if at >= moment)

    async def _run(self) -> None:
        async with websockets.connect(self.url, max_size=2**20) as ws:
            listener = asyncio.create_task(self._listen(ws))
            await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
            await ws.send(json.dumps(gateway_start_message(self.stream_sid, self.call_sid, {})))
            frames = [self.speech[i : i + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff")
                      for i in range(0, len(self.speech), FRAME_BYTES)]
            started, index = time.monotonic(), 0
            try:
                while not self._stop.is_set() and not listener.done():
                    frame = frames[index] if index < len(frames) else SILENCE
                    await ws.send(gateway_media_message(self.stream_sid, frame, index))
                    index += 1
                    await asyncio.sleep(max(0.0, started + index * 0.02 - time.monotonic()))
                if not listener.done():
                    await ws.send(json.dumps({"event": "stop", "streamSid": self.stream_sid,
                                              "stop": {"callSid": self.call_sid}}))
                    await asyncio.wait_for(listener, timeout=30)
            except websockets.ConnectionClosed:
                pass
            finally:
                listener.cancel()
        self.closed.set()

    async def _listen(self, ws) -> None:  # noqa: ANN001 - a websockets connection
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("event") == "media":
                    self.heard.append((time.monotonic(), base64.b64decode(message["media"]["payload"])))
                elif message.get("event") == "mark":
                    await ws.send(json.dumps({"event": "mark", "streamSid": self.stream_sid, "mark": message["mark"]}))
        except websockets.ConnectionClosed as exc:
            self.close_reason = exc.rcvd.reason if exc.rcvd else ""
        else:
            self.close_reason = ws.close_reason or ""
