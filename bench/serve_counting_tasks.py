"""`hotline serve` that also tells how many asyncio tasks it has live (for bench/soak_calls.py).

    .venv/bin/python bench/serve_counting_tasks.py TASKS_FILE serve [--port N ...]

The server's app is wrapped in an ASGI layer that, from the lifespan's start, writes
len(asyncio.all_tasks()) to TASKS_FILE every second: nothing in the server reports its tasks, and
its only route open without a key is /healthz, a probe's, which should say nothing of internals.
The wrapper costs the server one task (counted, the same at every reading) and a small file
write a second. A module apart from the soak so the server's process imports nothing of the
callers' side (softphones, their voice detector).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

# The repository in place of bench/, whose metrics.py, callbacks.py … would hide modules of those
# names from anything the server imports.
sys.path[0] = str(Path(__file__).resolve().parents[1])

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


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
            fresh.write_text(str(len(asyncio.all_tasks())))
            fresh.replace(self.path)
            await asyncio.sleep(1)


def main() -> None:
    import server.app
    from server.cli import app as cli

    tasks_file, argv = Path(sys.argv[1]), sys.argv[2:]
    create_app = server.app.create_app

    def counting_app(*args: Any, **kwargs: Any) -> CountingTasks:
        return CountingTasks(create_app(*args, **kwargs), tasks_file)

    # `hotline serve` imports create_app when it runs, so it takes this one.
    server.app.create_app = counting_app  # type: ignore[assignment]
    sys.argv[0] = "hotline"  # its start-up lines name the command to run, as `hotline serve` would
    cli(args=argv, prog_name="hotline")


if __name__ == "__main__":
    main()
