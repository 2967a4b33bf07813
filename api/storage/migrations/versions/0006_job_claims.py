"""Plan jobs run on the task engine's workers: claimed with a token and kept by heartbeat,
sorted into queues by size; workers report that they are alive.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_jobs") as batch:
        batch.add_column(sa.Column("queue", sa.String(16), nullable=False, server_default="small"))
        batch.add_column(sa.Column("claim_token", sa.String(36), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("worker", sa.String(200), nullable=True))
        batch.add_column(sa.Column("base_version", sa.Integer(), nullable=True))
        batch.drop_column("lease_until")
        # A programme's job reads the programme itself: no copy of its scenario per job.
        batch.alter_column("scenario", existing_type=sa.JSON(), nullable=True)
        batch.create_index("ix_plan_jobs_queue_status", ["queue", "status", "created_at"])
    op.create_table(
        "workers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("queues", sa.String(200), nullable=False),
        sa.Column("processes", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("workers")
    with op.batch_alter_table("plan_jobs") as batch:
        batch.drop_index("ix_plan_jobs_queue_status")
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        for column in ("base_version", "worker", "dispatched_at", "heartbeat_at", "claim_token"):
            batch.drop_column(column)
        batch.drop_column("queue")
