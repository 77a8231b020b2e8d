"""Browser logins: a session is opened with a live role key and carried in a cookie; the pages
and the API read the key behind it on every request, so revoking the key ends its sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import select

from server.storage.db import session_scope
from server.storage.keys import find_key, hash_key
from server.storage.models import ApiKey, WebSession
from server.storage.types import utc_now

# A shift and then some: a console left open overnight asks for the key again.
SESSION_HOURS = 12


@dataclass(frozen=True)
class OpenSession:
    """A live session and the key it speaks for."""

    key: ApiKey
    csrf_token: str


def open_session(engine: Engine, key: str) -> tuple[str, OpenSession] | None:
    """A new session for `key` if it is a live key: the cookie's token (kept nowhere) and the
    session; None for an unknown or revoked key."""
    row = find_key(engine, key)
    if row is None:
        return None
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = utc_now()
    with session_scope(engine) as session:
        session.add(
            WebSession(
                token_hash=hash_key(token), key_id=row.id, csrf_token=csrf, created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
    return token, OpenSession(key=row, csrf_token=csrf)


def find_session(engine: Engine, token: str) -> OpenSession | None:
    """The live session behind a cookie's token: not ended, not expired, its key not revoked."""
    if not token:
        return None
    with session_scope(engine) as session:
        found = session.exec(
            select(WebSession, ApiKey)
            .join(ApiKey, ApiKey.id == WebSession.key_id)  # type: ignore[arg-type]
            .where(WebSession.token_hash == hash_key(token))
        ).first()
    if found is None:
        return None
    web, key = found
    if web.ended_at is not None or web.expires_at <= utc_now() or key.revoked_at is not None:
        return None
    return OpenSession(key=key, csrf_token=web.csrf_token)


def end_session(engine: Engine, token: str) -> None:
    """Log out: the cookie's token no longer opens anything (an unknown token is a no-op)."""
    with session_scope(engine) as session:
        web = session.exec(select(WebSession).where(WebSession.token_hash == hash_key(token))).first()
        if web is not None and web.ended_at is None:
            web.ended_at = utc_now()
            session.add(web)
