"""The retention job: every `[recordings] purge_check_minutes` a node deletes the recordings older than
`retention_days` and clears those calls' callers' details and words (server/storage/retention.py
says what is kept and why work orders are not touched).

Every node may run it: each recording and each call is purged once whoever gets to it first, so two
nodes at once only share the work. A node with purge_check_minutes = 0 leaves it to the others.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from server.recording_settings import RecordingSettings
from server.storage.retention import Purged, purge_expired

log = logging.getLogger("hotline.retention")


class RetentionJob:
    def __init__(self, engine: Engine, settings: RecordingSettings) -> None:
        self._engine = engine
        self._settings = settings
        self._loop: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, engine: Engine, settings: RecordingSettings) -> RetentionJob | None:
        """The job `settings` asks for; None when this node is not to run it."""
        return cls(engine, settings) if settings.purge_check_minutes else None

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self._settings.retention_days)

    async def run_once(self) -> Purged:
        cutoff = self.cutoff(datetime.now(UTC))
        purged = await asyncio.to_thread(purge_expired, self._engine, self._settings.directory, cutoff)
        if purged.recordings or purged.calls:
            log.info("retention: %d recordings deleted and %d calls' callers' details cleared (before %s)",
                     purged.recordings, purged.calls, f"{cutoff:%Y-%m-%d %H:%M} UTC")
        return purged

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run())

    async def _run(self) -> None:
        interval_s = self._settings.purge_check_minutes * 60
        while True:
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - a database or disk hiccup must not end retention for good
                log.exception("retention failed; trying again in %.0f s", interval_s)
            await asyncio.sleep(interval_s)

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
