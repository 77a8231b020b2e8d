"""Playing a call's recording: `GET /api/calls/{call_sid}/recording`, for agents and supervisors.

The answer is the recording's audio, opened from its sealed file and checked whole before the first
byte goes out (audio/flac or audio/ogg, never cached), so an altered or damaged file is a clear 500
and never half a recording. Admins are not among the listeners: they run the system and read the
audit log, which says who listened to what; no other role needs to hear a citizen.

Every request is written to the audit log before it is answered, whoever made it and however it
went: played, denied (no key, a wrong key, another role), not found (no such call, no recording, or
deleted after the retention period) or failed. If the entry cannot be written, nothing is played. The
entry names the call by its sid only if it is one of ours ("(unknown call)" otherwise), so that what
somebody typed into a URL never lands in the log.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response

from server.access import SESSION_COOKIE, AccessDenied, Caller, bearer_key, identify, with_rule
from server.storage import audit_log
from server.storage.keys import Role
from server.storage.recordings import RecordingUnreadable, find_recording, is_known_call, read_audio
from voice.call_recording import CODECS

log = logging.getLogger("hotline.recordings")

router = APIRouter()
LISTENERS = (Role.AGENT, Role.SUPERVISOR)


def _audit(request: Request, actor: str, outcome: str) -> None:
    # Only a sid the gateway gave one of our calls is written: a URL may carry anything, a phone number too.
    engine, call_sid = request.app.state.engine, request.path_params.get("call_sid", "")
    target = call_sid if is_known_call(engine, call_sid) else audit_log.UNKNOWN_CALL
    audit_log.write(engine, actor, audit_log.PLAY_RECORDING, target, outcome)


def _listener(request: Request) -> Caller:
    """The caller, if a listener; a refusal otherwise, written to the audit log as who it was."""
    try:
        caller = identify(request, tuple(Role))  # who it is first, whatever the role
    except AccessDenied as exc:
        presented = bearer_key(request) or request.cookies.get(SESSION_COOKIE)
        _audit(request, "unknown key" if presented else "anonymous", audit_log.DENIED)
        raise HTTPException(status_code=exc.status, detail=exc.detail, headers=exc.headers) from None
    if caller.role not in LISTENERS:
        _audit(request, caller.actor, audit_log.DENIED)
        allowed = ", ".join(role.value for role in LISTENERS)
        raise HTTPException(status_code=403, detail=f"a {caller.role.value} key may not use this (it needs: {allowed})")
    return caller


ListenerDep = Annotated[Caller, with_rule(_listener, LISTENERS)]


@router.get("/api/calls/{call_sid}/recording")
def play_recording(call_sid: str, request: Request, caller: ListenerDep) -> Any:
    engine = request.app.state.engine
    recording = find_recording(engine, call_sid)
    if recording is None or recording.purged_at is not None:
        _audit(request, caller.actor, audit_log.NOT_FOUND)
        why = "was deleted after the retention period" if recording is not None else "does not exist"
        raise HTTPException(status_code=404, detail=f"the recording of call {call_sid!r} {why}")
    try:
        audio = read_audio(request.app.state.services.recordings.directory, recording)
    except RecordingUnreadable as exc:
        _audit(request, caller.actor, audit_log.FAILED)
        log.error("%s", exc)
        raise HTTPException(status_code=500, detail=str(exc)) from None
    _audit(request, caller.actor, audit_log.PLAYED)
    codec = CODECS[recording.codec]
    name = re.sub(r"[^A-Za-z0-9_-]", "_", call_sid)  # a gateway's sid may hold anything a header may not
    return Response(audio, media_type=codec.content_type, headers={
        "Cache-Control": "no-store",  # decrypted audio stays out of caches
        "Content-Disposition": f'inline; filename="{name}.{codec.container}"',
    })
