"""The console's audio lines into a live call (server/telephony/call_line.py), as WebSockets:

- `/console/calls/{call_sid}/line` (agent, supervisor): take the call over. The seat stops; the
  caller's audio comes as `{"event": "media", "media": {"track": "inbound", "payload": <μ-law,
  base64>}}`, and what the agent sends as `{"event": "media", "media": {"payload": …}}` (20 ms
  frames of 8 kHz μ-law, as a gateway's) goes to the caller. A frame that is not that gets
  `{"event": "error", "detail": …}` and is dropped; the line stays up. When the agent closes the
  line the call ends; when the caller hangs up the agent is sent `{"event": "stop"}`.
- `/console/calls/{call_sid}/listen` (supervisor): both directions of a live call, each frame
  with its track (`inbound`: the caller; `outbound`: the seat or the agent).

A call not live on this node is 404, a call another agent has taken 409, before the handshake.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server.access import AccessDenied, Caller, allow_websocket, deny
from server.storage.keys import Role
from server.telephony.call_line import CallTaken, Frame

log = logging.getLogger("hotline.console")

router = APIRouter()

AgentDep = Annotated[Caller | AccessDenied, allow_websocket(Role.AGENT, Role.SUPERVISOR)]
SupervisorDep = Annotated[Caller | AccessDenied, allow_websocket(Role.SUPERVISOR)]
# A frame is 160 bytes; a browser that batches a few is fine, a megabyte is not audio.
MAX_AGENT_FRAME = 1600


def _frame_message(track: str, payload: bytes) -> str:
    return json.dumps({"event": "media", "media": {"track": track, "payload": base64.b64encode(payload).decode()}})


def agent_frame(raw: str) -> bytes:
    """The μ-law audio in one of the agent's messages; ValueError saying what is wrong."""
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON: {exc.msg}") from None
    if not isinstance(message, dict) or message.get("event") != "media":
        raise ValueError("expected {'event': 'media', 'media': {'payload': …}}")
    media = message.get("media")
    payload = media.get("payload") if isinstance(media, dict) else None
    if not isinstance(payload, str):
        raise ValueError("media.payload must be base64 text")
    try:
        audio = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("media.payload is not valid base64") from None
    if not audio or len(audio) > MAX_AGENT_FRAME:
        raise ValueError(f"a frame holds 1 to {MAX_AGENT_FRAME} bytes of μ-law, not {len(audio)}")
    return audio


async def _relay(websocket: WebSocket, heard: asyncio.Queue[Frame | None]) -> None:
    """The call's frames to the browser until the call ends."""
    while True:
        frame = await heard.get()
        if frame is None:
            await websocket.send_text(json.dumps({"event": "stop"}))
            return
        await websocket.send_text(_frame_message(*frame))


async def _live_call(websocket: WebSocket, call_sid: str, caller: Caller | AccessDenied) -> tuple[Any, Any] | None:
    """(CallLine, CallSession) of the call, or None once the handshake has been refused (role, or
    no such call on this node)."""
    denied = caller if isinstance(caller, AccessDenied) else None
    live = None if denied else websocket.app.state.services.calls.get(call_sid)
    if denied is None and live is None:
        denied = AccessDenied(404, f"no live call {call_sid!r} on this node")
    if denied is not None:
        await deny(websocket, denied)
        return None
    return live


@router.websocket("/console/calls/{call_sid}/line")
async def agent_line(websocket: WebSocket, call_sid: str, agent: AgentDep) -> None:
    live = await _live_call(websocket, call_sid, agent)
    if live is None or isinstance(agent, AccessDenied):
        return
    line, session = live
    try:
        heard = await session.agent_joins(agent.key_label or agent.role.value)
    except CallTaken as exc:
        await deny(websocket, AccessDenied(409, str(exc)))
        return
    await websocket.accept()
    relay = asyncio.ensure_future(_relay(websocket, heard))
    try:
        while not relay.done():
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                audio = agent_frame(message.get("text") or "")
            except ValueError as exc:
                await websocket.send_text(json.dumps({"event": "error", "detail": str(exc)}))
                continue
            await line.agent_audio(audio)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        relay.cancel()
        await session.agent_leaves()
        await _close_quietly(websocket)


@router.websocket("/console/calls/{call_sid}/listen")
async def listen_in(websocket: WebSocket, call_sid: str, supervisor: SupervisorDep) -> None:
    live = await _live_call(websocket, call_sid, supervisor)
    if live is None:
        return
    line, _ = live
    await websocket.accept()
    log.info("call %s: a supervisor is listening in", call_sid)
    heard = line.listen()
    relay = asyncio.ensure_future(_relay(websocket, heard))
    try:
        while not relay.done():
            receiving = asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({relay, receiving}, return_when=asyncio.FIRST_COMPLETED)
            if receiving not in done:
                receiving.cancel()
                break
            if receiving.result()["type"] == "websocket.disconnect":
                break
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        relay.cancel()
        line.unlisten(heard)
        await _close_quietly(websocket)


async def _close_quietly(websocket: WebSocket) -> None:
    """Close our side unless the browser has gone already (it often has: it hung up)."""
    if websocket.application_state != WebSocketState.CONNECTED:
        return
    try:
        await websocket.close()
    except (RuntimeError, WebSocketDisconnect):
        pass
