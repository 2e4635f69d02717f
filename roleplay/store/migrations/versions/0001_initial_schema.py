"""Initial schema: sessions, turns (seq unique per session), grades.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _timestamps(*names: str, nullable: bool = False) -> list[sa.Column[datetime]]:
    return [sa.Column(name, sa.DateTime(timezone=True), nullable=nullable) for name in names]


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False, index=True),
        sa.Column("persona_id", sa.String(100), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("backend", sa.String(40), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("rubric_version", sa.String(40), nullable=False),
        sa.Column("prompt_version", sa.String(40), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("end_reason", sa.String(40), nullable=True),
        *_timestamps("created_at", "updated_at"),
        *_timestamps("ended_at", nullable=True),
    )
    op.create_table(
        "turns",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        *_timestamps("created_at"),
        *_timestamps("completed_at", nullable=True),
        sa.UniqueConstraint("session_id", "seq", name="uq_turns_session_seq"),
    )
    op.create_index("ix_turns_session_id", "turns", ["session_id"])
    op.create_table(
        "grades",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("grader", sa.String(100), nullable=False),
        sa.Column("grader_version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("grade_json", sa.Text, nullable=True),
        sa.Column("raw_reply", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        *_timestamps("created_at", "updated_at"),
    )
    op.create_index("ix_grades_session_id", "grades", ["session_id"])


def downgrade() -> None:
    op.drop_table("grades")
    op.drop_table("turns")
    op.drop_table("sessions")
