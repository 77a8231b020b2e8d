"""Bad input ends only the call that sent it, with a clear close code; other calls carry on."""

from __future__ import annotations

import asyncio
import base64
import json

import httpx
import pytest
import websockets
from server_harness import DEV, api_get

from server.telephony.softphone import Softphone

pytestmark = pytest.mark.slow


def start(call_sid: str, **media_format: object) -> str:
    fmt = {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1, **media_format}
    return json.dumps({"event": "start", "streamSid": f"MZ-{call_sid}",
                       "start": {"streamSid": f"MZ-{call_sid}", "callSid": call_sid, "mediaFormat": fmt,
                                 "customParameters": {"from": "13600000000"}}})


def media(call_sid: str, payload: str) -> str:
    return json.dumps({"event": "media", "streamSid": f"MZ-{call_sid}", "media": {"payload": payload}})


SILENCE = base64.b64encode(b"\xff" * 160).decode()


async def closed_with(url: str, messages: list[str | bytes]) -> tuple[int, str]:
    """Send the messages (as far as the server lets us), then read until it closes: (code, reason)."""
    async with websockets.connect(url, max_size=2**20) as ws:
        try:
            for message in messages:
                await ws.send(message)
            while True:
                await asyncio.wait_for(ws.recv(), timeout=60)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None, "the server dropped the connection without a close frame"
            return closed.rcvd.code, closed.rcvd.reason
    raise AssertionError("unreachable")


def test_a_broken_call_does_not_disturb_another(server: str) -> None:
    url = f"ws://{server}/media-stream"

    async def both() -> tuple:
        good = asyncio.create_task(Softphone(url, realtime=False).call([DEV / "d005_1.wav"]))
        await asyncio.sleep(0.5)
        bad = await closed_with(url, [start("CA-broken"), *[media("CA-broken", SILENCE)] * 50, "{oops"])
        return await good, bad

    phone, (code, reason) = asyncio.run(both())
    assert code == 1007 and "malformed JSON" in reason
    good = api_get(server, f"/api/calls/{phone.call_sid}").json()
    assert good["call"]["status"] == "ended" and good["call"]["route"] == "answer"
    assert good["turns"] and good["turns"][0]["reply_text"]
    broken = api_get(server, "/api/calls/CA-broken").json()
    assert broken["call"]["status"] == "failed" and "malformed JSON" in broken["call"]["error"]


@pytest.mark.parametrize("messages, code, words", [
    ([media("CA-x", SILENCE)], 1008, "before 'start'"),
    ([start("CA-fmt", sampleRate=16000)], 1003, "audio/x-mulaw 8000 Hz mono"),
    ([start("CA-b64"), media("CA-b64", "not base64!")], 1007, "base64"),
    ([start("CA-big"), media("CA-big", "A" * 100_000)], 1009, "limit"),
    ([start("CA-two"), start("CA-two")], 1008, "second 'start'"),
    ([start("CA-bin"), b"\x00\x01\x02"], 1007, "binary"),
])
def test_bad_input_gets_a_clear_close(server: str, messages: list, code: int, words: str) -> None:
    got_code, reason = asyncio.run(closed_with(f"ws://{server}/media-stream", messages))
    assert got_code == code and words in reason
    assert httpx.get(f"http://{server}/healthz", timeout=5).status_code == 200


def test_unknown_events_and_dtmf_are_taken_in_stride(server: str) -> None:
    messages = [
        json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}),
        start("CA-odd"),
        json.dumps({"event": "something-new", "streamSid": "MZ-CA-odd"}),
        json.dumps({"event": "dtmf", "streamSid": "MZ-CA-odd", "dtmf": {"track": "inbound_track", "digit": "1"}}),
        *[media("CA-odd", SILENCE)] * 25,
        json.dumps({"event": "stop", "streamSid": "MZ-CA-odd", "stop": {"callSid": "CA-odd"}}),
    ]
    code, _ = asyncio.run(closed_with(f"ws://{server}/media-stream", messages))
    assert code == 1000
    call = api_get(server, "/api/calls/CA-odd").json()["call"]
    assert call["status"] == "ended" and call["dtmf"] == "1"
    # The greeting was sent, but this caller never sent its mark back: it has not been heard.
    assert call["heard_marks"] == []


def test_a_turn_the_seat_fails_on_is_answered_and_the_call_goes_on(server: str, monkeypatch) -> None:
    # A bug in reading one turn must cost the caller that turn only: they hear the apology as
    # the answer to it (a phone waiting for one goes on) and the next turn is answered as usual.
    from agent.seat import Seat

    real_turn = Seat.turn
    failures: list[str] = []

    def fails_once(seat: Seat, text: str):
        if not failures:
            failures.append(text)
            raise RuntimeError("a bug in the seat")
        return real_turn(seat, text)

    monkeypatch.setattr(Seat, "turn", fails_once)
    clips = [DEV / "d002_1.wav", DEV / "d002_2.wav"]
    phone = asyncio.run(Softphone(f"ws://{server}/media-stream", realtime=False, reply_timeout_s=60).call(clips))
    assert failures and len(phone.turns) == 2
    assert all(turn.first_reply_audio_wall is not None for turn in phone.turns)
    detail = api_get(server, f"/api/calls/{phone.call_sid}").json()
    assert detail["call"]["status"] == "ended"
    assert [t["asr_text"] for t in detail["turns"]] and detail["turns"][-1]["reply_text"]
