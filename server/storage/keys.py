"""API keys: made, listed, revoked and looked up by the key a request carries."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import col, select

from server.storage.db import NotFound, session_scope
from server.storage.models import ApiKey
from server.storage.types import utc_now

KEY_PREFIX = "hk_"
# What a key list shows of each key: enough to tell them apart, far too little to use.
_SHOWN_CHARS = 10


class Role(StrEnum):
    """Who a key speaks for (DESIGN.md, Roles)."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    UNIT = "unit"  # a handling unit (承办单位): its own orders only
    GATEWAY = "gateway"  # the telephony gateway: /media-stream


class KeyRequestError(ValueError):
    """A key that cannot be made as asked; the message says why."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(engine: Engine, role: Role | str, unit: str | None = None, label: str = "") -> tuple[ApiKey, str]:
    """A new key for `role` (a unit key names its unit; no other key does): the stored row and the
    key itself, which is not kept anywhere and cannot be shown again."""
    try:
        role = Role(role)
    except ValueError:
        raise KeyRequestError(f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}") from None
    unit = (unit or "").strip() or None
    if role == Role.UNIT and unit is None:
        raise KeyRequestError("a unit key needs the unit it acts for (--unit)")
    if role != Role.UNIT and unit is not None:
        raise KeyRequestError(f"only a unit key names a unit, not a {role.value} key")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(key_hash=hash_key(key), prefix=key[:_SHOWN_CHARS], role=role.value, unit=unit, label=label)
    with session_scope(engine) as session:
        session.add(row)
        session.flush()
        session.refresh(row)
    return row, key


def list_keys(engine: Engine, include_revoked: bool = False) -> list[ApiKey]:
    with session_scope(engine) as session:
        query = select(ApiKey).order_by(col(ApiKey.id))
        if not include_revoked:
            query = query.where(col(ApiKey.revoked_at).is_(None))
        return list(session.exec(query))


def revoke_key(engine: Engine, key_id: int) -> ApiKey:
    """Revoke key `key_id` (again is a no-op); NotFound if there is no such key."""
    with session_scope(engine) as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"no key {key_id}")
        if row.revoked_at is None:
            row.revoked_at = utc_now()
            session.add(row)
        return row


def find_key(engine: Engine, key: str) -> ApiKey | None:
    """The live (not revoked) key row for `key`, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    with session_scope(engine) as session:
        row = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).first()
    return None if row is None or row.revoked_at is not None else row
