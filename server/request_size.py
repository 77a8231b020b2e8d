"""Refusing request bodies over [server] max_request_bytes with 413 and a JSON reason: a body whose
Content-Length says it is too large before a byte of it is read, and a chunked one (no length
given) as soon as the chunks read pass the limit, so nobody can make the server hold more.

Why our own few lines rather than FastAPI's `max_body_size`: that one answers "Content Too Large"
as plain text from inside each route, where no exception handler can give it our JSON shape.
"""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised from the request's receive channel: FastAPI passes an HTTPException raised while it
    reads a body on to its exception handlers, which answer {"detail": …} with this status."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this server takes ({limit} bytes)")


class RequestSizeLimit:
    """ASGI middleware: 413 for an HTTP request body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        # (A length of thousands of digits is past any limit, and past what int() reads.)
        if declared.isdigit() and (len(declared) > 18 or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Read outside FastAPI's body handling (a middleware, a plain Starlette route).
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = BodyTooLarge(self.max_bytes)
        # Connection: close, as the rest of the body is never read off this connection.
        response = JSONResponse({"detail": refused.detail}, status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)
