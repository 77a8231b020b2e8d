"""The loop on every node that dials due callbacks.

Every `poll_seconds` the node claims what is due (server/workflow/callbacks.claim_due: each due
callback goes to one node), arms each attempt with a one-time token and has the dialler ring it.
What the dialler knows at once (busy, no answer, no such phone) is recorded here; the survey
itself, or the carrier's status callback, records the rest. A node that dies mid-call leaves its
claim to expire, and another node tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from server.config import Settings, node_name
from server.dialer.base import Dialer, Placed, SurveyRing, new_token, token_hash
from server.storage.types import utc_now
from server.workflow.callback_attempts import arm_attempt, note_call_sid
from server.workflow.callbacks import CallbackRules, Outcome, claim_due, finish, held_by

log = logging.getLogger("hotline.dialer")


@dataclass(frozen=True)
class DialingRules:
    """[dialer] in the settings."""

    kind: str = "softphone"
    poll_seconds: float = 5.0
    max_calls: int = 4
    ring_seconds: float = 30.0
    node: str = ""
    stream_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> DialingRules:
        def get(key: str):  # noqa: ANN202
            return settings.get("dialer", key)

        stream_url = get("stream_url") or settings.raw.get("gateway", {}).get("public_url", "")
        if not stream_url:
            stream_url = f"ws://{settings.get('server', 'host')}:{settings.get('server', 'port')}/media-stream"
        return cls(
            kind=str(get("kind")), poll_seconds=float(get("poll_seconds")), max_calls=int(get("max_calls")),
            ring_seconds=float(get("ring_seconds")), node=node_name(settings),
            stream_url=stream_url,
        )


class CallbackScheduler:
    def __init__(
        self,
        engine: Engine,
        dialer: Dialer,
        rules: CallbackRules,
        dialing: DialingRules,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._dialer = dialer
        self._rules = rules
        self._dialing = dialing
        self._clock = clock
        self._placing: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    @property
    def node(self) -> str:
        return self._dialing.node

    async def tick(self) -> int:
        """Claim what is due, as many as there are free lines, and start ringing it; how many.
        A line is busy from the claim until the survey's outcome is recorded (or the claim expires)."""
        now = self._clock()
        under_way = await asyncio.to_thread(held_by, self._engine, self.node, now)
        free = self._dialing.max_calls - max(under_way, len(self._placing))
        if free <= 0:
            return 0
        claimed = await asyncio.to_thread(claim_due, self._engine, self.node, now, self._rules, limit=free)
        for callback in claimed:
            assert callback.id is not None
            task = asyncio.create_task(self._ring(callback.id, callback.phone))
            self._placing.add(task)
            task.add_done_callback(self._placing.discard)
        return len(claimed)

    async def _ring(self, callback_id: int, phone: str) -> None:
        token = new_token()
        attempt_id = await asyncio.to_thread(arm_attempt, self._engine, callback_id, self.node, token_hash(token))
        if attempt_id is None:
            log.info("callback %d: claim lost before dialling", callback_id)
            return
        ring = SurveyRing(callback_id=callback_id, attempt_id=attempt_id, phone=phone, token=token)
        try:
            placed = await self._dialer.place(ring, self._dialing.stream_url)
        except Exception:
            log.exception("callback %d: the %s dialler failed", callback_id, self._dialer.name)
            placed = Placed(Outcome.FAILED, note=f"the {self._dialer.name} dialler failed")
        if placed.call_sid:
            await asyncio.to_thread(note_call_sid, self._engine, attempt_id, placed.call_sid)
        log.info("callback %d attempt %d: %s", callback_id, attempt_id, placed.outcome or "placed")
        if placed.outcome is not None:
            await asyncio.to_thread(
                finish, self._engine, callback_id, node=self.node, outcome=placed.outcome, now=self._clock(),
                rules=self._rules, note=placed.note, attempt_id=attempt_id,
            )

    async def settle(self) -> None:
        """Wait until every call this node started ringing is placed (or failed)."""
        while self._placing:
            await asyncio.gather(*list(self._placing), return_exceptions=True)

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # the database away for a moment must not stop callbacks for good
                log.exception("callbacks: could not claim due callbacks; trying again")
            await asyncio.sleep(self._dialing.poll_seconds)

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
        await self.settle()
        await self._dialer.close()
