"""`hotline keys retire` with call recordings, on both databases: an old key is retired only once no
value and no recording needs it (rotation itself: tests/test_data_keys.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli.main import app
from server.data_keys import read_key_file, write_key_file
from server.storage import sealing
from server.storage.db import make_engine, upgrade
from server.storage.recordings import save_recording
from voice.call_recording import encode_two_channels

runner = CliRunner()


@pytest.fixture
def keyed(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """The suite's keys in a key file of this test's own, the database and recordings of this test; the
    process's current key put back afterwards (a rotation moves it on)."""
    before = sealing.ring()
    key_file, folder = tmp_path / "data_keys.json", tmp_path / "recordings"
    write_key_file(key_file, before)
    for name, value in {"HOTLINE_SECURITY_KEY_FILE": str(key_file), "HOTLINE_RECORDINGS_DIR": str(folder),
                        "HOTLINE_DATABASE_URL": database_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HOTLINE_SECURITY_DATA_KEYS", raising=False)
    upgrade(database_url)
    try:
        yield key_file, folder
    finally:
        sealing.install(sealing.KeyRing(keys=sealing.ring().keys, current=before.current,
                                        lookup_key=before.lookup_key, source=before.source))


def hotline(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def test_a_key_still_sealing_a_recording_is_not_retired(keyed: tuple[Path, Path], database_url: str) -> None:
    key_file, folder = keyed
    old = sealing.ring().current
    engine = make_engine(database_url)
    try:
        save_recording(engine, folder, "CS-survey", "survey", encode_two_channels(b"\x20", b"\x20", "flac"),
                       "flac", 0.0)
    finally:
        engine.dispose()
    ring = read_key_file(key_file)
    fresh = sealing.KeyRing(keys={"k-newer": b"\x01" * 32, **ring.keys}, current="k-newer",
                            lookup_key=ring.lookup_key, source=str(key_file))
    write_key_file(key_file, fresh)  # a key made current without a rotation
    sealing.install(fresh)
    refused = runner.invoke(app, ["keys", "retire", old])
    assert refused.exit_code == 1 and "0 stored values and 1 recordings" in refused.stderr
