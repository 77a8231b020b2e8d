"""Memory a call freed is given back to the system once the call is over (glibc's malloc_trim).

A call allocates large buffers for a while: its audio, the recogniser's features, the alignment
that reads a number again, the voice's samples. glibc keeps freed memory in its arenas and gives
back only what sits at the top of one; a buffer freed below memory still in use stays resident.
Over a soak of 45 calls (bench/soak_calls.py) the heap in use stayed near 600 MiB while the
memory freed but kept grew from 370 to 770 MiB, and resident memory with it. malloc_trim(0)
releases the free pages inside the arenas too (madvise), so resident memory follows what is in
use. It walks every arena under their locks, so it runs in a thread, one at a time, and not more
often than MIN_INTERVAL_S (two calls ending together trim once).

On a C library without malloc_trim (musl, macOS) this does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 5.0


def _find_malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_malloc_trim = _find_malloc_trim()
_trimming = False  # a flag, not an asyncio.Lock: the servers of one process may run in several loops
_last_trim = 0.0


def trim_now() -> bool:
    """Give freed memory back at once (blocking); whether the C library could."""
    if _malloc_trim is None:
        return False
    _malloc_trim(0)
    return True


async def after_call() -> None:
    """Once a call is over: give back what it freed, in a thread, unless a trim is under way or
    one ran less than MIN_INTERVAL_S ago."""
    global _trimming, _last_trim
    if _malloc_trim is None or _trimming or time.monotonic() - _last_trim < MIN_INTERVAL_S:
        return
    _trimming = True
    try:
        started = time.monotonic()
        await asyncio.to_thread(trim_now)
        _last_trim = time.monotonic()
        log.debug("heap trimmed after a call in %.3f s", _last_trim - started)
    finally:
        _trimming = False
