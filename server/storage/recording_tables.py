"""The tables of call recordings and of the audit log that says who played them (models.py imports
this module, so the tables are registered wherever the models are)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from server.storage import models  # noqa: F401  (its naming convention names these tables' indexes)
from server.storage.types import UtcDateTime, utc_now


class Recording(SQLModel, table=True):
    """Both legs of one call, kept as a sealed file under the recordings folder
    (server/storage/recordings.py); the row stays after retention deleted the file (`purged_at`)."""

    __tablename__ = "recordings"

    id: int | None = Field(default=None, primary_key=True)
    # The stream's call sid: a citizen's call (calls.call_sid) or a callback survey's.
    call_sid: str = Field(max_length=64, unique=True)
    call_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("calls.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    kind: str = Field(max_length=16)  # "call" or "survey"
    # Relative to the recordings folder ([recordings] dir), so the folder can move.
    path: str = Field(max_length=255)
    # The data key the file is sealed with (its header says so too): what rotation looks for.
    key_id: str = Field(max_length=40)
    codec: str = Field(max_length=16)  # "flac" or "opus" (voice/call_recording.py)
    duration_s: float
    size_bytes: int  # of the sealed file
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)
    purged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuditEntry(SQLModel, table=True):
    """One access to a recording (or a recording deleted by retention): who, what, when, how it
    went. Never a caller's details: the actor is a role and a key id, the target a call sid."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)
    # "<role>:<key id>", "anonymous" (no key), "unknown key", or a job ("retention").
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=32)  # "recording.play", "recording.purge"
    target: str = Field(max_length=128)
    outcome: str = Field(max_length=16)  # "played", "denied", "not found", "failed", "purged"
