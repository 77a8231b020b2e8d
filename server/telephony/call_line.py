"""Who else is on a call besides the caller and the seat, and the node's list of its live calls.

A human agent can take a call over (warm transfer): from then on the seat says nothing more, the
caller's audio goes to the agent's browser and the agent's microphone to the caller, as 20 ms μ-law
frames in the media-stream protocol's own `media` messages. A supervisor can listen in on any live
call: both directions, each frame marked with its `track` (`inbound`: the caller; `outbound`: the
seat or the agent). The turns go on being transcribed and stored while the agent talks.

Each listener has a bounded queue and loses its oldest frames when it falls behind, so a slow
browser never holds up a call. Live calls are in the memory of the node that answered them: the
console reaches a call through that node.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.telephony.call_events import put_dropping_oldest
from server.telephony.protocol import media_message

# About 10 s of 20 ms frames: a listener further behind than that has lost the moment anyway.
QUEUE_FRAMES = 500

Frame = tuple[str, bytes]  # (track, μ-law payload)


class CallTaken(Exception):
    """Another agent already has the call."""


@dataclass(eq=False)
class CallLine:
    call_sid: str
    stream_sid: str
    send_text: Callable[[str], Awaitable[None]]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    agent_name: str | None = None
    reading: dict[str, Any] = field(default_factory=dict)  # the seat's latest reading, brief included
    heard: dict[int, str] = field(default_factory=dict)  # the caller's turns so far, by number
    _agent: asyncio.Queue[Frame | None] | None = None
    _listeners: set[asyncio.Queue[Frame | None]] = field(default_factory=set)

    @property
    def agent_on(self) -> bool:
        return self._agent is not None

    def caller_words(self) -> list[str]:
        return [self.heard[n] for n in sorted(self.heard)]

    # ---- audio -------------------------------------------------------------------------------

    def caller_audio(self, payload: bytes) -> None:
        if self._agent is not None:
            put_dropping_oldest(self._agent, ("inbound", payload))
        for queue in self._listeners:
            put_dropping_oldest(queue, ("inbound", payload))

    def sent_to_caller(self, message: str) -> None:
        """What the seat sent the caller, for those listening in (only media carries sound)."""
        if not self._listeners or '"media"' not in message:
            return
        try:
            payload = base64.b64decode(json.loads(message)["media"]["payload"])
        except (ValueError, KeyError, TypeError):
            return
        for queue in self._listeners:
            put_dropping_oldest(queue, ("outbound", payload))

    async def agent_audio(self, payload: bytes) -> None:
        await self.send_text(media_message(self.stream_sid, payload))
        for queue in self._listeners:
            put_dropping_oldest(queue, ("outbound", payload))

    # ---- who is on the line ------------------------------------------------------------------

    def take(self, agent_name: str) -> asyncio.Queue[Frame | None]:
        """The agent's ear on the call: the caller's frames; CallTaken if someone has it already."""
        if self._agent is not None:
            raise CallTaken(f"call {self.call_sid} is already taken by {self.agent_name}")
        self._agent = asyncio.Queue(QUEUE_FRAMES)
        self.agent_name = agent_name
        return self._agent

    def release_agent(self) -> None:
        self._agent = None

    def listen(self) -> asyncio.Queue[Frame | None]:
        queue: asyncio.Queue[Frame | None] = asyncio.Queue(QUEUE_FRAMES)
        self._listeners.add(queue)
        return queue

    def unlisten(self, queue: asyncio.Queue[Frame | None]) -> None:
        self._listeners.discard(queue)

    def hang_up(self) -> None:
        """The call is over: whoever is on the line is told (None) and let go."""
        for queue in [self._agent, *self._listeners]:
            if queue is not None:
                put_dropping_oldest(queue, None)
        self._agent = None
        self._listeners.clear()


class LiveCalls:
    """This node's calls in progress, by call sid, each with what the session does for an agent."""

    def __init__(self) -> None:
        self._calls: dict[str, tuple[CallLine, Any]] = {}

    def add(self, line: CallLine, session: Any) -> None:
        self._calls[line.call_sid] = (line, session)

    def remove(self, call_sid: str) -> None:
        self._calls.pop(call_sid, None)

    def get(self, call_sid: str) -> tuple[CallLine, Any] | None:
        return self._calls.get(call_sid)

    def lines(self) -> list[CallLine]:
        return sorted((line for line, _ in self._calls.values()), key=lambda line: line.started_at)
