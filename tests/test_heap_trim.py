"""Freed memory given back after a call (server/heap_trim.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server import heap_trim

pytestmark = pytest.mark.skipif(heap_trim._malloc_trim is None, reason="the C library has no malloc_trim")


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_memory_freed_below_memory_in_use_goes_back_to_the_system() -> None:
    # 64 KiB blocks come from glibc's heap, not mmap; keeping every eighth leaves the freed ones
    # as holes under live memory, which glibc keeps resident until trimmed.
    blocks = [bytearray(64 * 1024) for _ in range(4000)]  # 250 MiB, each page touched (zeroed)
    kept = blocks[::8]
    del blocks
    before = resident_kib()
    assert heap_trim.trim_now()
    after = resident_kib()
    assert before - after > 100 * 1024, (before, after)
    assert len(kept) == 500


def test_calls_ending_together_trim_once(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []

    def counting_trim(pad: int) -> int:
        trims.append(pad)
        return 1

    monkeypatch.setattr(heap_trim, "_malloc_trim", counting_trim)
    monkeypatch.setattr(heap_trim, "_last_trim", 0.0)

    async def calls_end() -> None:
        await asyncio.gather(*(heap_trim.after_call() for _ in range(5)))
        await heap_trim.after_call()  # within MIN_INTERVAL_S of the first: not again

    asyncio.run(calls_end())
    assert trims == [0]

    monkeypatch.setattr(heap_trim, "MIN_INTERVAL_S", 0.0)
    asyncio.run(heap_trim.after_call())
    assert trims == [0, 0]
