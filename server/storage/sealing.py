"""Callers' data sealed at rest: numbers, names, addresses and what they said are stored as
AES-GCM ciphertext, each value tagged with the id of the key that sealed it, so keys can be
rotated (`hotline keys rotate`) while values sealed under older ones still open.

A value is `hl1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The column it belongs to
("tickets.phone") is the associated data: a value copied into another column does not open there.
Lookups that need equality (a repeat caller's open orders) use a keyed hash (HMAC-SHA256 under
the lookup key, which rotation keeps) stored beside the ciphertext, since equal values never seal
alike.

The key ring is the process's, set once by whatever starts it (server/data_keys.py finds
the keys): column types are built when the models are imported, long before any settings are read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import operator
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

PREFIX = "hl1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


class SealingError(Exception):
    """Data keys missing, malformed, or not the ones a value was sealed with; the message says which."""


@dataclass(frozen=True)
class KeyRing:
    """The data keys by id, the one new values are sealed with, and the lookup key for keyed hashes."""

    keys: dict[str, bytes]
    current: str
    lookup_key: bytes
    source: str = field(default="", compare=False)  # where they came from, for messages

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise SealingError(f"the current data key {self.current!r} is not among the keys ({self.source})")
        for key_id, key in self.keys.items():
            if not _KEY_ID.match(key_id):
                raise SealingError(
                    f"data key id {key_id!r} must be 1-40 letters, digits, '.', '_' or '-' ({self.source})"
                )
            if len(key) != KEY_BYTES:
                raise SealingError(f"data key {key_id!r} is {len(key)} bytes, not {KEY_BYTES} ({self.source})")
        if len(self.lookup_key) != KEY_BYTES:
            raise SealingError(f"the lookup key is {len(self.lookup_key)} bytes, not {KEY_BYTES} ({self.source})")


_ring: KeyRing | None = None
_ring_lock = threading.Lock()


def install(ring: KeyRing) -> None:
    """Make `ring` the process's keys. A second ring with the same lookup key adds its keys and
    becomes current (a rotation seen by a running process); one with another lookup key is refused:
    its keyed hashes would not find what the first ring's had stored."""
    global _ring
    with _ring_lock:
        if _ring is not None and not hmac.compare_digest(_ring.lookup_key, ring.lookup_key):
            raise SealingError(
                f"this process already holds other data keys ({_ring.source}); {ring.source} has another lookup key"
            )
        keys = {**(_ring.keys if _ring else {}), **ring.keys}
        _ring = KeyRing(keys=keys, current=ring.current, lookup_key=ring.lookup_key, source=ring.source)


def installed() -> KeyRing | None:
    return _ring


def ring() -> KeyRing:
    if _ring is None:
        raise SealingError(
            "no data keys loaded: callers' data cannot be read or written "
            "(the command that starts the process loads them: server/data_keys.py)"
        )
    return _ring


def seal(plain: str, context: str) -> str:
    keys = ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keys.keys[keys.current]).encrypt(nonce, plain.encode("utf-8"), context.encode("ascii"))
    return f"{PREFIX}:{keys.current}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def key_id_of(value: str) -> str | None:
    """The id of the key `value` was sealed with; None if it is not a sealed value."""
    parts = value.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def is_sealed(value: str) -> bool:
    return key_id_of(value) is not None


def _key(key_id: str, context: str) -> bytes:
    key = ring().keys.get(key_id)
    if key is None:
        raise SealingError(
            f"{context} holds a value sealed with data key {key_id!r}, which this process does not have "
            "(add it to HOTLINE_SECURITY_DATA_KEYS or the key file after the current one)"
        )
    return key


def unseal(value: str, context: str) -> str:
    key_id = key_id_of(value)
    if key_id is None:
        raise SealingError(f"{context} holds a value that is not sealed")
    key = _key(key_id, context)
    try:
        blob = base64.urlsafe_b64decode(value.split(":", 2)[2])
        plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("ascii"))
    except (InvalidTag, ValueError) as exc:
        raise SealingError(f"{context} holds a value that does not open with data key {key_id!r}: altered, "
                           "or sealed for another column") from exc
    return plain.decode("utf-8")


def reseal(value: str, context: str) -> str:
    """`value` sealed under the current key (as it is, if it already is)."""
    keys = ring()
    if key_id_of(value) == keys.current:
        return value
    return seal(unseal(value, context), context)


def seal_bytes(plain: bytes, associated: bytes, key_id: str) -> bytes:
    """`plain` sealed with data key `key_id` (nonce ‖ ciphertext ‖ tag), opening only with the same
    `associated` data: for files (server/storage/sealed_files.py), which say their key id themselves."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(_key(key_id, "a file")).encrypt(nonce, plain, associated)


def open_bytes(blob: bytes, associated: bytes, key_id: str, context: str) -> bytes:
    """What `seal_bytes` sealed; SealingError, naming `context`, if the key is missing or the bytes
    or their associated data are not what was sealed."""
    key = _key(key_id, context)
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated)
    except (InvalidTag, ValueError) as exc:
        raise SealingError(f"{context} does not open with data key {key_id!r}: altered, cut short, "
                           "or sealed for something else") from exc


def lookup_hash(value: str) -> str:
    """The keyed hash equal values share. Spaces, hyphens and brackets are not part of a number."""
    normalised = re.sub(r"[\s\-()（）]", "", value)
    return hmac.new(ring().lookup_key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class SealedText(TypeDecorator[str]):
    """A text column stored sealed. It cannot be compared or sorted in SQL (the ciphertext says
    nothing); only whether it is NULL can be asked."""

    impl = Text
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[str]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op in (operators.is_, operators.is_not, operators.isnot) or (
                op in (operator.eq, operator.ne) and other and other[0] is None
            ):
                return super().operate(op, *other, **kwargs)
            raise SealingError("a sealed column cannot be compared in SQL: look it up by its keyed hash")

    comparator_factory = Comparator

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else seal(value, self.context)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else unseal(value, self.context)


class SealedJSON(TypeDecorator[Any]):
    """A JSON value stored sealed (as text): for records that copy sealed fields, such as a ticket
    event's changes."""

    impl = Text
    cache_ok = True
    comparator_factory = SealedText.Comparator

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else seal(json.dumps(value, ensure_ascii=False), self.context)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(unseal(value, self.context))


# Every sealed column: (table, column), as models.py declares them. Rotation and the tests that read
# the raw database go by this list; a migration that seals a column names it itself.
SEALED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("calls", "caller_number"),
    ("calls", "callback_number"),
    ("calls", "caller_name"),
    ("calls", "address"),
    ("calls", "dtmf"),
    ("calls", "draft"),
    ("turns", "asr_text"),
    ("turns", "reply_text"),
    ("turns", "partials"),
    ("turns", "reply_heard"),
    ("tickets", "address"),
    ("tickets", "caller_name"),
    ("tickets", "phone"),
    ("tickets", "summary"),
    ("tickets", "result_text"),
    ("ticket_events", "changes"),
    ("ticket_events", "note"),
    ("callbacks", "phone"),
    ("callback_attempts", "note"),
)
