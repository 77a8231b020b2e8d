"""Who may use which route: every request and WebSocket carries a key, each key has a role
(server/storage/keys.py), and each route names the roles it admits.

A key travels as `Authorization: Bearer <key>`, or, from a browser, as the session cookie a login
with it opened (server/storage/web_sessions.py). No key, or one unknown or revoked, is 401; a key
whose role the route does not admit is 403, as is a unit's key on another unit's order (the route
checks that with `Caller.may_see_unit`). A cookie is sent by the browser whoever asked for the
request, so a request it carries that changes something must also carry the session's CSRF token
(`X-CSRF-Token`), and a WebSocket it opens must come from a page of this server (its Origin).
An address that presented too many different wrong keys is refused key checks for a while, 429
with Retry-After (server/key_guard.py).
Every route declares its rule through `allow(...)` or
`public()`; tests read the rules off the app's route table, so a route without one fails them.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request, WebSocket
from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection

from server.key_guard import FailedKeyChecks
from server.storage.keys import Role, find_key
from server.storage.models import ApiKey
from server.storage.web_sessions import find_session

log = logging.getLogger("hotline.access")

# Read by tests off each route's dependencies: the roles it admits (empty: no key needed).
RULE_ATTRIBUTE = "hotline_roles"
SESSION_COOKIE = "hotline_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """Whoever made the request: the role of their key, and for a unit which one."""

    role: Role
    unit: str | None = None
    key_id: int | None = None  # None: admitted without a key (an open gateway)
    key_label: str = ""  # who, in a change's history: the label the key was made with
    csrf_token: str | None = None  # set when a browser session carried the key

    @classmethod
    def of_key(cls, row: ApiKey, csrf_token: str | None = None) -> Caller:
        """Whoever holds key `row` (through a browser session when `csrf_token` is given)."""
        return cls(role=Role(row.role), unit=row.unit, key_id=row.id, key_label=row.label or row.prefix,
                   csrf_token=csrf_token)

    @property
    def actor(self) -> str:
        """How an order's history names whoever took a step: the role and the key's id (never a
        person's name)."""
        return f"{self.role.value}:{self.key_id}"

    def may_see_unit(self, unit: str | None, co_unit: str | None = None) -> bool:
        """A unit sees the orders it handles, alone or as the co-handling unit; other roles see all."""
        return self.role != Role.UNIT or (self.unit is not None and self.unit in (unit, co_unit))


class AccessDenied(Exception):
    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after  # 429: seconds until key checks are taken again

    @property
    def headers(self) -> dict[str, str] | None:
        if self.status == 401:
            return {"WWW-Authenticate": "Bearer"}
        if self.retry_after is not None:
            return {"Retry-After": str(self.retry_after)}
        return None


def bearer_key(connection: HTTPConnection) -> str | None:
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def same_origin(connection: HTTPConnection) -> bool:
    """Whether a browser's request came from one of our own pages (its Origin names this host)."""
    origin = connection.headers.get("origin", "")
    host = connection.headers.get("host", "")
    return bool(origin) and origin.split("://", 1)[-1] == host


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


def guessing_wait(connection: HTTPConnection) -> int | None:
    """Seconds the connection's address must wait for its next key check (it presented too many
    wrong keys lately), or None."""
    guard: FailedKeyChecks = connection.app.state.failed_keys
    return guard.retry_after(client_address(connection))


def key_failed(connection: HTTPConnection, key: str) -> None:
    guard: FailedKeyChecks = connection.app.state.failed_keys
    guard.failed(client_address(connection), key)


def identify(connection: HTTPConnection, roles: tuple[Role, ...]) -> Caller:
    """The caller behind `connection` if its key admits it to a route for `roles`; AccessDenied if not."""
    engine = connection.app.state.engine
    key = bearer_key(connection)
    cookie = connection.cookies.get(SESSION_COOKIE, "")
    csrf_token = None
    if (key is not None or cookie) and (wait := guessing_wait(connection)) is not None:
        raise AccessDenied(429, f"too many wrong keys from this address: try again in {wait} s", retry_after=wait)
    if key is not None:
        row = find_key(engine, key)
        if row is None:
            key_failed(connection, key)
            raise AccessDenied(401, "unknown or revoked key")
    else:
        opened = find_session(engine, cookie)
        if opened is None:
            if cookie:  # a session ended or never opened: as wrong as a bad key
                key_failed(connection, cookie)
            raise AccessDenied(401, "this needs a key: send it as 'Authorization: Bearer <key>', or log in at /login")
        row, csrf_token = opened.key, opened.csrf_token
        if connection.scope["type"] == "websocket":
            if not same_origin(connection):
                raise AccessDenied(403, "a logged-in browser may open this only from this server's pages")
        elif connection.scope.get("method", "GET") not in SAFE_METHODS:
            if not secrets.compare_digest(connection.headers.get(CSRF_HEADER, ""), csrf_token):
                raise AccessDenied(403, "the form's CSRF token is missing or stale: reload the page")
    caller = Caller.of_key(row, csrf_token)
    if caller.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise AccessDenied(403, f"a {caller.role.value} key may not use this (it needs: {allowed})")
    return caller


def with_rule(dependency: Any, roles: tuple[Role, ...]) -> Any:
    setattr(dependency, RULE_ATTRIBUTE, roles)
    return Depends(dependency)


def allow(*roles: Role) -> Any:
    """A REST route's rule: `caller: Caller = allow(Role.AGENT, …)`."""

    def caller_of_request(request: Request) -> Caller:
        try:
            return identify(request, roles)
        except AccessDenied as exc:
            raise HTTPException(status_code=exc.status, detail=exc.detail, headers=exc.headers) from None

    return with_rule(caller_of_request, roles)


def public() -> Any:
    """The rule of a route anyone may use (health checks): said out loud, so it is a choice."""

    def anyone() -> None:
        return None

    return with_rule(anyone, ())


def allow_websocket(*roles: Role) -> Any:
    """A WebSocket route's rule. The dependency gives the Caller, or the AccessDenied the endpoint
    answers with `deny` before accepting (a WebSocket dependency cannot answer with a status)."""

    def caller_of_websocket(websocket: WebSocket) -> Caller | AccessDenied:
        try:
            return identify(websocket, roles)
        except AccessDenied as exc:
            return exc

    return with_rule(caller_of_websocket, roles)


async def deny(websocket: WebSocket, denied: AccessDenied) -> None:
    """Refuse a WebSocket handshake with an HTTP status and a JSON reason, as a route would."""
    log.info("refused %s: %s", websocket.url.path, denied.detail)
    refusal = JSONResponse({"detail": denied.detail}, status_code=denied.status, headers=denied.headers)
    await websocket.send_denial_response(refusal)
