"""tickets: when the unit accepted and reported, its result, and an extension asked for

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("accepted_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("reported_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("result", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("result_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("extension_hours", sa.Float(), nullable=True))
        batch.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for column in ("extension_reason", "extension_hours", "result_text", "result", "reported_at", "accepted_at"):
            batch.drop_column(column)
