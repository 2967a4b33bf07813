"""A programme's sessions as rows, indexed by person and start.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_sessions",
        sa.Column("programme_id", sa.String(36), sa.ForeignKey("programmes.id"), primary_key=True),
        sa.Column("pair", sa.String(200), primary_key=True),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("mentor", sa.String(200), nullable=False),
        sa.Column("mentee", sa.String(200), nullable=False),
        sa.Column("start", sa.String(20), nullable=False),
        sa.Column("end", sa.String(20), nullable=False),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_programme_sessions_mentor", "programme_sessions", ["programme_id", "mentor", "start"]
    )
    op.create_index(
        "ix_programme_sessions_mentee", "programme_sessions", ["programme_id", "mentee", "start"]
    )
    op.create_index("ix_programme_sessions_start", "programme_sessions", ["programme_id", "start"])


def downgrade() -> None:
    op.drop_table("programme_sessions")
