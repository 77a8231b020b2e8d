"""survey calls: each attempt's one-time stream token (hashed) and the carrier's call id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_attempts") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("call_sid", sa.String(length=64), nullable=True))
        batch.create_index("ix_callback_attempts_call_sid", ["call_sid"])


def downgrade() -> None:
    with op.batch_alter_table("callback_attempts") as batch:
        batch.drop_index("ix_callback_attempts_call_sid")
        batch.drop_column("call_sid")
        batch.drop_column("token_hash")
