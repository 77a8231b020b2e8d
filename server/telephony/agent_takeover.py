"""The part of a call that concerns a human agent (warm transfer): taking the call over from the
seat, the caller's turns while the agent talks, and the agent hanging up. `CallSession`
(server/telephony/session.py) is built on it; the audio itself runs over the call's `CallLine`
(server/telephony/call_line.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from server.telephony.call_line import CallLine

if TYPE_CHECKING:
    from server.services import Services
    from server.telephony.call_state import CallState, SpokenTurn

log = logging.getLogger("hotline.call")


class AgentTakeover:
    # What the session it is part of holds.
    state: CallState | None
    line: CallLine | None
    ended: bool
    _services: Services
    _close_line: Callable[[], Awaitable[None]] | None

    @property
    def label(self) -> str:
        raise NotImplementedError

    def _publish(self, kind: str, **fields: object) -> None:
        raise NotImplementedError

    async def end(self, error: str | None) -> None:
        raise NotImplementedError

    async def _heard_by_agent(
        self, text: str, spoken: SpokenTurn | None, number: int, final_at: datetime, partials: list[dict]
    ) -> None:
        """A turn while an agent has the call: stored as heard, for the agent to answer."""
        state = self.state
        assert state is not None
        index = state.turn_count
        state.turn_count += 1
        state.record.turn(index, text, spoken, final_at, partials, reply=None)

    async def agent_joins(self, agent_name: str) -> asyncio.Queue:
        """The seat stops (what it was saying is cleared) and the caller's audio goes to the agent;
        CallTaken if another agent has the call."""
        assert self.state is not None and self.line is not None
        heard = self.line.take(agent_name)
        await self.state.speaker.interrupt()
        self._publish("agent_joined", agent=agent_name)
        log.info("call %s: taken over by an agent", self.label)
        return heard

    async def agent_leaves(self) -> None:
        """The agent hung up: the call ends, as it would on a human seat's phone."""
        if self.line is None or not self.line.agent_on:
            return
        self.line.release_agent()
        self._publish("agent_left")
        if self.ended:
            return
        await self.end(error=None)
        if self._close_line is not None:
            await self._close_line()
