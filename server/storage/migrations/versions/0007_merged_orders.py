"""tickets: an order merged into an open one (并单) links to it; an order counts its callers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("callers", sa.Integer(), nullable=False, server_default="1"))
        batch.create_foreign_key(
            op.f("fk_tickets_merged_into_tickets"), "tickets", ["merged_into"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(op.f("ix_tickets_merged_into"), ["merged_into"])
    with op.batch_alter_table("tickets") as batch:
        batch.create_index(op.f("ix_tickets_phone_status"), ["phone", "status"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index(op.f("ix_tickets_phone_status"))
        batch.drop_index(op.f("ix_tickets_merged_into"))
        batch.drop_constraint(op.f("fk_tickets_merged_into_tickets"), type_="foreignkey")
        batch.drop_column("callers")
        batch.drop_column("merged_into")
