"""Recording a call as it happens: both legs as μ-law in memory, on the call's audio clock, and at its
end encoded (voice/call_recording.py), sealed and stored (server/storage/recordings.py).

Captured at the WebSocket (server/telephony/media_stream.py), where every frame from the caller
comes in and every message to the caller goes out, whatever answers the stream: the seat's replies,
the line queue's busy prompts, an agent's voice after a takeover, a callback survey's questions
(kind "survey"). Nothing on the call path needs to know it is recorded.

The clock is the caller's audio. A gateway sends the caller's line without gaps (silence too), 20 ms
a frame, so inbound sample n is at n/8000 s: the clock the turns' speech_started_at and
speech_ended_at are measured on, so a reviewer finds a turn at the same second in the recording.
What we send is not played as it is sent: a reply's frames go out faster than real time and the
gateway plays them one after another from its buffer. So each frame we send is placed where the
gateway plays it, at the current inbound position or right after what is still queued to play, and
a `clear` (barge-in, an agent taking over) drops what was queued past the current position: the
caller never heard it. The right channel is thus what the caller heard, the left what they said.

Cheap on the call path: bytes appended, and outbound messages parsed only when they carry media or a
clear. Encoding waits for the call's end and runs in the worker pool's background lane, behind the
recognition callers are waiting for; sealing and storing run off the event loop, after the stream
is closed. A recording that cannot be stored is logged, and the call is not affected. Memory is
16 kB a second for both legs, for at most `[recordings] max_minutes`; the rest of a longer call is
not recorded, and the log says so.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from server.recording_settings import RecordingSettings
from server.storage.recordings import save_recording
from server.telephony.protocol import SAMPLE_RATE as PHONE_RATE
from server.telephony.protocol import Event, Media, Start
from server.telephony.survey_call import is_survey
from voice.call_recording import encode_two_channels

if TYPE_CHECKING:
    from server.services import Services

log = logging.getLogger("hotline.recording")

SILENCE = b"\xff"  # μ-law's zero
Send = Callable[[str], Awaitable[None]]


class CallRecorder:
    def __init__(self, settings: RecordingSettings) -> None:
        self._enabled = settings.enabled
        self._limit = int(settings.max_minutes * 60 * PHONE_RATE)
        self.call_sid: str | None = None
        self.kind = "call"
        self._caller = bytearray()
        self._heard = bytearray()
        self._queued_until = 0  # where the gateway's queue of our audio ends, in samples
        self.cut_off = False

    def send_through(self, send: Send) -> Send:
        """`send`, with what it sends to the caller recorded."""
        if not self._enabled:
            return send

        async def send_and_record(message: str) -> None:
            await send(message)
            self.sent(message)

        return send_and_record

    def received(self, event: Event) -> None:
        if isinstance(event, Start) and self.call_sid is None and self._enabled:
            self.call_sid = event.call_sid
            self.kind = "survey" if is_survey(event) else "call"
        elif isinstance(event, Media) and self.call_sid is not None:
            room = self._limit - len(self._caller)
            if room < len(event.payload):
                self._cut_off()
            self._caller += event.payload[:max(room, 0)]

    def sent(self, message: str) -> None:
        if self.call_sid is None or not ('"media"' in message or '"clear"' in message):
            return
        try:
            parsed = json.loads(message)
            event = parsed["event"]
            payload = base64.b64decode(parsed["media"]["payload"]) if event == "media" else b""
        except (ValueError, KeyError, TypeError):
            return
        if event == "media":
            self._play(payload)
        elif event == "clear":
            now = len(self._caller)
            del self._heard[now:]
            self._queued_until = min(self._queued_until, now)

    def _play(self, payload: bytes) -> None:
        start = max(len(self._caller), self._queued_until)
        end = min(start + len(payload), self._limit)
        if end < start + len(payload):
            self._cut_off()
        if end <= start:
            return
        self._heard += SILENCE * (start - len(self._heard))
        self._heard[start:end] = payload[:end - start]
        self._queued_until = end

    def _cut_off(self) -> None:
        if not self.cut_off:
            self.cut_off = True
            log.warning("call %s: longer than [recordings] max_minutes; the rest is not recorded", self.call_sid)

    def legs(self) -> tuple[bytes, bytes]:
        """(what the caller said, what the caller heard), padded with silence to one length."""
        length = max(len(self._caller), len(self._heard))
        return bytes(self._caller.ljust(length, SILENCE)), bytes(self._heard.ljust(length, SILENCE))


async def keep_recording(services: Services, recorder: CallRecorder) -> None:
    """Encode, seal and store what `recorder` holds, if anything; failures are logged, not raised."""
    call_sid = recorder.call_sid
    caller, heard = recorder.legs()
    if call_sid is None or not caller:
        return
    settings = services.recordings
    try:
        audio = await services.run_background(lambda: encode_two_channels(caller, heard, settings.codec))
        row = await asyncio.to_thread(save_recording, services.engine, settings.directory, call_sid, recorder.kind,
                                      audio, settings.codec, len(caller) / PHONE_RATE)
    except Exception:
        log.exception("call %s: its recording could not be stored", call_sid)
        return
    log.info("call %s recorded: %.0f s, %d kB sealed with %s", call_sid, row.duration_s, row.size_bytes // 1024,
             row.key_id)
