"""This node's lines: at most `[server] max_calls` citizen calls served at once, the rest queued.

A call past the limit is answered like any other (the gateway sees an accepted stream speaking the
same protocol), hears LINES_BUSY, and waits first come, first served: its audio is counted and
dropped, never decoded, so a queued caller costs no recognition. The prompt comes again every
`busy_prompt_every_s`. When a served call ends its line passes to the longest waiter, who hears the
greeting and is then served as any call. After `queue_max_wait_s` a waiter hears CALL_BACK_LATER
and the call ends normally; a waiter who hangs up leaves the queue. Either way the call is stored
(route "queue_timeout" or "abandoned", no turns).

Only citizens calling in count: the callback surveys this node dials are limited by `[dialer]
max_calls` and are calls we chose to place, which a citizen's call must not be refused a line for
or make wait. The queue lives in this node's memory, as its live calls do (server/telephony/call_line.py):
each node of several counts its own lines.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from agent import replies
from server.config import ConfigError, Settings
from server.storage import repository
from server.telephony.protocol import CLOSE_PROTOCOL, Event, Mark, Media, ProtocolError, Start, Stop
from server.telephony.speaker import Speaker

if TYPE_CHECKING:  # Services holds this node's LineQueue: importing it here would be circular
    from server.services import Services
    from server.telephony.session import CallSession

log = logging.getLogger("hotline.call")

# The call-back prompt is let play (its mark returned) for at most this long before the line closes.
CALL_BACK_PLAY_S = 15.0


def max_calls(settings: Settings) -> int:
    limit = settings.get("server", "max_calls")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ConfigError(f"server.max_calls must be a whole number, 0 for no limit, not {limit!r}")
    return limit


@dataclass(frozen=True)
class Waiter:
    """A caller waiting for a line, as the console shows them (no number: the queue needs none)."""

    call_sid: str
    arrived_at: datetime
    place: asyncio.Future[None]


class LineQueue:
    """How many calls hold a line, and who waits for one, oldest first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity  # 0: no limit
        self.serving = 0
        self._waiting: deque[Waiter] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def waiters(self) -> list[Waiter]:
        return list(self._waiting)

    def try_take(self) -> bool:
        """A line now, if one is free and nobody waits before us."""
        if self.capacity and (self.serving >= self.capacity or self._waiting):
            return False
        self.serving += 1
        return True

    def join(self, call_sid: str, arrived_at: datetime) -> asyncio.Future[None]:
        """A place at the back of the queue: done when a line is handed to it."""
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(Waiter(call_sid, arrived_at, place))
        return place

    def leave(self, place: asyncio.Future[None]) -> None:
        """A waiter gives up its place; a line handed to it just now goes on to the next."""
        for waiter in self._waiting:
            if waiter.place is place:
                self._waiting.remove(waiter)
                return
        if place.done():
            self.release()

    def release(self) -> None:
        """A served call is over: its line goes to the longest waiter, or is free."""
        if self._waiting:
            self._waiting.popleft().place.set_result(None)  # the line changes hands: `serving` stays
        else:
            self.serving -= 1


class GatedCall:
    """A citizen's call behind the line limit: its CallSession runs at once if a line is free, else
    once one is handed to it. Until then this answers the stream itself."""

    def __init__(self, services: Services, session: CallSession, send_text: Callable[[str], Awaitable[None]],
                 hang_up: Callable[[], Awaitable[None]]) -> None:
        self._services = services
        self._lines: LineQueue = services.lines
        self._session = session
        self._send_text = send_text
        self._hang_up = hang_up
        # new → served (a line at once), or new → queued → admitting (the session begins) → served,
        # or queued → telling (to call back later) → over; queued → over when the caller hangs up.
        self._phase = "new"
        self._start: Start | None = None  # set when queued
        self._arrived = datetime.now(UTC)
        self._speaker: Speaker | None = None  # the queue's prompts
        self._waiter: asyncio.Task[None] | None = None
        self._frames = 0  # frames received while queued
        # Marks that came back while the session was beginning, not the queue's: the greeting's,
        # echoed before the session's start was done. Given to the session once it has begun.
        self._early_marks: list[Mark] = []

    @property
    def label(self) -> str:
        return self._start.call_sid if self._start is not None else self._session.label

    @property
    def state(self) -> object | None:
        """Not None once the call has started, queued or served (media_stream reads it so)."""
        return self._session.state or self._start

    @property
    def ended(self) -> bool:
        return self._phase == "over" or self._session.ended

    async def handle(self, event: Event) -> None:
        if self._phase == "new" and isinstance(event, Start):
            if not self._lines.try_take():
                self._queue(event)
                return
            self._phase = "served"
        if self._phase in ("new", "served"):
            await self._session.handle(event)
            return
        # Queued, or taking a line just handed over: until the session has begun, events are ours.
        if isinstance(event, Start):
            raise ProtocolError(CLOSE_PROTOCOL, "a second 'start' on the same stream")
        if isinstance(event, Media):
            self._frames += 1  # heard by nobody: that is the point of the queue
        elif isinstance(event, Mark):
            returned = self._speaker is not None and self._speaker.mark_returned(event.name)
            if not returned and self._phase == "admitting":
                self._early_marks.append(event)
        elif isinstance(event, Stop):
            await self.end(error=None)

    def _queue(self, start: Start) -> None:
        self._phase, self._start = "queued", start
        self._speaker = Speaker(start.stream_sid, self._send_text, self._services.synthesizer, self._services.run,
                                start.call_sid)
        self._waiter = asyncio.get_running_loop().create_task(
            self._wait_for_line(self._lines.join(start.call_sid, self._arrived))
        )
        self._waiter.add_done_callback(self._waiter_done)
        log.info("call %s queued: all %d lines busy, %d waiting", start.call_sid, self._lines.capacity,
                 self._lines.waiting)

    async def _wait_for_line(self, place: asyncio.Future[None]) -> None:
        settings = self._services.settings
        every = float(settings.get("server", "busy_prompt_every_s"))
        deadline = time.monotonic() + float(settings.get("server", "queue_max_wait_s"))
        speaker, start = self._speaker, self._start
        assert speaker is not None and start is not None
        try:
            while not place.done():
                speaker.say(replies.LINES_BUSY, name="lines-busy")
                left = deadline - time.monotonic()
                await asyncio.wait({place}, timeout=max(0.0, min(every, left)))
                if not place.done() and every >= left:  # this wait ran to the deadline
                    self._lines.leave(place)
                    await self._tell_to_call_back()
                    return
        except asyncio.CancelledError:
            self._lines.leave(place)
            raise
        self._phase = "admitting"
        try:
            await speaker.interrupt()  # the rest of the busy prompt gives way to the greeting
            await self._session.handle(start)
            if self._session.state is not None:
                self._session.state.frames_in += self._frames
            while self._early_marks:  # those that came meanwhile are appended to the list
                await self._session.handle(self._early_marks.pop(0))
        except Exception:
            # The call could not begin (the database, most likely): it ends, and its line is given back.
            log.exception("call %s: could not begin after waiting for a line", start.call_sid)
            self._phase = "served"
            await self.end(error="internal error")
            await self._hang_up()
            return
        self._phase = "served"
        log.info("call %s taken off the queue after %.0f s", start.call_sid,
                 (datetime.now(UTC) - self._arrived).total_seconds())

    def _waiter_done(self, waiter: asyncio.Task[None]) -> None:
        # Nobody awaits the waiter for its result: a failure (storing the call, say) is logged here.
        failed = None if waiter.cancelled() else waiter.exception()
        if failed is not None:
            log.error("call %s: the wait for a line failed: %s: %s", self.label, type(failed).__name__, failed)

    async def _tell_to_call_back(self) -> None:
        speaker = self._speaker
        assert speaker is not None
        self._phase = "telling"
        await speaker.interrupt()
        await speaker.wait(speaker.say(replies.CALL_BACK_LATER, name="call-back-later"))
        played_by = time.monotonic() + CALL_BACK_PLAY_S
        while "call-back-later" not in speaker.heard_marks and time.monotonic() < played_by:
            await asyncio.sleep(0.1)
        await self.end(error=None)
        await self._hang_up()

    async def end(self, error: str | None) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done() and waiter is not asyncio.current_task():
            if self._phase == "admitting":
                await asyncio.wait({waiter})  # the session is beginning: end it once it has
            elif self._phase in ("queued", "telling"):
                waiter.cancel()
                await asyncio.wait({waiter})
        if self._phase == "served":
            self._phase = "over"
            self._lines.release()  # free as soon as the caller is gone: storing the call needs no line
            await self._session.end(error=error)
        elif self._phase == "new":
            await self._session.end(error=error)  # never started: nothing to store
        elif self._phase in ("queued", "telling"):
            timed_out = self._phase == "telling"
            self._phase = "over"
            await self._store_unserved(error, timed_out)

    async def _store_unserved(self, error: str | None, timed_out: bool) -> None:
        start, speaker = self._start, self._speaker
        assert start is not None and speaker is not None
        route = "queue_timeout" if timed_out else "abandoned"
        await asyncio.to_thread(
            repository.store_unserved_call, self._services.engine, start.call_sid, route=route,
            started_at=self._arrived, stream_sid=start.stream_sid,
            caller_number=start.custom_parameters.get("from") or None, heard_marks=speaker.heard_marks, error=error,
        )
        log.info("call %s ended while waiting for a line (%s, %.0f s)", start.call_sid, route,
                 (datetime.now(UTC) - self._arrived).total_seconds())
