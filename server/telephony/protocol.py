"""Twilio Media Streams messages: parse what a gateway sends, build what we send back.

Parsing turns every way a frame can be wrong into a `ProtocolError` carrying the WebSocket
close code and a reason short enough for a close frame (123 bytes), so the call handler has
one place to turn bad input into a clean close.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law
SAMPLE_RATE = 8000
ENCODING = "audio/x-mulaw"
MAX_SID_CHARS = 64  # Twilio's are 34; the database column allows 64
# The keys of a phone's keypad (A-D: the fourth column some gateways pass on). Anything else is not
# a key press, and a "digit" of any length would pile up in the call's record.
DTMF_KEYS = frozenset("0123456789*#ABCD")

# RFC 6455 close codes
CLOSE_NORMAL = 1000
CLOSE_PROTOCOL = 1008  # policy violation: a well-formed message at the wrong time
CLOSE_UNSUPPORTED = 1003  # audio we cannot take
CLOSE_INVALID = 1007  # payload that is not what it claims to be
CLOSE_TOO_BIG = 1009
CLOSE_SERVER_ERROR = 1011


class ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        # Close reasons are limited to 123 bytes of UTF-8.
        self.reason = reason.encode("utf-8")[:123].decode("utf-8", "ignore")


@dataclass(frozen=True)
class Connected:
    protocol: str | None


@dataclass(frozen=True)
class Start:
    stream_sid: str
    call_sid: str
    account_sid: str | None
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    payload: bytes
    track: str | None
    timestamp_ms: int | None


@dataclass(frozen=True)
class Dtmf:
    digit: str


@dataclass(frozen=True)
class Mark:
    name: str


@dataclass(frozen=True)
class Stop:
    call_sid: str | None


@dataclass(frozen=True)
class Unknown:
    event: str


Event = Connected | Start | Media | Dtmf | Mark | Stop | Unknown


def _object(message: dict[str, Any], key: str) -> dict[str, Any]:
    value = message.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(CLOSE_INVALID, f"'{message.get('event')}' message without a '{key}' object")
    return value


def _text(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(CLOSE_INVALID, f"'{where}.{key}' must be a non-empty string")
    return value


def _parse_start(message: dict[str, Any]) -> Start:
    start = _object(message, "start")
    media_format = start.get("mediaFormat")
    if not isinstance(media_format, dict):
        raise ProtocolError(CLOSE_INVALID, "'start.mediaFormat' is missing")
    encoding = media_format.get("encoding")
    rate = media_format.get("sampleRate")
    channels = media_format.get("channels", 1)
    if encoding != ENCODING or rate != SAMPLE_RATE or channels != 1:
        raise ProtocolError(
            CLOSE_UNSUPPORTED,
            f"unsupported mediaFormat {encoding} {rate} Hz {channels} ch; need {ENCODING} 8000 Hz mono",
        )
    params = start.get("customParameters") or {}
    if not isinstance(params, dict):
        raise ProtocolError(CLOSE_INVALID, "'start.customParameters' must be an object")
    stream_sid = message.get("streamSid") or start.get("streamSid")
    if not isinstance(stream_sid, str) or not stream_sid:
        raise ProtocolError(CLOSE_INVALID, "'start' without a streamSid")
    call_sid = _text(start, "callSid", "start")
    if len(call_sid) > MAX_SID_CHARS or len(stream_sid) > MAX_SID_CHARS:
        raise ProtocolError(CLOSE_INVALID, f"callSid and streamSid may have at most {MAX_SID_CHARS} characters")
    account = start.get("accountSid")
    return Start(
        stream_sid=stream_sid,
        call_sid=call_sid,
        account_sid=account if isinstance(account, str) else None,
        custom_parameters={str(k): str(v) for k, v in params.items()},
    )


def _parse_media(message: dict[str, Any]) -> Media:
    media = _object(message, "media")
    payload = media.get("payload")
    if not isinstance(payload, str):
        raise ProtocolError(CLOSE_INVALID, "'media.payload' must be a base64 string")
    try:
        audio = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(CLOSE_INVALID, "'media.payload' is not valid base64") from exc
    timestamp = media.get("timestamp")
    try:
        timestamp_ms = int(timestamp) if timestamp is not None else None
    except (TypeError, ValueError):
        timestamp_ms = None
    track = media.get("track")
    return Media(payload=audio, track=track if isinstance(track, str) else None, timestamp_ms=timestamp_ms)


def parse_message(raw: str | bytes) -> Event:
    """One WebSocket text frame → one event, or ProtocolError."""
    if isinstance(raw, bytes):
        raise ProtocolError(CLOSE_INVALID, "binary frames are not part of the protocol; send JSON text")
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ProtocolError(CLOSE_INVALID, f"malformed JSON: {exc.msg} at char {exc.pos}") from exc
    except ValueError as exc:  # a number of thousands of digits (Python's int limit)
        raise ProtocolError(CLOSE_INVALID, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:  # arrays or objects nested thousands deep
        raise ProtocolError(CLOSE_INVALID, "malformed JSON: nested too deeply") from exc
    if not isinstance(message, dict):
        raise ProtocolError(CLOSE_INVALID, "a message must be a JSON object")
    event = message.get("event")
    if not isinstance(event, str):
        raise ProtocolError(CLOSE_INVALID, "message without an 'event' name")
    if event == "connected":
        protocol = message.get("protocol")
        return Connected(protocol=protocol if isinstance(protocol, str) else None)
    if event == "start":
        return _parse_start(message)
    if event == "media":
        return _parse_media(message)
    if event == "dtmf":
        digit = _text(_object(message, "dtmf"), "digit", "dtmf")
        if digit not in DTMF_KEYS:
            raise ProtocolError(CLOSE_INVALID, "'dtmf.digit' must be one key: 0-9, *, # or A-D")
        return Dtmf(digit=digit)
    if event == "mark":
        return Mark(name=_text(_object(message, "mark"), "name", "mark"))
    if event == "stop":
        stop = message.get("stop")
        call_sid = stop.get("callSid") if isinstance(stop, dict) else None
        return Stop(call_sid=call_sid if isinstance(call_sid, str) else None)
    return Unknown(event=event)


# ---- what we send ---------------------------------------------------------------------------


def media_message(stream_sid: str, frame: bytes) -> str:
    payload = base64.b64encode(frame).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})


def frames(ulaw: bytes) -> list[bytes]:
    """Split audio into 20 ms frames; the last one is padded with μ-law silence (0xFF)."""
    out = [ulaw[i : i + FRAME_BYTES] for i in range(0, len(ulaw), FRAME_BYTES)]
    if out and len(out[-1]) < FRAME_BYTES:
        out[-1] = out[-1] + b"\xff" * (FRAME_BYTES - len(out[-1]))
    return out
