"""Settings: `configs/default.toml`, overridden by HOTLINE_<SECTION>_<KEY> environment variables."""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "default.toml"


class ConfigError(Exception):
    """A config file or override that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    raw: dict[str, dict[str, Any]]
    source: Path

    def get(self, section: str, key: str) -> Any:
        try:
            return self.raw[section][key]
        except KeyError as exc:
            raise ConfigError(f"{self.source}: missing setting [{section}] {key}") from exc

    @property
    def data_dir(self) -> Path:
        return Path(os.path.expanduser(self.get("paths", "data_dir"))).resolve()

    @property
    def cache_dir(self) -> Path:
        return Path(os.path.expanduser(self.get("paths", "cache_dir"))).resolve()

    @property
    def database_url(self) -> str:
        url = self.get("database", "url")
        return url or f"sqlite:///{self.data_dir / 'hotline.db'}"

    def seed_path(self, kind: str) -> Path:
        return (self.source.parent / self.get("seed", kind)).resolve()


def node_name(settings: Settings) -> str:
    """This node's name in what it claims and holds (callbacks it dials, calls it answers):
    [dialer] node, else host name and process id. A name set in the config survives a restart,
    which lets a restarted node take back at once the calls it held when it died."""
    return settings.get("dialer", "node") or f"{socket.gethostname()}-{os.getpid()}"


def _coerce(value: str, like: Any, name: str) -> Any:
    """Environment values are strings; give them the type the default file uses."""
    if isinstance(like, bool):
        if value.lower() in {"1", "true", "yes", "on"}:
            return True
        if value.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name}={value!r}: expected true or false")
    for kind in (int, float):
        if isinstance(like, kind):
            try:
                return kind(value)
            except ValueError as exc:
                raise ConfigError(f"{name}={value!r}: expected a {kind.__name__}") from exc
    return value


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    source = Path(path or os.environ.get("HOTLINE_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {source}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from exc
    env = os.environ if environ is None else environ
    for name, value in env.items():
        if not name.startswith("HOTLINE_") or name == "HOTLINE_CONFIG":
            continue
        section, _, key = name[len("HOTLINE_") :].lower().partition("_")
        if section in raw and key in raw[section]:
            raw[section][key] = _coerce(value, raw[section][key], name)
    return Settings(raw=raw, source=source.resolve())
