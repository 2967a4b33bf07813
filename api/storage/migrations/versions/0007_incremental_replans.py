"""Re-plans start from the last plan: a programme records whose calendars changed since
it, and which revision of its scenario it was made from.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programmes") as batch:
        batch.add_column(
            sa.Column("changed_people", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(
            sa.Column("scenario_revision", sa.Integer(), nullable=False, server_default="0")
        )
        # None (every programme planned before this revision): its next plan is a full one.
        batch.add_column(sa.Column("planned_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programmes") as batch:
        batch.drop_column("planned_revision")
        batch.drop_column("scenario_revision")
        batch.drop_column("changed_people")
