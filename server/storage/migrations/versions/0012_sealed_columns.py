"""Callers' data sealed at rest: the values already stored are sealed (server/storage/sealing.py),
tickets get the keyed hash of their number for lookups, ticket_events.changes becomes sealed text.

Needs the data keys loaded (`hotline db upgrade` and the server load them) when there are rows
to seal.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.storage.sealing import is_sealed, lookup_hash, seal, unseal

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this revision seals, as they were then (sealing.SEALED_COLUMNS grows with later ones).
SEALED_COLUMNS = (
    ("calls", "caller_number"), ("calls", "callback_number"), ("calls", "caller_name"), ("calls", "address"),
    ("calls", "dtmf"),
    ("turns", "asr_text"), ("turns", "reply_text"), ("turns", "partials"), ("turns", "reply_heard"),
    ("tickets", "address"), ("tickets", "caller_name"), ("tickets", "phone"), ("tickets", "summary"),
    ("tickets", "result_text"), ("ticket_events", "changes"), ("ticket_events", "note"), ("callbacks", "phone"),
    ("callback_attempts", "note"),
)


def _rows(table: str, column: str) -> list[tuple[object, str]]:
    query = sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
    return [(row[0], row[1]) for row in op.get_bind().execute(query)]


def _set(table: str, column: str, values: list[tuple[object, str | None]]) -> None:
    if values:
        query = sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id")
        op.get_bind().execute(query, [{"id": row_id, "value": value} for row_id, value in values])


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch.drop_index("ix_tickets_phone_status")
        batch.create_index("ix_tickets_phone_hash_status", ["phone_hash", "status"])
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("ticket_events", "changes", type_=sa.Text(), postgresql_using="changes::text")
    else:
        with op.batch_alter_table("ticket_events") as batch:
            batch.alter_column("changes", type_=sa.Text(), existing_type=sa.JSON())
    for table, column in SEALED_COLUMNS:
        context = f"{table}.{column}"
        _set(table, column, [(i, seal(str(v), context)) for i, v in _rows(table, column) if not is_sealed(str(v))])
    _set("tickets", "phone_hash",
         [(i, lookup_hash(unseal(v, "tickets.phone"))) for i, v in _rows("tickets", "phone")])


def downgrade() -> None:
    for table, column in SEALED_COLUMNS:
        context = f"{table}.{column}"
        _set(table, column, [(i, unseal(v, context)) for i, v in _rows(table, column) if is_sealed(v)])
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("ticket_events", "changes", type_=sa.JSON(), postgresql_using="changes::json")
    else:
        with op.batch_alter_table("ticket_events") as batch:
            batch.alter_column("changes", type_=sa.JSON(), existing_type=sa.Text())
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_phone_hash_status")
        batch.create_index("ix_tickets_phone_status", ["phone", "status"])
        batch.drop_column("phone_hash")
