"""Keys a caller presses, gathered into entries as a phone menu does: `#` closes an entry, `*`
starts it again, and an entry left without `#` counts after a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class KeypadEntry:
    def __init__(self, timeout_s: float, on_entry: Callable[[str], None]) -> None:
        self._timeout_s = timeout_s
        self._on_entry = on_entry  # called with each finished entry (never an empty one)
        self._keys: list[str] = []
        self._timer: asyncio.TimerHandle | None = None

    def press(self, key: str) -> None:
        self._stop_timer()
        if key == "#":
            self._finish()
        elif key == "*":
            self._keys.clear()  # the caller starts the entry again
        else:
            self._keys.append(key)
            self._timer = asyncio.get_running_loop().call_later(self._timeout_s, self._finish)

    def close(self) -> str | None:
        """The call is over: the entry being typed, if any, with no more waiting for it."""
        self._stop_timer()
        entry, self._keys = "".join(self._keys), []
        return entry or None

    def _finish(self) -> None:
        self._timer = None
        entry, self._keys = "".join(self._keys), []
        if entry:
            self._on_entry(entry)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
