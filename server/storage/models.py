"""Database tables (sqlmodel). Migrations in migrations/versions are the source of truth for the
schema; tests check that they and these models agree.

All times are UTC and timezone-aware (see types.UtcDateTime); showing Asia/Shanghai is the job of
whatever renders them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from server.storage.sealing import SealedJSON, SealedText, lookup_hash
from server.storage.types import UtcDateTime, utc_now

# Stable constraint names, so migrations can refer to them on both backends.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CALL_ACTIVE = "active"
CALL_ENDED = "ended"
CALL_FAILED = "failed"
# Its node stopped mid-call (killed, or cut off from the database for good): found by a sweep
# (server/workflow/recovery.py), its draft order filed for review.
CALL_INTERRUPTED = "interrupted"
CALL_STATUSES = (CALL_ACTIVE, CALL_ENDED, CALL_FAILED, CALL_INTERRUPTED)

# Where a new order starts: the review queue, unless dispatch sends it to its unit at once
# (statuses and steps: server/workflow/lifecycle.py).
TICKET_NEW_STATUS = "review"


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    # The recovery sweep looks for active calls whose lease ran out.
    __table_args__ = (Index("ix_calls_status_lease_until", "status", "lease_until"),)

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str = Field(max_length=64, unique=True)
    stream_sid: str | None = Field(default=None, max_length=64)
    # Text, not a short string: gateways pass what they like here (SIP URIs, +86 numbers…).
    # Callers' numbers, names, addresses and words are sealed (server/storage/sealing.py).
    caller_number: str | None = Field(default=None, sa_type=SealedText("calls.caller_number"))
    # The number to call back on: the caller's own by default, or the one they gave instead.
    callback_number: str | None = Field(default=None, sa_type=SealedText("calls.callback_number"))
    started_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    status: str = Field(default=CALL_ACTIVE, max_length=16)
    # Outcome, filled when the call ends.
    category: str | None = Field(default=None, max_length=16)
    route: str | None = Field(default=None, max_length=16)
    topic: str | None = Field(default=None, max_length=128)
    kb_article: str | None = Field(default=None, max_length=64)
    urgent: bool = False
    police: bool = False
    handoff_reason: str | None = Field(default=None, sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    # Keys the caller pressed, in order.
    dtmf: str | None = Field(default=None, sa_type=SealedText("calls.dtmf"))  # a number may be keyed in
    # Marks the gateway echoed back: what the caller has actually heard ("greeting", "reply-0", …).
    heard_marks: list[str] = Field(default_factory=list, sa_type=JSON)
    # Who called and where it is about, as the seat understood them, on every route (a praise or a
    # suggestion names its caller and place too; a ticket also copies them into the work order).
    caller_name: str | None = Field(default=None, sa_type=SealedText("calls.caller_name"))
    district: str | None = Field(default=None, max_length=32)
    street: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, sa_type=SealedText("calls.address"))
    # While the call is up: the node that holds it and until when (it renews the lease), and the
    # seat's outcome as it would be were the call to end now (agent.types.CallOutcome as a dict),
    # stored after every turn. A call whose node dies is finished from these by another node
    # (server/workflow/recovery.py). A call stored without a node is never swept.
    node: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    draft: dict[str, Any] | None = Field(default=None, sa_type=SealedJSON("calls.draft"))
    # When retention cleared the caller's details and words (server/storage/retention.py).
    pii_purged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Turn(SQLModel, table=True):
    """One caller utterance and the seat's reply to it."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("call_id", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(
        sa_column=Column(Integer, ForeignKey("calls.id", ondelete="CASCADE"), nullable=False)
    )
    # 0-based position in the call.
    index: int
    asr_text: str = Field(default="", sa_type=SealedText("turns.asr_text"))
    reply_text: str = Field(default="", sa_type=SealedText("turns.reply_text"))
    reply_action: str | None = Field(default=None, max_length=16)
    # Audio time, seconds since the start of the call's audio (not wall clock).
    speech_started_at: float | None = None
    speech_ended_at: float | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # Wall clock: when the final transcript was ready and when the reply's first audio went out.
    # Latencies are measured against the caller's end of speech by whoever knows it (simulate).
    asr_final_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    reply_audio_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # What was heard while the caller spoke: [{"audio_s", "confirmed", "tentative"}, …] as JSON.
    partials: str | None = Field(default=None, sa_type=SealedText("turns.partials"))
    # Set when the caller spoke over the reply: the part of it they had heard ("" = none).
    reply_heard: str | None = Field(default=None, sa_type=SealedText("turns.reply_heard"))
    # Which backend understood the turn ("offline", "llm"), why the LLM's reading was not taken
    # when it was asked ("error", "timeout", "invalid"), and the KB article the reply cites.
    backend: str | None = Field(default=None, max_length=16)
    fallback_reason: str | None = Field(default=None, max_length=16)
    kb_article: str | None = Field(default=None, max_length=64)


class KbArticleRow(SQLModel, table=True):
    __tablename__ = "kb_articles"

    # Ids are kept as the import file gives them ("kb-005").
    id: str = Field(primary_key=True, max_length=64)
    # Position in the imported file, so an export gives the file back in its order.
    position: int
    title: str = Field(sa_type=Text)
    question: str = Field(default="", sa_type=Text)
    answer: str = Field(sa_type=Text)
    department: str = Field(default="", sa_type=Text)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    # Retired by an admin: kept (and restorable), but not read by the seat nor exported.
    retired_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class CatalogueEntryRow(SQLModel, table=True):
    __tablename__ = "catalogue_entries"

    id: int | None = Field(default=None, primary_key=True)
    position: int
    topic: str = Field(max_length=128, unique=True)
    keywords: list[str] = Field(default_factory=list, sa_type=JSON)
    category_hint: str | None = Field(default=None, max_length=16)
    unit: str = Field(max_length=128)
    dispatch: str = Field(max_length=16)
    co_unit: str | None = Field(default=None, max_length=128)
    # Hours may be fractional (0.5); load_catalogue gives whole numbers back as int.
    time_limit_hours: float
    urgent: bool = False
    police: bool = False
    retired_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class GazetteerPlace(SQLModel, table=True):
    """A district (street is null) or one 街道/镇/乡/地区 of a district."""

    __tablename__ = "gazetteer_places"
    __table_args__ = (
        UniqueConstraint("district", "street"),
        # NULLs are distinct in unique constraints, so the district rows need their own index.
        Index(
            "ix_gazetteer_places_district_row",
            "district",
            unique=True,
            sqlite_where=text("street IS NULL"),
            postgresql_where=text("street IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    position: int
    district: str = Field(max_length=64)
    street: str | None = Field(default=None, max_length=64)
    # Streets are retired one by one; a district's own row is never retired.
    retired_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Ticket(SQLModel, table=True):
    """A work order (工单). The id is what an agent reads out: HL<yyyymmdd>-<nnnn>."""

    __tablename__ = "tickets"
    # A caller's open orders are looked up by number at every call: by the number's keyed hash.
    __table_args__ = (Index("ix_tickets_phone_hash_status", "phone_hash", "status"),)

    id: str = Field(primary_key=True, max_length=32)
    call_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("calls.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    category: str | None = Field(default=None, max_length=16)
    topic: str | None = Field(default=None, max_length=128)
    district: str | None = Field(default=None, max_length=64)
    street: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, sa_type=SealedText("tickets.address"))
    # Heard from the caller, so of any length: a too-long value must not lose the ticket.
    caller_name: str | None = Field(default=None, sa_type=SealedText("tickets.caller_name"))
    phone: str | None = Field(default=None, sa_type=SealedText("tickets.phone"))
    # lookup_hash(phone), kept by _hash_phone below; None with no phone.
    phone_hash: str | None = Field(default=None, max_length=64)
    urgent: bool = False
    police: bool = False
    unit: str | None = Field(default=None, max_length=128)
    co_unit: str | None = Field(default=None, max_length=128)
    dispatch: str | None = Field(default=None, max_length=16)
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    summary: str = Field(default="", sa_type=SealedText("tickets.summary"))
    status: str = Field(default=TICKET_NEW_STATUS, max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)
    # What the handling unit did: when it accepted and reported, and the result it reported
    # ("solved", "not_solved", "explained") with its text.
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    reported_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    result: str | None = Field(default=None, max_length=16)
    result_text: str | None = Field(default=None, sa_type=SealedText("tickets.result_text"))  # may name the caller
    # More time the unit asked for and a supervisor has not yet decided on (hours), and why.
    extension_hours: float | None = None
    extension_reason: str | None = Field(default=None, sa_type=Text)
    # 并单: an order about the same matter as an open one follows that one (its caller is still
    # called back); the open one counts everyone who called about it.
    merged_into: str | None = Field(
        default=None,
        sa_column=Column(String(32), ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    callers: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


@event.listens_for(Ticket, "before_insert")
@event.listens_for(Ticket, "before_update")
def _hash_phone(_mapper: Any, _connection: Any, ticket: Ticket) -> None:
    # Here rather than at each place a number is set, so no path can store one without its hash.
    ticket.phone_hash = lookup_hash(ticket.phone) if ticket.phone else None


class TicketEvent(SQLModel, table=True):
    """One step in a ticket's life, in the order written (id): who (`actor`), when (`at`), what
    (`kind`, the status it moved from and to, the fields it changed) and why (`note`). Replaying the
    `changes` of a ticket's events in order gives the ticket as stored (server/workflow/history.py)."""

    __tablename__ = "ticket_events"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(
        sa_column=Column(String(32), ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    kind: str = Field(max_length=32)
    # "seat", "catalogue", or "<role>:<key id>" for a person's or a unit's key.
    actor: str = Field(max_length=64)
    # Written by people about the caller's matter (a unit's return, an agent's remark): sealed.
    note: str = Field(default="", sa_type=SealedText("ticket_events.note"))
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    # {field: new value} for every ticket field the step set (times as ISO strings).
    changes: dict[str, Any] | None = Field(default=None, sa_type=SealedJSON("ticket_events.changes"))


class KnowledgeRevision(SQLModel, table=True):
    """A counter per kind of knowledge ("kb", "catalogue", "gazetteer"), bumped by every import, so
    a running server can tell cheaply that it must rebuild its indexes."""

    __tablename__ = "knowledge_revisions"

    kind: str = Field(primary_key=True, max_length=16)
    revision: int = 0
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)


class KnowledgeChange(SQLModel, table=True):
    """One change to the seat's knowledge, written in the transaction that made it: which kind and
    item, what was done (create, edit, retire, restore, or a whole file's import), the item before
    and after (an import: everything before, and counts after), who (the key, or the CLI or seed),
    when, and the kind's revision it produced (server/storage/knowledge_log.py)."""

    __tablename__ = "knowledge_changes"
    __table_args__ = (Index("ix_knowledge_changes_kind_item", "kind", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    # The item as people name it: a KB article's id, a catalogue topic, "district/street"; none for
    # an import.
    item: str | None = Field(default=None, max_length=256)
    action: str = Field(max_length=16)
    before: dict[str, Any] | list[Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | list[Any] | None = Field(default=None, sa_type=JSON)
    key_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("api_keys.id"), nullable=True)
    )
    actor: str = Field(default="", sa_type=Text)
    revision: int
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)


class ApiKey(SQLModel, table=True):
    """A key for the API and the WebSockets: its role, and for a handling unit which unit. Only a
    hash of the key is kept; the key itself is shown once, when it is made."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    # sha256 of the key, hex: keys are long random strings, so a fast hash is as safe as a slow one.
    key_hash: str = Field(max_length=64, unique=True)
    # The first characters of the key, to tell keys apart in a list.
    prefix: str = Field(max_length=16)
    role: str = Field(max_length=16)
    unit: str | None = Field(default=None, max_length=128)
    label: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Callback(SQLModel, table=True):
    """The survey call (回访) owed to one caller of a reported order: the order's own caller, or the
    caller of an order merged into it. Claimed by one node at a time until `claim_until`."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_status_due_at", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # The caller's own order, and the order whose handling the survey asks about (the same, or the
    # open order it was merged into).
    ticket_id: str = Field(
        sa_column=Column(String(32), ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    order_id: str = Field(
        sa_column=Column(String(32), ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    phone: str = Field(sa_type=SealedText("callbacks.phone"))
    # pending, calling (claimed), done, declined, gave_up
    status: str = Field(max_length=16)
    due_at: datetime = Field(sa_type=UtcDateTime)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claim_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The caller's answers: contacted by the unit? solved? 满意 / 基本满意 / 不满意.
    contacted: bool | None = None
    solved: bool | None = None
    satisfaction: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class CallbackAttempt(SQLModel, table=True):
    """One dialling of a callback: by which node, when, how it went, what was answered."""

    __tablename__ = "callback_attempts"

    id: int | None = Field(default=None, primary_key=True)
    callback_id: int = Field(
        sa_column=Column(Integer, ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    node: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # answered, declined, busy, no_answer, unclear, failed
    outcome: str | None = Field(default=None, max_length=16)
    answers: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # What was heard of the citizen's answers, in their words.
    note: str = Field(default="", sa_type=SealedText("callback_attempts.note"))
    # The sha256 of the one-time token the survey's media stream must present (server/dialer/).
    token_hash: str | None = Field(default=None, max_length=64)
    # The carrier's id for the call, which its status callbacks name.
    call_sid: str | None = Field(default=None, max_length=64, index=True)


class WebSession(SQLModel, table=True):
    """A browser's login: made when someone signs in with a role key, carried in a cookie. Only a
    hash of the cookie's token is kept; the CSRF token is the one the pages put in their forms.
    A session lives no longer than its key: revoking the key ends it."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    key_id: int = Field(sa_column=Column(Integer, ForeignKey("api_keys.id"), nullable=False, index=True))
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


# The recordings and the audit log, in a module of their own; imported here so that they are registered
# wherever the models are.
from server.storage import recording_tables  # noqa: E402, F401
