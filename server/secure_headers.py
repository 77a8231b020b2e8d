"""Headers that tell browsers what our responses may do: every response is read only as the type it
declares (nosniff); pages load scripts, styles, images and connections from this server alone
(CSP), are never framed by another site, and name only this site to others in a Referer.

The pages' scripts are all files under /static/ (no inline <script>, no eval), so script-src is
'self' alone. Style attributes are allowed: ECharts writes its tooltips as HTML with inline style
attributes; a style attribute runs no script, and <style> blocks stay refused. FastAPI's own API
documentation (/docs, /redoc) is an inline script loading Swagger UI from a CDN: it gets the other
headers but no CSP, or it could not work at all.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self'",
    "connect-src 'self'",  # fetch and the pages' WebSockets (ws: to the page's own host)
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
FRAMEWORK_DOCS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    "Referrer-Policy": "same-origin",
}


class SecureHeaders:
    """ASGI middleware: nosniff on every HTTP response, and the page headers on HTML ones."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in PAGE_HEADERS.items():
                        headers[name] = value
                    if scope["path"] in FRAMEWORK_DOCS:
                        del headers["Content-Security-Policy"]
            await send(message)

        await self.app(scope, receive, send_with_headers)
