"""One call's database writes, applied in the order they were made by one task of the call's own,
each retried while the database cannot be reached, so that the dialogue never waits for the
database and an outage loses nothing.

The writes run in a thread of the call's own: a database that hangs holds up that call's writes,
never the threads the seat and the other calls answer in.

A write that fails because the database is unreachable (connection refused or dropped, a pool
timeout, SQLite busy) is tried again, backing off from a quarter of a second to five, until it
succeeds; the writes after it wait their turn, so the stored call is always a prefix of the call.
A write that fails for any other reason (a bug) is logged and skipped: it would fail again. If the
database stays away for `give_up_s` the call's writes are given up, the rest of them refused: the
stored prefix, with the seat's last stored draft, is what the recovery sweep files
(server/workflow/recovery.py) once the database is back.

Nothing a caller said goes into the log: a write is named by what it is ("turn", "end"), and a
failure by its kind and the driver's first line (which never holds the values written).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("hotline.call")

T = TypeVar("T")

FIRST_RETRY_S = 0.25
LONGEST_RETRY_S = 5.0


class WritesGivenUp(Exception):
    """The database stayed unreachable longer than the call's writes are retried."""


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached (worth trying again), rather than
    that the write itself is wrong."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | psycopg.OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def described(exc: BaseException) -> str:
    """The failure without the statement or its values: its kind and the driver's first line."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


@dataclass
class _Write:
    what: str
    work: Callable[[], Any]
    done: asyncio.Future[Any]


class CallWrites:
    def __init__(self, label: str, give_up_s: float) -> None:
        self._label = label
        self._give_up_s = give_up_s
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._last: asyncio.Future[Any] | None = None
        self.given_up = False
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline-call-writes")
        self._task = asyncio.create_task(self._apply_all())

    def put(self, what: str, work: Callable[[], T]) -> asyncio.Future[T]:
        """Queue `work` (run in a thread); the future has its result once it is stored, or the
        exception that stopped it (the writer has logged it already)."""
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_seen)
        if self.given_up:
            done.set_exception(WritesGivenUp(f"{what}: the call's writes were given up"))
            return done
        self._queue.put_nowait(_Write(what, work, done))
        self._last = done
        return done

    async def settled(self, timeout_s: float) -> bool:
        """Wait until every write queued so far is stored (True), or `timeout_s` (False: the
        database is slow or away, and the writes go on meanwhile)."""
        last = self._last
        if last is None or last.done():
            return True
        done, _ = await asyncio.wait({last}, timeout=timeout_s)
        return bool(done)

    async def close(self) -> bool:
        """Store what is queued (retrying while the database is away, up to the give-up time) and
        stop; whether everything was stored."""
        self._queue.put_nowait(None)
        try:
            await self._task
        finally:
            self._thread.shutdown(wait=False)
        return not self.given_up

    async def _apply_all(self) -> None:
        while (write := await self._queue.get()) is not None:
            if self.given_up:
                write.done.set_exception(WritesGivenUp(f"{write.what}: the call's writes were given up"))
                continue
            try:
                write.done.set_result(await self._apply(write))
            except WritesGivenUp as exc:
                self.given_up = True
                log.error("call %s: the database was unreachable for %.0f s; the call's writes from its %s on "
                          "are given up (the recovery sweep files its last stored draft)",
                          self._label, self._give_up_s, write.what)
                write.done.set_exception(exc)
            except Exception as exc:  # noqa: BLE001 - one wrong write must not stop the call's others
                log.error("call %s: its %s could not be stored: %s", self._label, write.what, described(exc),
                          exc_info=not isinstance(exc, SQLAlchemyError))  # SQL errors carry values
                write.done.set_exception(exc)

    async def _apply(self, write: _Write) -> Any:
        failing_since: float | None = None
        delay = FIRST_RETRY_S
        while True:
            try:
                result = await asyncio.get_running_loop().run_in_executor(self._thread, write.work)
            except Exception as exc:
                if not unreachable(exc):
                    raise
                now = time.monotonic()
                if failing_since is None:
                    failing_since = now
                    log.warning("call %s: database unreachable (%s); its %s is kept and retried",
                                self._label, described(exc), write.what)
                if now - failing_since >= self._give_up_s:
                    raise WritesGivenUp(write.what) from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, LONGEST_RETRY_S)
                continue
            if failing_since is not None:
                log.warning("call %s: database reachable again; its %s is stored after %.1f s",
                            self._label, write.what, time.monotonic() - failing_since)
            return result


def _seen(done: asyncio.Future[Any]) -> None:
    # Most writes are not awaited: their failure is logged by the writer, not again by asyncio.
    if not done.cancelled():
        done.exception()
