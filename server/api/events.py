"""`/api/events`: the WebSocket a console connects to for live call events, as calls publish them
(server/telephony/call_events.py); `?call=CALL_SID` for one call. It sends one JSON object per
event: `{"type": "partial", "call_sid": …, "turn": 2, "confirmed": …, "tentative": …, …}`. Watchers of
all calls also hear what is about no one call: `{"type": "surge", "topic": …, "week": …, "orders": …, …}`
when a topic surges this week (server/workflow/surge_alerts.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from server.access import AccessDenied, Caller, allow_websocket, deny, with_rule
from server.storage.keys import Role
from server.telephony.call_events import CallEvents
from server.telephony.media_stream import gateway_of

router = APIRouter()


# What callers say as they say it: for the seats and those who run them.
WatcherDep = Annotated[Caller | AccessDenied, allow_websocket(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)]
LineDep = Annotated[Caller | AccessDenied, with_rule(gateway_of, (Role.GATEWAY,))]


@router.websocket("/api/events")
async def call_events(websocket: WebSocket, watcher: WatcherDep, call: str | None = None) -> None:
    if isinstance(watcher, AccessDenied):
        await deny(websocket, watcher)
        return
    await _stream(websocket, call)


@router.websocket("/media-stream/events/{call_sid}")
async def own_call_events(websocket: WebSocket, call_sid: str, line: LineDep) -> None:
    """One call's events for whoever may place it: the browser phone shows its own call's words
    and the order being filled. The rule is /media-stream's: a line open to this machine, or a
    gateway key."""
    if isinstance(line, AccessDenied):
        await deny(websocket, line)
        return
    await _stream(websocket, call_sid)


async def _stream(websocket: WebSocket, call: str | None) -> None:
    await websocket.accept()
    events: CallEvents = websocket.app.state.services.events
    queue = events.watch(call)
    closed = asyncio.ensure_future(_closed(websocket))
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
            if closed in done:
                getter.cancel()
                return
            await websocket.send_text(json.dumps(getter.result(), ensure_ascii=False))
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        events.unwatch(queue)
        closed.cancel()


async def _closed(websocket: WebSocket) -> None:
    """Watchers only listen; anything they send is ignored until they hang up."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return
