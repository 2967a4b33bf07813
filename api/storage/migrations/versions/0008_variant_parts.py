"""A what-if is one job per variant (its parts), spread over the workers; the what-if's own
row waits for them and holds the comparison.

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
        batch.create_index("ix_plan_jobs_parent_id", ["parent_id"])


def downgrade() -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_index("ix_plan_jobs_parent_id")
        batch.drop_column("part")
        batch.drop_column("parent_id")
