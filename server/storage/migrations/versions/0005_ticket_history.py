"""ticket_events record each step's status change and field changes; tickets start in review or
dispatched instead of "created"

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_events") as batch:
        batch.add_column(sa.Column("from_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("to_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))
    # Orders filed before the workflow: those with a unit were sent to it, the others wait for a
    # supervisor.
    op.execute("UPDATE tickets SET status = 'dispatched' WHERE status = 'created' AND unit IS NOT NULL")
    op.execute("UPDATE tickets SET status = 'review' WHERE status = 'created'")


def downgrade() -> None:
    op.execute("UPDATE tickets SET status = 'created' WHERE status IN ('review', 'dispatched')")
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_column("changes")
        batch.drop_column("to_status")
        batch.drop_column("from_status")
