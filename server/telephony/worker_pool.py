"""The worker threads that recognition and synthesis share, serving urgent work first.

Three kinds of work, served in this order when several wait:

- URGENT: a caller waits in silence for it (the decode in a pause that decides whether the turn
  is over, the final text, the first sentence of a reply);
- SOON: a caller is listening meanwhile (a reply's later sentences, synthesised while the first
  plays; names respelt after a reply);
- BACKGROUND: nobody waits (partial transcripts while the caller is still speaking).

With several calls at once a plain FIFO pool put one call's pause decode behind another call's
partials, and one caller's first words of a reply behind another's third sentence. Within a kind,
first come, first served; work already running is never interrupted.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

URGENT = 0
SOON = 1
BACKGROUND = 2


class PriorityPool:
    def __init__(self, workers: int, name: str = "hotline-speech") -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], Any] | None, Future | None]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()  # first come, first served within a priority
        self._closed = False
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{index}", daemon=True) for index in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, work: Callable[[], T], priority: int = URGENT) -> Future[T]:
        if self._closed:
            raise RuntimeError("the worker pool is shut down")
        future: Future[T] = Future()
        self._queue.put((priority, next(self._order), work, future))
        return future

    def shutdown(self) -> None:
        """Stop taking work; queued work is cancelled, running work finishes on its own."""
        self._closed = True
        while True:
            try:
                _, _, _, future = self._queue.get_nowait()
            except queue.Empty:
                break
            if future is not None:
                future.cancel()
        for _ in self._threads:
            self._queue.put((BACKGROUND + 1, next(self._order), None, None))

    def _serve(self) -> None:
        while True:
            _, _, work, future = self._queue.get()
            if work is None or future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work()
            except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
                future.set_exception(exc)
            else:
                future.set_result(result)
