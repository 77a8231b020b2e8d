"""Parsing and building Twilio Media Streams messages."""

from __future__ import annotations

import base64
import json

import pytest

from server.telephony.protocol import (
    CLOSE_INVALID,
    CLOSE_UNSUPPORTED,
    Connected,
    Dtmf,
    Mark,
    Media,
    ProtocolError,
    Start,
    Stop,
    Unknown,
    frames,
    mark_message,
    media_message,
    parse_message,
)


def start_message(**media_format: object) -> str:
    fmt = {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1, **media_format}
    return json.dumps({
        "event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
        "start": {"accountSid": "AC1", "streamSid": "MZ1", "callSid": "CA1", "tracks": ["inbound"],
                  "mediaFormat": fmt, "customParameters": {"from": "13800000000"}},
    })


def test_start_keeps_the_callers_number() -> None:
    event = parse_message(start_message())
    assert event == Start(stream_sid="MZ1", call_sid="CA1", account_sid="AC1",
                          custom_parameters={"from": "13800000000"})


@pytest.mark.parametrize("fmt", [{"encoding": "audio/l16"}, {"sampleRate": 16000}, {"channels": 2}])
def test_start_with_other_audio_is_refused(fmt: dict) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_message(start_message(**fmt))
    assert caught.value.code == CLOSE_UNSUPPORTED
    assert "audio/x-mulaw 8000 Hz mono" in caught.value.reason


def test_media_payload_is_decoded() -> None:
    audio = bytes(range(160))
    raw = json.dumps({"event": "media", "streamSid": "MZ1",
                      "media": {"track": "inbound", "chunk": "2", "timestamp": "20",
                                "payload": base64.b64encode(audio).decode()}})
    assert parse_message(raw) == Media(payload=audio, track="inbound", timestamp_ms=20)


@pytest.mark.parametrize("raw, words", [
    ("{not json", "malformed JSON"),
    ("[1, 2]", "JSON object"),
    ('{"streamSid": "MZ1"}', "'event'"),
    ('{"event": "media", "media": {"payload": "%%%"}}', "base64"),
    ('{"event": "media"}', "'media' object"),
    ('{"event": "mark", "mark": {}}', "mark.name"),
    ('{"event": "start", "start": {"callSid": "CA1"}}', "mediaFormat"),
])
def test_malformed_messages_name_the_problem(raw: str, words: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_message(raw)
    assert caught.value.code == CLOSE_INVALID
    assert words in caught.value.reason


def test_binary_frames_are_refused() -> None:
    with pytest.raises(ProtocolError):
        parse_message(b"\x00\x01")


def test_other_events() -> None:
    assert parse_message('{"event": "connected", "protocol": "Call"}') == Connected(protocol="Call")
    assert parse_message('{"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "5"}}') == Dtmf("5")
    assert parse_message('{"event": "mark", "mark": {"name": "reply-0"}}') == Mark("reply-0")
    assert parse_message('{"event": "stop", "stop": {"callSid": "CA1"}}') == Stop("CA1")
    assert parse_message('{"event": "something-new"}') == Unknown("something-new")


def test_close_reason_fits_a_close_frame() -> None:
    error = ProtocolError(CLOSE_INVALID, "错" * 100)
    assert len(error.reason.encode()) <= 123


def test_outgoing_messages_are_twilio_shaped() -> None:
    media = json.loads(media_message("MZ1", b"\xff" * 160))
    assert media == {"event": "media", "streamSid": "MZ1",
                     "media": {"payload": base64.b64encode(b"\xff" * 160).decode()}}
    assert json.loads(mark_message("MZ1", "reply-3")) == {"event": "mark", "streamSid": "MZ1",
                                                          "mark": {"name": "reply-3"}}


def test_frames_are_20_ms_and_padded_with_silence() -> None:
    chunks = frames(b"\x00" * 400)
    assert [len(c) for c in chunks] == [160, 160, 160]
    assert chunks[-1].endswith(b"\xff" * 80)


def test_overlong_call_sid_is_refused() -> None:
    message = json.loads(start_message())
    message["start"]["callSid"] = "CA" + "x" * 100
    with pytest.raises(ProtocolError, match="at most 64"):
        parse_message(json.dumps(message))
