"""The platform's update time of each synced row, so sync applies only newer rows.

Revision ID: 0005_remote_updated_at
Revises: 0004_remote_resources
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_remote_updated_at"
down_revision = "0004_remote_resources"
branch_labels = None
depends_on = None

#: The tables sync fills from platform objects that carry an `updatedAt`.
_TABLES = ("organizations", "projects", "conversations")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("remote_updated_at")
