"""The softphone's latency figures, against a stand-in server on a real socket: end of speech is
where the clip's speech ends, and a reply that starts while the clip's trailing silence is still
going out is that turn's reply (it was counted for nothing before)."""

from __future__ import annotations

import asyncio
import base64
import json
import wave
from pathlib import Path

import numpy as np
import websockets

from server.telephony.simulate import free_port
from server.telephony.softphone import Softphone

RATE = 8000


def clip_with_trailing_silence(path: Path, speech_s: float, silence_s: float) -> Path:
    t = np.arange(int(speech_s * RATE)) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    samples = np.concatenate([tone, np.zeros(int(silence_s * RATE))])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


async def seat_that_answers_early(ws) -> None:  # noqa: ANN001 - a websockets connection
    """Greets, then answers 0.3 s after the caller's speech ends (as its frames arrive)."""
    stream_sid, frames, answered = "", 0, False
    reply = base64.b64encode(b"\x7f" * 160).decode()
    async for raw in ws:
        message = json.loads(raw)
        if message["event"] == "start":
            stream_sid = message["start"]["streamSid"]
            await ws.send(json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": reply}}))
            await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": "greeting"}}))
        elif message["event"] == "media":
            frames += 1
            if frames == int(1.3 / 0.02) and not answered:  # speech ends at 1.0 s, the clip at 2.5 s
                answered = True
                for _ in range(10):
                    await ws.send(json.dumps({"event": "media", "streamSid": stream_sid,
                                              "media": {"payload": reply}}))
                await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": "reply-0"}}))
        elif message["event"] == "stop":
            return


def test_a_reply_during_the_clips_trailing_silence_counts_for_its_turn(tmp_path: Path) -> None:
    clip = clip_with_trailing_silence(tmp_path / "turn.wav", speech_s=1.0, silence_s=1.5)

    async def run():  # noqa: ANN202
        port = free_port()
        async with websockets.serve(seat_that_answers_early, "127.0.0.1", port):
            return await Softphone(f"ws://127.0.0.1:{port}", realtime=True, reply_timeout_s=20).call([clip])

    phone = asyncio.run(run())
    (turn,) = phone.turns
    assert turn.end_of_speech_wall is not None and turn.first_reply_audio_wall is not None
    latency = turn.first_reply_audio_wall - turn.end_of_speech_wall
    assert 0.2 < latency < 0.8, latency


def test_end_of_speech_is_where_the_voice_stops_even_on_a_noisy_line() -> None:
    from conftest import SHARED

    from server.telephony.softphone import caller_audio

    dev = SHARED / "corpus" / "dev"
    # d014_2 carries brown noise to its last sample (10.27 s); the voice stops at about 9.6 s.
    ulaw, speech_end = caller_audio(dev / "d014_2.wav")
    assert len(ulaw) / RATE > 10.2 and 9.4 < speech_end < 9.8, speech_end
    # d016_1 is clean: its last loud frame ends at 9.30 s, 0.85 s before the clip does.
    ulaw, speech_end = caller_audio(dev / "d016_1.wav")
    assert len(ulaw) / RATE > 10.1 and 9.2 < speech_end <= 9.3, speech_end
