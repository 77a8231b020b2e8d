"""call recovery: the node holding a live call, its lease, and the seat's draft after each turn
(sealed: it holds the caller's name, number and words), so that another node can finish a call
whose node died (server/workflow/recovery.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("node", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("draft", sa.Text(), nullable=True))
        batch.create_index("ix_calls_status_lease_until", ["status", "lease_until"])


def downgrade() -> None:
    # An older version knows no "interrupted": such a call is one that ended with an error (its
    # error says how), which is "failed" there.
    op.execute(sa.text("UPDATE calls SET status = 'failed' WHERE status = 'interrupted'"))
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_status_lease_until")
        batch.drop_column("draft")
        batch.drop_column("lease_until")
        batch.drop_column("node")
