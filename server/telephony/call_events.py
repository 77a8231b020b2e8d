"""Live call events for whoever watches calls (the agent console): partial and final transcripts,
replies, barge-ins, call start and end; and notices about no one call (a topic surging this week).

`CallEvents` is an in-process fan-out: each watcher gets its own bounded queue, and a watcher
that falls behind loses its oldest events rather than slowing a call down. Calls publish through
`services.events`; `/api/events` (server/api/events.py) is the WebSocket a console watches them on.
Events are not stored here: what lasts (finals, replies, partials) is stored with the turn.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, TypeVar

from agent.types import CallOutcome

log = logging.getLogger("hotline.events")

QUEUE_LIMIT = 1000

T = TypeVar("T")


class CallEvents:
    def __init__(self) -> None:
        self._watchers: set[tuple[asyncio.Queue[dict[str, Any]], str | None]] = set()

    def publish(self, call_sid: str, kind: str, **fields: Any) -> None:
        """Hand an event to every watcher of this call (call from the event loop)."""
        event = {"type": kind, "call_sid": call_sid, "at": datetime.now(UTC).isoformat(), **fields}
        for queue, only in self._watchers:
            if only is None or only == call_sid:
                put_dropping_oldest(queue, event)

    def announce(self, kind: str, **fields: Any) -> None:
        """Hand an event about no one call to every watcher of all calls (call from the event loop)."""
        event = {"type": kind, "at": datetime.now(UTC).isoformat(), **fields}
        for queue, only in self._watchers:
            if only is None:
                put_dropping_oldest(queue, event)

    def watch(self, call_sid: str | None = None) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_LIMIT)
        self._watchers.add((queue, call_sid))
        return queue

    def unwatch(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._watchers = {entry for entry in self._watchers if entry[0] is not queue}

    @property
    def watchers(self) -> int:
        return len(self._watchers)


def put_dropping_oldest(queue: asyncio.Queue[T], item: T) -> None:
    """Queue `item`; a full queue loses its oldest item first: a slow watcher or listener falls
    behind, never the call it watches."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)


def reading_of(outcome: CallOutcome) -> dict[str, Any]:
    """The seat's reading of a call so far, as the `reading` event carries it: what the console and
    the browser phone show beside the words (the order being filled)."""
    caller, order = outcome.caller, outcome.work_order
    return {
        "category": outcome.category, "route": outcome.route, "topic": outcome.topic,
        "kb_article": outcome.kb_article, "urgent": outcome.urgent, "police": outcome.police,
        "handoff_reason": outcome.handoff_reason,
        "district": caller.district, "street": caller.street, "address": caller.address,
        "caller_name": caller.caller_name, "phone": caller.phone,
        "summary": order.summary if order is not None else None,
    }
