"""Frames of the Twilio Media Streams protocol for the hostile-input tests: valid messages as
Twilio sends them, and Hypothesis strategies that mutate them or send junk instead."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

# Valid messages as Twilio sends them, to be mutated.
VALID: list[dict[str, Any]] = [
    {"event": "connected", "protocol": "Call", "version": "1.0.0"},
    {"event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
     "start": {"accountSid": "AC1", "streamSid": "MZ1", "callSid": "CA1", "tracks": ["inbound"],
               "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
               "customParameters": {"from": "13800000000"}}},
    {"event": "media", "sequenceNumber": "3", "streamSid": "MZ1",
     "media": {"track": "inbound", "chunk": "1", "timestamp": "5",
               "payload": base64.b64encode(b"\xff" * 160).decode()}},
    {"event": "dtmf", "streamSid": "MZ1", "sequenceNumber": "5", "dtmf": {"track": "inbound_track", "digit": "1"}},
    {"event": "mark", "sequenceNumber": "4", "streamSid": "MZ1", "mark": {"name": "reply-1-0"}},
    {"event": "stop", "sequenceNumber": "5", "streamSid": "MZ1", "stop": {"accountSid": "AC1", "callSid": "CA1"}},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def mutated(message: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """`message` with the field at `path` (as deep as it goes) replaced by `value`."""
    copy = json.loads(json.dumps(message))
    target = copy
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            break
        target = target[key]
    target[path[-1]] = value
    return copy


FIELDS = st.sampled_from([
    ["event"], ["streamSid"], ["start"], ["start", "callSid"], ["start", "streamSid"], ["start", "mediaFormat"],
    ["start", "mediaFormat", "sampleRate"], ["start", "mediaFormat", "encoding"], ["start", "mediaFormat", "channels"],
    ["start", "customParameters"], ["media"], ["media", "payload"], ["media", "timestamp"], ["media", "track"],
    ["dtmf"], ["dtmf", "digit"], ["mark"], ["mark", "name"], ["stop"], ["stop", "callSid"],
])

# One frame on the wire: valid audio, key presses and marks; a valid message with a field changed
# to anything; any text; any bytes (a binary frame).
frames = st.one_of(
    st.sampled_from(VALID[2:5]).map(json.dumps),
    st.tuples(st.sampled_from(VALID), FIELDS, json_values).map(lambda change: json.dumps(mutated(*change))),
    st.text(max_size=200),
    st.binary(max_size=200),
)
