"""`hotline keys new|status|rotate|retire`: the data keys that seal callers' data and call recordings
at rest (server/storage/sealing.py, server/storage/sealed_files.py), not the API keys of `hotline key`.

Rotation, with keys from the environment: put a new key first in HOTLINE_SECURITY_DATA_KEYS and
keep the old ones after it, run `hotline keys rotate`, restart the nodes, then drop the old keys
once `hotline keys status` shows they seal nothing. With the key file (the embedded default),
`rotate` adds the new key to the file itself; `retire` removes a key nothing is sealed with.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from server.cli.admin import DatabaseOption, UserError, console, err_console, open_database, user_errors
from server.config import load_settings
from server.data_keys import (
    as_environ,
    ensure_loaded,
    fresh_ring,
    from_environment,
    key_file,
    new_key_id,
    read_key_file,
    write_key_file,
)
from server.recording_settings import RecordingSettings
from server.storage import sealing
from server.storage.rekeying import (
    columns_to_reseal,
    count_by_key,
    recordings_by_key,
    recordings_to_reseal,
    reseal_all,
    reseal_recordings,
)
from server.storage.sealing import KEY_BYTES, KeyRing

data_keys_app = typer.Typer(
    help="Data keys: what seals callers' numbers, names, addresses and words in the database.",
    no_args_is_help=True,
)


@data_keys_app.command("new")
def keys_new() -> None:
    """Print a fresh data key and lookup key as environment settings (for a first set-up)."""
    err_console.print("Keep these secret, the same on every node; the data cannot be read without them:")
    for name, value in as_environ(fresh_ring("hotline keys new")).items():
        print(f"{name}={value}")


@data_keys_app.command("status")
def keys_status(database: DatabaseOption = None) -> None:
    """Where the keys come from, which one seals new values, and how many stored values and kept
    recordings each seals."""
    with user_errors(), open_database(database, migrate=False) as engine:
        ring = sealing.ring()
        counts, recordings = count_by_key(engine), recordings_by_key(engine)
    console.print(f"keys from {ring.source}; new values are sealed with {ring.current}")
    table = Table()
    table.add_column("key")
    table.add_column("values sealed", justify="right")
    table.add_column("recordings", justify="right")
    for key_id in dict.fromkeys([*ring.keys, *counts, *recordings]):
        held = "" if key_id in ring.keys or key_id == "(not sealed)" else " (missing!)"
        mark = " (current)" if key_id == ring.current else ""
        table.add_row(f"{key_id}{mark}{held}", str(counts.get(key_id, 0)), str(recordings.get(key_id, 0)))
    console.print(table)


@data_keys_app.command("rotate")
def keys_rotate(database: DatabaseOption = None) -> None:
    """Seal every stored value and kept recording again under the current key; with the key file, a
    new key first."""
    settings = load_settings()
    with user_errors():
        if not from_environment(settings):
            path = key_file(settings)
            old = read_key_file(path) if path.is_file() else None
            if old is None:
                raise UserError(f"no key file at {path}: nothing was sealed with it, so there is nothing to rotate")
            key_id = new_key_id()
            ring = KeyRing(keys={key_id: secrets.token_bytes(KEY_BYTES), **old.keys}, current=key_id,
                           lookup_key=old.lookup_key, source=str(path))
            write_key_file(path, ring)  # first: a rotation cut short leaves values every key of the file opens
            sealing.install(ring)
            console.print(f"added data key {key_id} to {path}; it now seals new values")
        recordings_dir = RecordingSettings.from_settings(settings).directory
        with open_database(database, migrate=False) as engine:
            current = ensure_loaded(settings).current
            todo, files = columns_to_reseal(engine), recordings_to_reseal(engine)
            if not todo and not files:
                how = ("put a new key first in HOTLINE_SECURITY_DATA_KEYS, the old ones after it, and run this again"
                       if from_environment(settings) else "")
                console.print(f"every stored value and recording is sealed with {current} already. {how}".strip())
                return
            with Progress(TextColumn("sealing again"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=err_console) as progress:
                task = progress.add_task("reseal", total=sum(count_by_key(engine).values()) + files)
                outcome = reseal_all(engine, lambda n: progress.advance(task, n))
                moved = reseal_recordings(engine, recordings_dir, lambda n: progress.advance(task, n))
            left = {k: n for k, n in count_by_key(engine).items() if k != current}
            files_left = {k: n for k, n in recordings_by_key(engine).items() if k != current}
    console.print(f"{outcome.resealed} values sealed again with {current} ({outcome.examined} examined)")
    console.print(f"{moved.resealed} recordings sealed again with {current} ({moved.examined} examined)")
    if outcome.changed_meanwhile or moved.changed_meanwhile:
        console.print(f"{outcome.changed_meanwhile + moved.changed_meanwhile} changed while this ran and were left: "
                      "run rotate again")
    if moved.unreadable:
        console.print(f"{moved.unreadable} recordings could not be read (file gone or altered; the server's log "
                      "names them when played) and were left as they are")
    if left:
        console.print("still under other keys: " + ", ".join(f"{k} {n}" for k, n in left.items()))
    if files_left:
        console.print("recordings still under other keys: " + ", ".join(f"{k} {n}" for k, n in files_left.items()))
    console.print("Restart running servers so they seal with the new key. Older keys stay until nothing uses "
                  "them (`hotline keys status`).")


@data_keys_app.command("retire")
def keys_retire(
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID", help="The key to remove from the key file.")],
    database: DatabaseOption = None,
) -> None:
    """Remove an old key from the key file, once no stored value is sealed with it."""
    settings = load_settings()
    with user_errors():
        if from_environment(settings):
            raise UserError("the keys come from HOTLINE_SECURITY_DATA_KEYS: remove it there")
        path = key_file(settings)
        if not path.is_file():
            raise UserError(f"no key file at {path}")
        ring = read_key_file(path)
        if key_id not in ring.keys:
            raise UserError(f"{path} has no key {key_id!r}")
        if key_id == ring.current:
            raise UserError(f"{key_id} is the current key: rotate first")
        with open_database(database, migrate=False) as engine:
            still = count_by_key(engine).get(key_id, 0)
            files = recordings_by_key(engine).get(key_id, 0)
        if still or files:
            raise UserError(f"{still} stored values and {files} recordings are sealed with {key_id}: run "
                            "`hotline keys rotate` first")
        write_key_file(path, KeyRing(keys={k: v for k, v in ring.keys.items() if k != key_id}, current=ring.current,
                                     lookup_key=ring.lookup_key, source=str(path)))
    console.print(f"removed {key_id} from {path}")
