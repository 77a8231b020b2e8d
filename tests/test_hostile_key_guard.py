"""The count of wrong keys by address (server/key_guard.py) over time: the window, the wait it
names, the same key counted once, and a bounded memory. Over a real socket: test_hostile_http.py."""

from __future__ import annotations

from server import key_guard
from server.key_guard import FailedKeyChecks


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_waits_until_its_oldest_wrong_keys_age_out() -> None:
    clock = Clock()
    guard = FailedKeyChecks(limit=3, window_s=600, clock=clock)
    guard.failed("10.0.0.1", "hk_a")
    clock.now += 100
    guard.failed("10.0.0.1", "hk_b")
    guard.failed("10.0.0.1", "hk_b")  # the same key again: still two
    assert guard.retry_after("10.0.0.1") is None
    clock.now += 100
    guard.failed("10.0.0.1", "hk_c")
    # Three different wrong keys: refused until the first (600 s old at t+600) ages out.
    assert guard.retry_after("10.0.0.1") == 400
    assert guard.retry_after("10.0.0.2") is None
    clock.now += 400.5
    assert guard.retry_after("10.0.0.1") is None
    guard.failed("10.0.0.1", "hk_d")
    assert guard.retry_after("10.0.0.1") == 100  # now hk_b is the oldest of three
    clock.now += 10_000
    assert guard.retry_after("10.0.0.1") is None


def test_the_addresses_remembered_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(key_guard, "MAX_CLIENTS", 50)
    guard = FailedKeyChecks(limit=1, window_s=600)
    for n in range(200):
        guard.failed(f"10.0.{n // 256}.{n % 256}", "hk_x")
    assert guard.retry_after("10.0.0.199") is not None  # the latest are kept
    assert guard.retry_after("10.0.0.0") is None  # the first forgotten
    assert len(guard._failures) == 50
