"""A database outage a test can make: a TCP proxy on the loopback in front of PostgreSQL that,
when cut, closes every connection through it and drops each new one as soon as it is accepted,
until it is let through again. To a client that is the database gone away (a dropped link, a
restarting server), and back."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url


class CuttableProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._cut = False
        self._links: set[socket.socket] = set()
        self.dropped = 0  # connections dropped while cut: clients that tried meanwhile
        threading.Thread(target=self._accept, daemon=True, name="db-proxy").start()

    def url(self, database_url: str) -> str:
        """`database_url` (PostgreSQL on `upstream`) through this proxy."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            links, self._links = self._links, set()
        for link in links:
            _close(link)

    def let_through(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            try:
                server = None if self._cut else socket.create_connection(self._upstream)
            except OSError:
                server = None
            with self._lock:
                if server is None or self._cut:
                    self.dropped += 1
                    for end in (client, server):
                        if end is not None:
                            _close(end)
                    continue
                self._links.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._links.difference_update((source, sink))
        for end in (source, sink):  # one side gone: the other goes too, as over a real link
            _close(end)


def _close(end: socket.socket) -> None:
    try:
        end.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it
    except OSError:
        pass
    end.close()


@contextmanager
def proxy_to(database_url: str) -> Iterator[CuttableProxy]:
    url = make_url(database_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield proxy
    finally:
        proxy.close()
