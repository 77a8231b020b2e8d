"""Call recordings at rest: each a sealed file (server/storage/sealed_files.py) under the recordings
folder, `<yyyy>/<mm>/<random>.hlrec`, and a row in `recordings` saying which call it is, its codec,
length, size and the data key it is sealed with.

A file opens only as the recording of its own call: the call sid is part of what every chunk is
sealed with, so a file copied over another call's does not play as that call. The name says
nothing about the call. Rotation writes a file again under a new name (server/storage/rekeying.py)
and retention deletes it (server/storage/retention.py); the row stays, marked `purged_at`.
"""

from __future__ import annotations

import uuid
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine
from sqlmodel import select

from server.storage.db import session_scope
from server.storage.models import Call
from server.storage.recording_tables import Recording
from server.storage.sealed_files import SealedFileError, open_content, seal_content, write_sealed
from server.storage.sealing import SealingError
from server.storage.types import utc_now

SUFFIX = ".hlrec"


class RecordingUnreadable(Exception):
    """A recording whose file is gone or does not open (altered, damaged, its key missing)."""


def sealing_context(call_sid: str) -> str:
    return f"recordings/{call_sid}"


def seal_recording(root: Path, call_sid: str, audio: bytes, folder: str) -> tuple[str, str, int]:
    """`audio` sealed into a new file in `folder` under `root`: its path (relative to `root`), key id
    and size."""
    sealed, key_id = seal_content(audio, sealing_context(call_sid))
    path = str(PurePosixPath(folder) / f"{uuid.uuid4().hex}{SUFFIX}")
    write_sealed(root / path, sealed)
    return path, key_id, len(sealed)


def save_recording(
    engine: Engine, root: Path, call_sid: str, kind: str, audio: bytes, codec: str, duration_s: float,
) -> Recording:
    """The file sealed and written, then its row (linked to the call of that sid, if there is one).
    A row that cannot be stored takes its file with it: no file is left that nothing points to."""
    now = utc_now()
    path, key_id, size = seal_recording(root, call_sid, audio, f"{now:%Y}/{now:%m}")
    try:
        with session_scope(engine) as session:
            call_id = session.exec(select(Call.id).where(Call.call_sid == call_sid)).first()
            row = Recording(call_sid=call_sid, call_id=call_id, kind=kind, path=path, key_id=key_id, codec=codec,
                            duration_s=duration_s, size_bytes=size, created_at=now)
            session.add(row)
            session.flush()
            session.refresh(row)
        return row
    except BaseException:
        (root / path).unlink(missing_ok=True)
        raise


def find_recording(engine: Engine, call_sid: str) -> Recording | None:
    """The recording of call `call_sid`, purged or not; None if there never was one."""
    with session_scope(engine) as session:
        return session.exec(select(Recording).where(Recording.call_sid == call_sid)).first()


def is_known_call(engine: Engine, call_sid: str) -> bool:
    """Whether `call_sid` names a call or a recording stored here (and not just anything sent in a URL)."""
    with session_scope(engine) as session:
        return (session.exec(select(Call.id).where(Call.call_sid == call_sid)).first() is not None
                or session.exec(select(Recording.id).where(Recording.call_sid == call_sid)).first() is not None)


def recording_of_call(engine: Engine, call_id: int) -> Recording | None:
    with session_scope(engine) as session:
        return session.exec(select(Recording).where(Recording.call_id == call_id)).first()


def read_sealed_audio(root: Path, path: str, call_sid: str) -> bytes:
    """The audio a recording's file holds, checked whole; RecordingUnreadable if it cannot be had."""
    try:
        data = (root / path).read_bytes()
    except FileNotFoundError:
        raise RecordingUnreadable(f"the recording of call {call_sid} has no file ({path} is missing)") from None
    except OSError as exc:
        raise RecordingUnreadable(f"the recording of call {call_sid} cannot be read: {exc.strerror or exc}") from exc
    try:
        return open_content(data, sealing_context(call_sid))
    except (SealedFileError, SealingError) as exc:
        raise RecordingUnreadable(f"the recording of call {call_sid} does not open: {exc}") from exc


def read_audio(root: Path, recording: Recording) -> bytes:
    return read_sealed_audio(root, recording.path, recording.call_sid)
