"""Jobs in parts, spread over the workers (a what-if's variants, a large plan's groups);
the job's own row waits for them and holds the result.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.add_column(sa.Column("parent_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("part", sa.Integer(), nullable=True))
        # A programme's plan in parts: what it is made from, recorded with the assembled plan.
        batch.add_column(sa.Column("basis", sa.JSON(), nullable=True))
        batch.create_index("ix_plan_jobs_parent_id", ["parent_id"])


def downgrade() -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_index("ix_plan_jobs_parent_id")
        batch.drop_column("basis")
        batch.drop_column("part")
        batch.drop_column("parent_id")
