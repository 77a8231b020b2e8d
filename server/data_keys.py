"""Where the data keys come from (server/storage/sealing.py uses them): the environment
(HOTLINE_SECURITY_DATA_KEYS, HOTLINE_SECURITY_LOOKUP_KEY), or else the key file, which the embedded
default makes on first use, with a warning."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from server.config import ConfigError, Settings
from server.storage import sealing
from server.storage.sealing import KEY_BYTES, KeyRing, SealingError

log = logging.getLogger("hotline.keys")


def key_file(settings: Settings) -> Path:
    configured = settings.get("security", "key_file")
    return Path(os.path.expanduser(configured)).resolve() if configured else settings.data_dir / "data_keys.json"


def from_environment(settings: Settings) -> bool:
    return bool(settings.get("security", "data_keys"))


def new_key_id() -> str:
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def encode(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _decode(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{what} is not base64") from exc
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{what} is {len(key)} bytes; a data key is {KEY_BYTES} bytes of base64")
    return key


def parse_data_keys(text: str, lookup_key: str, source: str) -> KeyRing:
    """`id:base64,id:base64…` (the first is current) and the lookup key, as the environment gives them."""
    keys: dict[str, bytes] = {}
    for n, item in enumerate(part.strip() for part in text.split(",") if part.strip()):
        key_id, colon, value = item.partition(":")
        if not colon:
            raise ConfigError(f"{source}: entry {n + 1} is not '<id>:<base64 key>'")
        keys[key_id.strip()] = _decode(value, f"{source}: key {key_id.strip()!r}")
    if not keys:
        raise ConfigError(f"{source} names no key")
    if not lookup_key:
        raise ConfigError(f"{source} is set but HOTLINE_SECURITY_LOOKUP_KEY is not: both are needed")
    try:
        return KeyRing(keys=keys, current=next(iter(keys)), lookup_key=_decode(lookup_key, "the lookup key"),
                       source=source)
    except SealingError as exc:
        raise ConfigError(str(exc)) from exc


def read_key_file(path: Path) -> KeyRing:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {str(k): _decode(v, f"{path}: key {k!r}") for k, v in data["keys"].items()}
        lookup_key = _decode(data["lookup_key"], f"{path}: lookup key")
        return KeyRing(keys=keys, current=str(data["current"]), lookup_key=lookup_key, source=str(path))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, SealingError) as exc:
        raise ConfigError(f"cannot read the data keys in {path}: {exc}") from exc


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Written whole beside the old file and moved over it, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".new")
    data = {"current": ring.current, "keys": {k: encode(v) for k, v in ring.keys.items()},
            "lookup_key": encode(ring.lookup_key)}
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(fresh, path)


def as_environ(ring: KeyRing) -> dict[str, str]:
    """`ring` as the environment gives keys (parse_data_keys reads it back): the current key first."""
    ordered = [ring.current, *(k for k in ring.keys if k != ring.current)]
    return {"HOTLINE_SECURITY_DATA_KEYS": ",".join(f"{k}:{encode(ring.keys[k])}" for k in ordered),
            "HOTLINE_SECURITY_LOOKUP_KEY": encode(ring.lookup_key)}


def fresh_ring(source: str) -> KeyRing:
    key_id = new_key_id()
    return KeyRing(keys={key_id: secrets.token_bytes(KEY_BYTES)}, current=key_id,
                   lookup_key=secrets.token_bytes(KEY_BYTES), source=source)


def load_key_ring(settings: Settings) -> KeyRing:
    """The configured keys: the environment's, else the key file's, else a new key file (the
    embedded default) or a clear error (production)."""
    if from_environment(settings):
        return parse_data_keys(settings.get("security", "data_keys"), settings.get("security", "lookup_key"),
                               "HOTLINE_SECURITY_DATA_KEYS")
    path = key_file(settings)
    if path.is_file():
        return read_key_file(path)
    if not settings.get("security", "generate_keys"):
        raise ConfigError(
            "no data keys: set HOTLINE_SECURITY_DATA_KEYS and HOTLINE_SECURITY_LOOKUP_KEY (`hotline keys new` "
            f"makes them), or give [security] key_file; {path} does not exist"
        )
    ring = fresh_ring(str(path))
    write_key_file(path, ring)
    log.warning("no data keys were configured: generated %s to seal callers' data. Whoever reads it reads the "
                "data and without it nobody can: back it up apart from the database, or set "
                "HOTLINE_SECURITY_DATA_KEYS and HOTLINE_SECURITY_LOOKUP_KEY", path)
    return ring


def ensure_loaded(settings: Settings) -> KeyRing:
    """The process's keys, loaded from `settings` unless a ring is already installed."""
    ring = sealing.installed()
    if ring is None:
        ring = load_key_ring(settings)
        sealing.install(ring)
    return ring
