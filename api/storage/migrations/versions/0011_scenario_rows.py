"""A programme's scenario in a row of its own (`programme_scenarios`): SQLite rewrites a
whole row when any of its columns changes, so every decline, plan and version number
rewrote the calendars too (tens of MB in a large programme, twice per decline).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_scenarios",
        sa.Column("programme_id", sa.String(36), sa.ForeignKey("programmes.id"), primary_key=True),
        sa.Column("body", sa.JSON(), nullable=False),
    )
    op.execute(
        "INSERT INTO programme_scenarios (programme_id, body) SELECT id, scenario FROM programmes"
    )
    # Dropped in place (SQLite 3.35 and later): a copy of the table, as a batch makes,
    # cannot be swapped in under the foreign keys of the sessions, meetings and scenarios.
    op.drop_column("programmes", "scenario")


def downgrade() -> None:
    # Nullable: a column added in place cannot be NOT NULL without a default (SQLite);
    # every row gets its scenario back at once.
    op.add_column("programmes", sa.Column("scenario", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE programmes SET scenario = (SELECT body FROM programme_scenarios "
        "WHERE programme_scenarios.programme_id = programmes.id)"
    )
    op.drop_table("programme_scenarios")
