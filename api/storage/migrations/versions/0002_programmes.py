"""Programmes, their session history, and job kinds.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False, index=True
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "programme_id",
            sa.String(36),
            sa.ForeignKey("programmes.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("pair", sa.String(200), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("old_start", sa.String(40), nullable=True),
        sa.Column("new_start", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("plan_jobs") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="plan"))
        batch.add_column(sa.Column("programme_id", sa.String(36), nullable=True))
        batch.create_foreign_key("fk_plan_jobs_programme", "programmes", ["programme_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_constraint("fk_plan_jobs_programme", type_="foreignkey")
        batch.drop_column("programme_id")
        batch.drop_column("kind")
    op.drop_table("session_events")
    op.drop_table("programmes")
