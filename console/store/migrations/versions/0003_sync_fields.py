"""Conversation and message fields the sync engine keeps (handler id, WhatsApp window).

Revision ID: 0003_sync_fields
Revises: 0002_pipeline_runs
Create Date: 2026-11-23 11:53:07.074303
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sync_fields"
down_revision = "0002_pipeline_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_by_id", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("reply_window_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("message_count", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tool_calls", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("template_name", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("template_name")
        batch_op.drop_column("tool_calls")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("message_count")
        batch_op.drop_column("reply_window_expires_at")
        batch_op.drop_column("handled_by_id")
