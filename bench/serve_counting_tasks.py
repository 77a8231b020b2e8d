"""`hotline serve` that also tells how many asyncio tasks it has live (for bench/soak_calls.py).

    .venv/bin/python bench/serve_counting_tasks.py TASKS_FILE serve [--port N ...]

The server's app is wrapped in an ASGI layer that, from the lifespan's start, writes to TASKS_FILE
every second, as JSON: len(asyncio.all_tasks()), the Python objects' blocks allocated
(sys.getallocatedblocks) and glibc's heap, in use and free (mallinfo2). RSS alone cannot tell a
leak of Python objects from one in native code (the recogniser, the voice) or from memory freed
but kept by the allocator in pieces it cannot give back. On SIGUSR1 it writes a census of the
live objects by type (.census beside TASKS_FILE); on SIGUSR2 it trims glibc's heap (malloc_trim)
and says so (.trimmed). Nothing in the server reports these, and
its only route open without a key is /healthz, a probe's, which should say nothing of internals.
The wrapper costs the server one task (counted, the same at every reading) and a small file
write a second. A module apart from the soak so the server's process imports nothing of the
callers' side (softphones, their voice detector).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import signal
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

# The repository in place of bench/, whose metrics.py, callbacks.py … would hide modules of those
# names from anything the server imports.
sys.path[0] = str(Path(__file__).resolve().parents[1])

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class MallInfo2(ctypes.Structure):
    """glibc's struct mallinfo2 (2.33 and later), every field a size_t."""

    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def heap_figures() -> dict[str, int]:
    """glibc's heap in KiB: in use (uordblks, the arenas' chunks handed out), free but kept
    (fordblks) and mmapped (hblkhd, large blocks, given back when freed); {} off glibc."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return {"heap_used_kib": info.uordblks // 1024, "heap_free_kib": info.fordblks // 1024,
            "mmapped_kib": info.hblkhd // 1024}


def write_census(path: Path) -> None:
    """How many live objects of each type the collector tracks, to `path` as JSON (the benchmark
    asks for it with SIGUSR1 when the server is idle: it walks every object, a second or so)."""
    census = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    fresh = path.with_suffix(".new")
    fresh.write_text(json.dumps(dict(census)))
    fresh.replace(path)


def trim_heap() -> None:
    """glibc's malloc_trim(0): gives back to the system the free room at the top of every arena
    and the free pages inside them. What RSS drops by was free but kept, not in use."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def answer_signals(tasks_file: Path) -> None:
    """SIGUSR1: a census of objects beside TASKS_FILE (.census); SIGUSR2: trim the heap, then
    write TASKS_FILE's .trimmed so the benchmark knows when to read the memory again."""
    signal.signal(signal.SIGUSR1, lambda *_: write_census(tasks_file.with_suffix(".census")))

    def trim(*_: object) -> None:
        trim_heap()
        tasks_file.with_suffix(".trimmed").write_text("1")

    signal.signal(signal.SIGUSR2, trim)


class CountingTasks:
    """The server's ASGI app, and beside it a task that writes how many tasks are live, every
    second, to a file the benchmark reads (replaced whole, so never read half-written)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], path: Path) -> None:
        self.app = app
        self.path = path
        self.counter: asyncio.Task[None] | None = None  # held, or the loop could drop it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.counter is None:  # the first call is the lifespan's, in the server's loop
            self.counter = asyncio.create_task(self._count())
        await self.app(scope, receive, send)

    async def _count(self) -> None:
        fresh = self.path.with_suffix(".new")
        while True:
            figures = {"tasks": len(asyncio.all_tasks()), "py_blocks": sys.getallocatedblocks(), **heap_figures()}
            fresh.write_text(json.dumps(figures))
            fresh.replace(self.path)
            await asyncio.sleep(1)


def main() -> None:
    import server.app
    from server.cli import app as cli

    tasks_file, argv = Path(sys.argv[1]), sys.argv[2:]
    answer_signals(tasks_file)
    create_app = server.app.create_app

    def counting_app(*args: Any, **kwargs: Any) -> CountingTasks:
        return CountingTasks(create_app(*args, **kwargs), tasks_file)

    # `hotline serve` imports create_app when it runs, so it takes this one.
    server.app.create_app = counting_app  # type: ignore[assignment]
    sys.argv[0] = "hotline"  # its start-up lines name the command to run, as `hotline serve` would
    cli(args=argv, prog_name="hotline")


if __name__ == "__main__":
    main()
