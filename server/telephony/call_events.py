"""Live call events for whoever watches calls (the agent console): partial and final transcripts,
replies, barge-ins, call start and end.

`CallEvents` is an in-process fan-out: each watcher gets its own bounded queue, and a watcher
that falls behind loses its oldest events rather than slowing a call down. `/api/events` is the
WebSocket a console connects to (`?call=CALL_SID` for one call); it sends one JSON object per
event: `{"type": "partial", "call_sid": …, "turn": 2, "confirmed": …, "tentative": …, …}`.
Events are not stored here: what lasts (finals, replies, partials) is stored with the turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

log = logging.getLogger("hotline.events")

QUEUE_LIMIT = 1000


class CallEvents:
    def __init__(self) -> None:
        self._watchers: set[tuple[asyncio.Queue[dict[str, Any]], str | None]] = set()

    def publish(self, call_sid: str, kind: str, **fields: Any) -> None:
        """Hand an event to every watcher of this call (call from the event loop)."""
        event = {"type": kind, "call_sid": call_sid, "at": datetime.now(UTC).isoformat(), **fields}
        for queue, only in self._watchers:
            if only is not None and only != call_sid:
                continue
            if queue.full():
                queue.get_nowait()  # a slow watcher loses its oldest event, never the call its audio
            queue.put_nowait(event)

    def watch(self, call_sid: str | None = None) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_LIMIT)
        self._watchers.add((queue, call_sid))
        return queue

    def unwatch(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._watchers = {entry for entry in self._watchers if entry[0] is not queue}

    @property
    def watchers(self) -> int:
        return len(self._watchers)


router = APIRouter()


@router.websocket("/api/events")
async def call_events(websocket: WebSocket, call: str | None = None) -> None:
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
