"""Where the data keys come from (server/data_keys.py) and `hotline keys rotate|status|retire`
run as commands, on real databases: after a rotation every stored value and call recording is sealed
with the new key, reads the same, and a repeat caller's orders are still found."""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from test_data_at_rest import NAME, NOW, NUMBER, store_a_callers_data

from server.config import ConfigError, load_settings
from server.data_keys import encode, key_file, load_key_ring, parse_data_keys, write_key_file
from server.storage import sealing
from server.storage.models import Call, TicketEvent
from server.storage.recordings import find_recording, read_audio, save_recording
from server.storage.sealing import SEALED_COLUMNS, KeyRing, key_id_of
from server.workflow.merging import open_orders_for
from voice.call_recording import encode_two_channels

REPO = Path(__file__).resolve().parents[1]


def settings_in(folder: Path, **security: object):
    settings = load_settings(environ={})
    raw = {**settings.raw, "paths": {**settings.raw["paths"], "data_dir": str(folder)},
           "security": {**settings.raw["security"], **security}}
    return replace(settings, raw=raw)


def hotline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it, in a process of its own (its own key ring)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env={**clean, **env}, cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def key_ids(engine: Engine) -> set[str | None]:
    with engine.connect() as connection:
        return {key_id_of(v) for table, column in SEALED_COLUMNS
                for v in connection.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")).scalars()}


def reads_back(engine: Engine, order: str) -> None:
    with Session(engine) as session:
        call = session.exec(select(Call)).one()
        assert (call.caller_number, call.caller_name) == (NUMBER, NAME)
        assert session.exec(select(TicketEvent)).one().changes["phone"] == NUMBER
    assert [o.ticket_id for o in open_orders_for(engine, NUMBER, NOW)] == [order]


def test_without_keys_the_embedded_default_makes_a_key_file_for_its_owner_alone(tmp_path, caplog) -> None:
    settings = settings_in(tmp_path)
    with caplog.at_level(logging.WARNING, logger="hotline.keys"):
        first = load_key_ring(settings)
    path = tmp_path / "data_keys.json"
    assert key_file(settings) == path and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "generated" in caplog.text and str(path) in caplog.text and "HOTLINE_SECURITY_DATA_KEYS" in caplog.text
    caplog.clear()
    again = load_key_ring(settings)
    assert again == first and caplog.text == ""  # read, not made again
    assert json.loads(path.read_text())["current"] == first.current


def test_production_without_keys_refuses_to_start(tmp_path) -> None:
    with pytest.raises(ConfigError, match="HOTLINE_SECURITY_DATA_KEYS.*hotline keys new"):
        load_key_ring(settings_in(tmp_path, generate_keys=False))
    assert not (tmp_path / "data_keys.json").exists()


def test_keys_from_the_environment(tmp_path) -> None:
    new, old, lookup = (encode(secrets.token_bytes(32)) for _ in range(3))
    ring = load_key_ring(settings_in(tmp_path, data_keys=f"k2:{new}, k1:{old}", lookup_key=lookup))
    assert ring.current == "k2" and set(ring.keys) == {"k1", "k2"}
    assert not (tmp_path / "data_keys.json").exists()
    for given, lookup_key, message in [
        (f"k2:{new}", "", "LOOKUP_KEY"),
        (f"k2{new}", lookup, "not '<id>:<base64 key>'"),
        ("k2:not-base64!", lookup, "not base64"),
        (f"k2:{encode(b'short')}", lookup, "5 bytes"),
        (f"k 2:{new}", lookup, "letters, digits"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_data_keys(given, lookup_key, "HOTLINE_SECURITY_DATA_KEYS")


def test_rotate_with_keys_from_the_environment(engine: Engine, database_url: str) -> None:
    order = store_a_callers_data(engine)
    ring = sealing.ring()
    new, new_id = secrets.token_bytes(32), f"k-{secrets.token_hex(3)}"
    env = {"HOTLINE_SECURITY_DATA_KEYS": f"{new_id}:{encode(new)},{ring.current}:{encode(ring.keys[ring.current])}",
           "HOTLINE_SECURITY_LOOKUP_KEY": encode(ring.lookup_key)}
    rotated = hotline("keys", "rotate", "--database", database_url, env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert f"{len(SEALED_COLUMNS)} values sealed again with {new_id}" in rotated.stdout
    assert key_ids(engine) == {new_id}
    status = hotline("keys", "status", "--database", database_url, env=env)
    assert f"{new_id} (current)" in status.stdout and ring.current in status.stdout
    again = hotline("keys", "rotate", "--database", database_url, env=env)
    assert again.returncode == 0 and f"sealed with {new_id} already" in again.stdout

    sealing.install(KeyRing(keys={new_id: new, **ring.keys}, current=new_id, lookup_key=ring.lookup_key))
    reads_back(engine, order)


def test_rotate_and_retire_with_the_key_file(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'hotline.db'}"
    from server.storage.db import make_engine, upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    order = store_a_callers_data(engine)
    # A call's recording, in the recordings folder the commands find under the data folder.
    audio = encode_two_channels(b"\x20" * 8000, b"\x30" * 8000, "flac")
    recorded = save_recording(engine, tmp_path / "recordings", "CA-rotated", "call", audio, "flac", 1.0)
    before = sealing.ring()
    write_key_file(tmp_path / "data_keys.json", before)  # the file the embedded default would have made
    env = {"HOTLINE_PATHS_DATA_DIR": str(tmp_path)}

    rotated = hotline("keys", "rotate", "--database", database_url, env=env)
    assert rotated.returncode == 0, rotated.stderr
    after = json.loads((tmp_path / "data_keys.json").read_text())
    assert after["current"] != before.current and set(after["keys"]) >= {before.current, after["current"]}
    assert key_ids(engine) == {after["current"]}
    assert f"1 recordings sealed again with {after['current']}" in rotated.stdout
    moved = find_recording(engine, "CA-rotated")
    assert moved.key_id == after["current"] and not (tmp_path / "recordings" / recorded.path).exists()

    refused = hotline("keys", "retire", after["current"], "--database", database_url, env=env)
    assert refused.returncode == 1 and "current key" in refused.stderr
    for key_id in before.keys:  # the suite's keys, the current one of which sealed the rows
        retired = hotline("keys", "retire", key_id, "--database", database_url, env=env)
        assert retired.returncode == 0, retired.stderr
    assert set(json.loads((tmp_path / "data_keys.json").read_text())["keys"]) == {after["current"]}

    sealing.install(load_key_ring(settings_in(tmp_path)))
    reads_back(engine, order)
    assert read_audio(tmp_path / "recordings", moved) == audio
    engine.dispose()
