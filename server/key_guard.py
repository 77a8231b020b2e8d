"""Slowing down key guessing: a client address that presented too many different wrong keys
(bearer keys, session cookies, keys typed at /login) within a window is refused every key check
until the oldest of them ages out ([server] failed_key_limit, failed_key_window_s).

Refused means refused before the check: were a good key still let through, a refused guesser would
tell a hit (200) from a miss (429) and go on at full speed. So a client sharing an address with a
guesser (behind one proxy) waits too; clients at other addresses never do. Keys that work are
never counted. The count is in memory, per server node: a guesser spreading over N nodes gets
N times the tries, which for keys of 256 random bits changes nothing that matters.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

# How many client addresses are remembered; past it the one seen longest ago is forgotten, so a
# flood from ever new addresses cannot grow this without bound.
MAX_CLIENTS = 10_000

log = logging.getLogger("hotline.access")


class FailedKeyChecks:
    """Wrong keys by client address. Thread-safe: key checks run in FastAPI's worker threads."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        # client → {digest of a wrong key → when it was last presented}
        self._failures: OrderedDict[str, dict[bytes, float]] = OrderedDict()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds `client` must wait before its next key check, or None when it may go on."""
        with self._lock:
            recent = self._recent(client)
            if len(recent) < self._limit:
                return None
            # One more check is allowed once all but limit - 1 of the wrong keys have aged out.
            times = sorted(recent.values())
            wait = times[len(times) - self._limit] + self._window_s - self._clock()
            return max(1, math.ceil(wait))

    def failed(self, client: str, key: str) -> None:
        """`client` presented `key`, which opened nothing. Only a digest of it is kept."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            recent = self._recent(client)
            if digest not in recent and len(recent) + 1 == self._limit:
                log.warning("%d different wrong keys from %s within %d s: its key checks are refused for a while",
                            self._limit, client, self._window_s)
            recent[digest] = self._clock()
            self._failures[client] = recent
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)

    def _recent(self, client: str) -> dict[bytes, float]:
        """The client's wrong keys still inside the window (older ones are dropped here)."""
        since = self._clock() - self._window_s
        recent = {digest: at for digest, at in self._failures.get(client, {}).items() if at > since}
        if recent:
            self._failures[client] = recent
        else:
            self._failures.pop(client, None)
        return recent
