"""The shared worker pool serves queued urgent work before background work."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError

import pytest

from server.telephony.worker_pool import BACKGROUND, SOON, URGENT, PriorityPool


def _busy(pool: PriorityPool) -> threading.Event:
    """Occupy the pool's only worker until the returned event is set."""
    release, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    pool.submit(hold)
    assert started.wait(10)
    return release


def test_urgent_work_queued_later_runs_before_background_work() -> None:
    pool = PriorityPool(1)
    order: list[str] = []
    release = _busy(pool)
    futures = [
        pool.submit(lambda: order.append("partial 1"), BACKGROUND),
        pool.submit(lambda: order.append("third sentence"), SOON),
        pool.submit(lambda: order.append("partial 2"), BACKGROUND),
        pool.submit(lambda: order.append("pause decode"), URGENT),
        pool.submit(lambda: order.append("first sentence"), URGENT),
    ]
    release.set()
    for future in futures:
        future.result(10)
    assert order == ["pause decode", "first sentence", "third sentence", "partial 1", "partial 2"]
    pool.shutdown()


def test_results_and_errors_reach_the_caller() -> None:
    pool = PriorityPool(2)
    assert pool.submit(lambda: 6 * 7).result(10) == 42

    def fail() -> None:
        raise ValueError("bad audio")

    with pytest.raises(ValueError, match="bad audio"):
        pool.submit(fail, BACKGROUND).result(10)
    # The worker that ran the failing work is still there for the next.
    assert [pool.submit(lambda n=n: n).result(10) for n in range(4)] == [0, 1, 2, 3]
    pool.shutdown()


def test_shutdown_cancels_queued_work_and_refuses_more() -> None:
    pool = PriorityPool(1)
    release = _busy(pool)
    queued = pool.submit(lambda: "never", BACKGROUND)
    pool.shutdown()
    release.set()
    with pytest.raises(CancelledError):
        queued.result(10)
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(lambda: None)
