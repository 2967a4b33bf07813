"""What HR tools read: each session's kind and both people's local times, the people of
each history event (to filter it by person), and how often the programme's scenario was
written (PUT or a reported busy time or leave: the programme's ETag).

Existing rows are filled in from each programme's last plan, which holds all of it.

Revision ID: 0010
Revises: 0009
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme_sessions") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="mentoring")
        )
        batch.add_column(sa.Column("mentor_local", sa.String(40), nullable=True))
        batch.add_column(sa.Column("mentee_local", sa.String(40), nullable=True))
    with op.batch_alter_table("session_events") as batch:
        batch.add_column(sa.Column("mentor", sa.String(200), nullable=True))
        batch.add_column(sa.Column("mentee", sa.String(200), nullable=True))
    with op.batch_alter_table("programmes") as batch:
        batch.add_column(
            sa.Column("scenario_writes", sa.Integer(), nullable=False, server_default="0")
        )
    _fill_from_plans()


def _fill_from_plans() -> None:
    connection = op.get_bind()
    plans = connection.execute(
        sa.text("SELECT id, plan FROM programmes WHERE plan IS NOT NULL")
    ).all()
    for programme_id, plan in plans:
        # PostgreSQL's driver reads JSON as data; SQLite keeps it as text.
        _fill_programme(
            connection, programme_id, json.loads(plan) if isinstance(plan, str) else plan
        )


def _fill_programme(connection: Any, programme_id: str, plan: dict[str, Any]) -> None:
    people: dict[str, tuple[str, str]] = {}
    for s in plan.get("sessions", []):
        people[s["pair"]] = (s["mentor"], s["mentee"])
        connection.execute(
            sa.text(
                "UPDATE programme_sessions SET kind = :kind, mentor_local = :mentor_local, "
                "mentee_local = :mentee_local WHERE programme_id = :programme AND pair = :pair "
                'AND "index" = :index'
            ),
            {
                "kind": s.get("kind", "mentoring"),
                "mentor_local": s.get("mentor_local"),
                "mentee_local": s.get("mentee_local"),
                "programme": programme_id,
                "pair": s["pair"],
                "index": s["index"],
            },
        )
    for u in plan.get("unplaced", []):
        if u["pair"] not in people and len(u.get("people", [])) == 2:
            people[u["pair"]] = (u["people"][0], u["people"][1])
    for pair, (mentor, mentee) in people.items():
        connection.execute(
            sa.text(
                "UPDATE session_events SET mentor = :mentor, mentee = :mentee "
                "WHERE programme_id = :programme AND pair = :pair"
            ),
            {"mentor": mentor, "mentee": mentee, "programme": programme_id, "pair": pair},
        )


def downgrade() -> None:
    # Not a batch: on SQLite that copies the table, and dropping the old one is refused
    # while session rows and jobs refer to it. SQLite drops a column in place (3.35+).
    op.execute("ALTER TABLE programmes DROP COLUMN scenario_writes")
    with op.batch_alter_table("session_events") as batch:
        batch.drop_column("mentee")
        batch.drop_column("mentor")
    with op.batch_alter_table("programme_sessions") as batch:
        batch.drop_column("mentee_local")
        batch.drop_column("mentor_local")
        batch.drop_column("kind")
