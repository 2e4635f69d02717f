"""Trainer labels (human scores per session) and where a session came from (practice or imported).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

SCORE_COLUMNS = ("p1", "p2", "p3", "p4", "p5", "s1", "s2", "s3", "s4", "s5")


def upgrade() -> None:
    op.add_column("sessions", sa.Column("source", sa.String(20), nullable=False, server_default="practice"))
    op.add_column("sessions", sa.Column("external_id", sa.String(200), nullable=True))
    op.create_table(
        "labels",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        *[sa.Column(name, sa.Integer, nullable=False) for name in SCORE_COLUMNS],
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_labels_session_id", "labels", ["session_id"])


def downgrade() -> None:
    op.drop_table("labels")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("external_id")
        batch.drop_column("source")
