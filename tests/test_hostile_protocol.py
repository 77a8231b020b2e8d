"""Hostile frames for `parse_message` (Hypothesis): whatever a gateway, or anyone pretending to be
one, sends, the parser gives an event or a ProtocolError with a close code and a reason that fits
a close frame — never another exception, which the call handler could only answer with 1011."""

from __future__ import annotations

import json

from hostile_frames import FIELDS, VALID, json_values, mutated
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.telephony.protocol import (
    CLOSE_INVALID,
    CLOSE_PROTOCOL,
    CLOSE_TOO_BIG,
    CLOSE_UNSUPPORTED,
    Connected,
    Dtmf,
    Mark,
    Media,
    ProtocolError,
    Start,
    Stop,
    Unknown,
    parse_message,
)

CLOSE_CODES = {CLOSE_INVALID, CLOSE_PROTOCOL, CLOSE_TOO_BIG, CLOSE_UNSUPPORTED}
EVENTS = (Connected, Start, Media, Dtmf, Mark, Stop, Unknown)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

def assert_parsed_or_refused(raw: str | bytes) -> None:
    try:
        event = parse_message(raw)
    except ProtocolError as refused:
        assert refused.code in CLOSE_CODES, refused.code
        assert refused.reason and len(refused.reason.encode("utf-8")) <= 123
    else:
        assert isinstance(event, EVENTS)


@FAST
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
@example("[" * 100_000)  # nesting deep enough to exhaust the recursion limit
@example('{"event": "media", "media": {"payload": "' + "A" * 4 + '", "timestamp": ' + "9" * 5000 + "}}")
@example('{"event": "dtmf", "dtmf": {"digit": "' + "1" * 5000 + '"}}')
@example('{"event": "start", "start": {"customParameters": {"from": 1e400}}}')
def test_any_text_or_bytes_is_an_event_or_a_clean_refusal(raw: str | bytes) -> None:
    assert_parsed_or_refused(raw)


@FAST
@given(st.sampled_from(VALID), st.lists(st.tuples(FIELDS, json_values), min_size=1, max_size=3))
def test_mutated_twilio_messages_are_events_or_clean_refusals(message: dict, changes: list) -> None:
    for path, value in changes:
        message = mutated(message, path, value)
    assert_parsed_or_refused(json.dumps(message))


@FAST
@given(st.sampled_from(VALID), st.data())
def test_cut_or_corrupted_frames_are_events_or_clean_refusals(message: dict, data: st.DataObject) -> None:
    raw = json.dumps(message).encode("utf-8")
    cut = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=8))
    frame = raw[:cut] + junk + raw[cut + len(junk):]
    assert_parsed_or_refused(frame.decode("utf-8", "replace"))
    assert_parsed_or_refused(frame)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=3))
def test_a_key_press_is_one_key_of_a_phone(digit: str) -> None:
    raw = json.dumps({"event": "dtmf", "dtmf": {"digit": digit}})
    if digit in set("0123456789*#ABCD"):
        assert parse_message(raw) == Dtmf(digit)
    else:
        try:
            parse_message(raw)
        except ProtocolError as refused:
            assert refused.code == CLOSE_INVALID and "dtmf.digit" in refused.reason
        else:
            raise AssertionError(f"{digit!r} taken as a key press")
