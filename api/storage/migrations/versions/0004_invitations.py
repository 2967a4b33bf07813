"""Outlook meetings, their outbox, and Graph change notifications.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "programmes",
        sa.Column("invitations", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("programme_id", sa.String(36), sa.ForeignKey("programmes.id"), nullable=False),
        sa.Column("pair", sa.String(200), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(300), nullable=False, unique=True),
        sa.Column("organiser", sa.String(320), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("start", sa.String(20), nullable=False),
        sa.Column("end", sa.String(20), nullable=False),
        sa.Column("wanted", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("synced_revision", sa.Integer(), nullable=False),
        sa.Column("attempted_revision", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(512), nullable=True),
        sa.Column("event_start", sa.String(20), nullable=True),
        sa.Column("event_end", sa.String(20), nullable=True),
        sa.Column("event_cancelled", sa.Boolean(), nullable=False),
        sa.Column("join_url", sa.Text(), nullable=True),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("decline_handled", sa.String(20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("programme_id", "pair", "index", "generation"),
    )
    op.create_index("ix_meetings_programme_id", "meetings", ["programme_id"])
    op.create_index("ix_meetings_synced_revision", "meetings", ["synced_revision"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.String(36), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("programme_id", sa.String(36), sa.ForeignKey("programmes.id"), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("start", sa.String(20), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_meeting_id", "outbox", ["meeting_id"])
    op.create_index("ix_outbox_programme_id", "outbox", ["programme_id"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_table(
        "graph_subscriptions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("mailbox", sa.String(320), nullable=False, index=True),
        sa.Column("client_state_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "graph_notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(512), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed", sa.Boolean(), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("graph_notifications")
    op.drop_table("graph_subscriptions")
    op.drop_table("outbox")
    op.drop_table("meetings")
    op.drop_column("programmes", "invitations")
