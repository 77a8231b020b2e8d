"""calls: the caller and place on every route; turns: the backend that understood a turn, why it fell
back, and the KB article the reply cites

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("caller_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("district", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("street", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("address", sa.Text(), nullable=True))
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("backend", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("fallback_reason", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("kb_article", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("kb_article")
        batch.drop_column("fallback_reason")
        batch.drop_column("backend")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("address")
        batch.drop_column("street")
        batch.drop_column("district")
        batch.drop_column("caller_name")
