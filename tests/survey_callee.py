"""A citizen's phone in tests: registered with a server's /phones, it answers a callback survey
from a script, over the Twilio Media Streams protocol as a carrier connects the callee.

Each answer is given once the question before it has played (its last mark): a keypad key
("1"), or words (μ-law audio at 8 kHz, sent as a phone sends speech, followed by silence enough
for the end of the turn). Marks are echoed at once: the phone plays faster than real time.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field

import numpy as np
import websockets

from server.telephony.phone_registration import PhoneRegistration, Ring
from server.telephony.protocol import FRAME_BYTES
from server.telephony.protocol import SAMPLE_RATE as PHONE_RATE
from server.telephony.softphone import SILENCE_FRAME, gateway_media_message, gateway_start_message
from voice.codec import float_to_int16, pcm16_to_ulaw, resample
from voice.tts.base import SpeechSynthesizer

Answer = str | bytes  # a key, or μ-law speech
SILENCE_AFTER_WORDS = SILENCE_FRAME * 100  # 2 s: a phone keeps sending the line's silence


def spoken(synthesizer: SpeechSynthesizer, text: str) -> bytes:
    """`text` as the citizen says it down the line: synthesised, 8 kHz μ-law."""
    audio = np.asarray(synthesizer.synthesize(text), dtype=np.float32)
    return pcm16_to_ulaw(float_to_int16(resample(audio, synthesizer.sample_rate, PHONE_RATE)))


@dataclass
class SurveyHeard:
    prompts: int = 0  # questions (and closing words) that played
    close_code: int | None = None
    close_reason: str = ""
    answers_given: int = 0
    call_sid: str = ""


@dataclass
class SurveyCallee:
    server: str  # 127.0.0.1:PORT
    number: str
    script: list[Answer] = field(default_factory=list)
    behaviour: str = "answer"  # or "busy", "reject", "ignore" (let it ring), "hang_up" (after the script)
    heard: list[SurveyHeard] = field(default_factory=list)

    async def take_calls(self, calls: int = 1, registered: asyncio.Event | None = None) -> list[SurveyHeard]:
        """Stay registered until `calls` rings have come and been dealt with."""
        async with PhoneRegistration(f"ws://{self.server}/phones", self.number) as registration:
            if registered is not None:
                registered.set()
            rings = registration.rings()
            for _ in range(calls):
                ring = await anext(rings)
                if self.behaviour == "busy":
                    await registration.busy(ring)
                elif self.behaviour == "reject":
                    await registration.reject(ring)
                elif self.behaviour == "ignore":
                    continue
                else:
                    await registration.answer(ring)
                    self.heard.append(await answer_survey(ring, self.script, hang_up=self.behaviour == "hang_up"))
        return self.heard


async def answer_survey(ring: Ring, script: list[Answer], hang_up: bool = False) -> SurveyHeard:
    """Carry the survey call `ring` connects to, answering from `script`; with `hang_up`, hang up
    once the script is used up instead of waiting for the server to end the call."""
    heard = SurveyHeard(call_sid=ring.call_sid)
    stream_sid = f"MZ{uuid.uuid4().hex}"
    prompts: asyncio.Queue[str] = asyncio.Queue()
    async with websockets.connect(ring.stream_url, max_size=2**20) as ws:

        async def read() -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("event") == "mark":
                    name = message["mark"]["name"]
                    await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}))
                    if ":" not in name:
                        prompts.put_nowait(name)

        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps(gateway_start_message(stream_sid, ring.call_sid, ring.parameters)))
        reader = asyncio.create_task(read())
        try:
            for answer in script:
                if not await _next_prompt(prompts, reader):
                    break  # the server ended the call
                heard.prompts += 1
                if isinstance(answer, str):
                    await ws.send(json.dumps({"event": "dtmf", "streamSid": stream_sid,
                                              "dtmf": {"track": "inbound_track", "digit": answer}}))
                else:
                    await _send_ulaw(ws, stream_sid, answer + SILENCE_AFTER_WORDS)
                heard.answers_given += 1
            if hang_up:
                await ws.send(json.dumps({"event": "stop", "streamSid": stream_sid,
                                          "stop": {"callSid": ring.call_sid}}))
            await asyncio.wait_for(reader, timeout=120)
        except websockets.ConnectionClosed:
            pass
        finally:
            reader.cancel()
    heard.close_code, heard.close_reason = ws.close_code, ws.close_reason or ""
    return heard


async def _next_prompt(prompts: asyncio.Queue[str], reader: asyncio.Task) -> bool:
    """Until the next question has played (True) or the server has ended the call (False)."""
    getter = asyncio.ensure_future(prompts.get())
    done, _ = await asyncio.wait({getter, reader}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if getter in done:
        return True
    getter.cancel()
    if reader in done:
        return False
    raise TimeoutError("no question from the survey within 120 s")


async def _send_ulaw(ws, stream_sid: str, ulaw: bytes) -> None:  # noqa: ANN001
    for index, start in enumerate(range(0, len(ulaw), FRAME_BYTES)):
        frame = ulaw[start : start + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff")
        await ws.send(gateway_media_message(stream_sid, frame, index))
        if index % 50 == 49:
            await asyncio.sleep(0)
