"""The surge alert: every few minutes ([dashboard] surge_check_minutes) a node looks at this week's
topics (server/workflow/surges.py) and announces each new surge once per topic per Beijing week.

What was announced is remembered in this process's memory only: a restarted node announces this
week's surges again, and with several nodes each announces its own (a console watching one node
sees each surge once). The announcement itself is handed to `announce`, which the app points at
its live events (`/api/events`); it carries the topic and its counts, never a citizen's details.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine

from server.config import ConfigError, Settings
from server.workflow.surges import TopicRise, topic_rises
from server.workflow.trends import week_start

log = logging.getLogger("hotline.surges")

Announce = Callable[[dict[str, Any]], None]


def surge_event(rise: TopicRise) -> dict[str, Any]:
    return {"topic": rise.topic, "week": rise.week.isoformat(), "orders": rise.orders,
            "baseline_mean": rise.baseline_mean, "baseline_spread": rise.baseline_spread, "rise": rise.rise}


class SurgeAlerts:
    def __init__(self, engine: Engine, announce: Announce, interval_s: float) -> None:
        self._engine = engine
        self._announce = announce
        self._interval_s = interval_s
        self._announced: set[tuple[str, date]] = set()
        self._loop: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, announce: Announce) -> SurgeAlerts | None:
        """The alerts [dashboard] surge_check_minutes asks for; None when it is 0 (no checks)."""
        minutes = settings.get("dashboard", "surge_check_minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes < 0:
            raise ConfigError(f"dashboard.surge_check_minutes must be a number of minutes, 0 or more, not {minutes!r}")
        return cls(engine, announce, minutes * 60) if minutes else None

    def new_surges(self, now: datetime) -> list[TopicRise]:
        """This week's surges not yet announced (from now on counted as announced)."""
        week = week_start(now)
        self._announced = {seen for seen in self._announced if seen[1] == week}  # last week's are done with
        fresh = [rise for rise in topic_rises(self._engine, week)
                 if rise.surge and (rise.topic, week) not in self._announced]
        self._announced.update((rise.topic, week) for rise in fresh)
        return fresh

    async def check(self) -> int:
        fresh = await asyncio.to_thread(self.new_surges, datetime.now(UTC))
        for rise in fresh:
            log.info("surge this week: %s, %d orders against %.1f ± %.1f", rise.topic, rise.orders,
                     rise.baseline_mean, rise.baseline_spread)
            self._announce(surge_event(rise))
        return len(fresh)

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the alerts for good
                log.exception("surge check failed; trying again in %.0f s", self._interval_s)
            await asyncio.sleep(self._interval_s)

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
