"""The ledger of remote resources pipeline runs create; outbox rows that wait for another.

Revision ID: 0004_remote_resources
Revises: 0003_sync_fields
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_remote_resources"
down_revision = "0003_sync_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("vendor", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("org_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["pipeline_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_remote_resources_run", "remote_resources", ["run_id", "id"])
    op.create_index("ix_remote_resources_kind", "remote_resources", ["kind"])
    op.create_index("ix_remote_resources_parent_id", "remote_resources", ["parent_id"])
    op.create_index("ix_remote_resources_status", "remote_resources", ["status"])
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("depends_on", sa.Integer(), nullable=True))
        batch_op.create_index("ix_outbox_depends_on", ["depends_on"])
        batch_op.create_foreign_key(
            "fk_outbox_depends_on", "outbox", ["depends_on"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_depends_on", type_="foreignkey")
        batch_op.drop_index("ix_outbox_depends_on")
        batch_op.drop_column("depends_on")
    op.drop_table("remote_resources")
