"""knowledge_changes: every change to the KB, catalogue and gazetteer, attributed; items retired, not deleted

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)
KNOWLEDGE_TABLES = ("kb_articles", "catalogue_entries", "gazetteer_places")


def upgrade() -> None:
    for table in KNOWLEDGE_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("retired_at", UTC_DATETIME, nullable=True))
    op.create_table(
        "knowledge_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=256), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_keys.id"], name=op.f("fk_knowledge_changes_key_id_api_keys")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_changes")),
    )
    op.create_index(op.f("ix_knowledge_changes_at"), "knowledge_changes", ["at"])
    op.create_index("ix_knowledge_changes_kind_item", "knowledge_changes", ["kind", "item"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_changes_kind_item", table_name="knowledge_changes")
    op.drop_index(op.f("ix_knowledge_changes_at"), table_name="knowledge_changes")
    op.drop_table("knowledge_changes")
    for table in reversed(KNOWLEDGE_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("retired_at")
