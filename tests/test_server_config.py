"""Settings come from configs/default.toml and HOTLINE_* overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, load_settings


def test_defaults_are_embedded() -> None:
    settings = load_settings(environ={})
    assert settings.get("asr", "model") == "bundled-base"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.seed_path("kb").is_file()


def test_environment_overrides_keep_types() -> None:
    settings = load_settings(environ={
        "HOTLINE_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "HOTLINE_SERVER_PORT": "9001",
        "HOTLINE_VAD_END_OF_TURN_SILENCE_MS": "650",
        "HOTLINE_UNRELATED": "x",
    })
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.get("server", "port") == 9001
    assert settings.get("vad", "end_of_turn_silence_ms") == 650


def test_bad_override_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="HOTLINE_SERVER_PORT"):
        load_settings(environ={"HOTLINE_SERVER_PORT": "eighty"})


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "none.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[server\nport = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, environ={})


def test_the_production_sketch_sets_every_key_the_defaults_have() -> None:
    # A key missing there would surface as "missing setting" only when that path first runs.
    configs = Path(__file__).resolve().parents[1] / "configs"
    defaults = load_settings(configs / "default.toml", environ={}).raw
    production = load_settings(configs / "production.example.toml", environ={}).raw
    assert {s: set(keys) for s, keys in defaults.items()} == {s: set(keys) for s, keys in production.items()}


def test_durations_may_be_given_in_fractions_from_the_environment() -> None:
    settings = load_settings(environ={"HOTLINE_DIALER_POLL_SECONDS": "0.2", "HOTLINE_CALLBACK_CLAIM_SECONDS": "7.5",
                                      "HOTLINE_CALLBACK_DELAY_HOURS": "0"})
    assert settings.get("dialer", "poll_seconds") == 0.2 and settings.get("callback", "claim_seconds") == 7.5
    assert settings.get("callback", "delay_hours") == 0.0
