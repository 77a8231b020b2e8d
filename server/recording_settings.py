"""What `[recordings]` in the config asks for, checked once: whether calls are recorded, where the
sealed files go, in which codec, for how long they and the callers' details are kept, and how often
this node looks for what has expired."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from server.config import ConfigError, Settings
from voice.call_recording import CODECS


@dataclass(frozen=True)
class RecordingSettings:
    enabled: bool
    directory: Path
    codec: str
    retention_days: int
    purge_check_minutes: float
    max_minutes: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RecordingSettings:
        def number(key: str, whole: bool = False, positive: bool = True) -> float:
            value = settings.get("recordings", key)
            kinds = int if whole else int | float
            if isinstance(value, bool) or not isinstance(value, kinds) or value < 0 or (positive and value == 0):
                what = "a whole number" if whole else "a number"
                floor = "above 0" if positive else "0 or more"
                raise ConfigError(f"recordings.{key} must be {what} {floor}, not {value!r}")
            return value

        codec = settings.get("recordings", "codec")
        if codec not in CODECS:
            raise ConfigError(f"recordings.codec must be one of {', '.join(CODECS)}, not {codec!r}")
        configured = settings.get("recordings", "dir")
        directory = (Path(os.path.expanduser(configured)).resolve() if configured
                     else settings.data_dir / "recordings")
        return cls(
            enabled=bool(settings.get("recordings", "enabled")),
            directory=directory,
            codec=codec,
            retention_days=int(number("retention_days", whole=True)),
            purge_check_minutes=number("purge_check_minutes", positive=False),
            max_minutes=number("max_minutes"),
        )
