"""Who may use which route: every request and WebSocket carries a key, each key has a role
(server/storage/keys.py), and each route names the roles it admits.

A key travels as `Authorization: Bearer <key>`. No key, or one unknown or revoked, is 401; a key
whose role the route does not admit is 403, as is a unit's key on another unit's order (the route
checks that with `Caller.may_see_unit`). Every route declares its rule through `allow(...)` or
`public()`; tests read the rules off the app's route table, so a route without one fails them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request, WebSocket
from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection

from server.storage.keys import Role, find_key

log = logging.getLogger("hotline.access")

# Read by tests off each route's dependencies: the roles it admits (empty: no key needed).
RULE_ATTRIBUTE = "hotline_roles"


@dataclass(frozen=True)
class Caller:
    """Whoever made the request: the role of their key, and for a unit which one."""

    role: Role
    unit: str | None = None
    key_id: int | None = None  # None: admitted without a key (an open gateway)

    def may_see_unit(self, unit: str | None, co_unit: str | None = None) -> bool:
        """A unit sees the orders it handles, alone or as the co-handling unit; other roles see all."""
        return self.role != Role.UNIT or (self.unit is not None and self.unit in (unit, co_unit))


class AccessDenied(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def bearer_key(connection: HTTPConnection) -> str | None:
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def identify(connection: HTTPConnection, roles: tuple[Role, ...]) -> Caller:
    """The caller behind `connection` if its key admits it to a route for `roles`; AccessDenied if not."""
    key = bearer_key(connection)
    if key is None:
        raise AccessDenied(401, "this needs a key: send it as 'Authorization: Bearer <key>'")
    row = find_key(connection.app.state.engine, key)
    if row is None:
        raise AccessDenied(401, "unknown or revoked key")
    role = Role(row.role)
    if role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise AccessDenied(403, f"a {role.value} key may not use this (it needs: {allowed})")
    return Caller(role=role, unit=row.unit, key_id=row.id)


def with_rule(dependency: Any, roles: tuple[Role, ...]) -> Any:
    setattr(dependency, RULE_ATTRIBUTE, roles)
    return Depends(dependency)


def allow(*roles: Role) -> Any:
    """A REST route's rule: `caller: Caller = allow(Role.AGENT, …)`."""

    def caller_of_request(request: Request) -> Caller:
        try:
            return identify(request, roles)
        except AccessDenied as exc:
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            raise HTTPException(status_code=exc.status, detail=exc.detail, headers=headers) from None

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
    await websocket.send_denial_response(JSONResponse({"detail": denied.detail}, status_code=denied.status))
