"""Instants are timestamps with a zone, not texts compared as text: a programme's session
rows and history, its meetings (planned and as Outlook has them) and the outbox.

SQLite has no timestamp type: SQLAlchemy stores them as `YYYY-MM-DD HH:MM:SS.ffffff` text
(UTC here), so the stored `2027-01-05T13:00:00Z` texts are rewritten into that form;
PostgreSQL converts them in place (`timestamptz`).

Revision ID: 0009
Revises: 0008
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = {
    "programme_sessions": (("start", False), ("end", False)),
    "session_events": (("old_start", True), ("new_start", True)),
    "meetings": (("start", False), ("end", False), ("event_start", True), ("event_end", True)),
    "outbox": (("start", True),),
}


def _as_typed(
    columns: tuple[tuple[str, bool], ...], kind: type[sa.DateTime | sa.String]
) -> tuple[sa.Column[Any], ...]:
    """SQLite: the columns read as already of `kind`, so that the table's copy keeps each
    text as it is (a cast to DATETIME would turn '2027-01-05 ...' into the number 2027)."""
    return tuple(sa.Column(name, kind(), nullable=nullable) for name, nullable in columns)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in COLUMNS.items():
        if sqlite:
            for column, _ in columns:
                op.execute(
                    f'UPDATE {table} SET "{column}" = '
                    f"replace(replace(\"{column}\", 'T', ' '), 'Z', '.000000')"
                )
        reflect = _as_typed(columns, sa.DateTime) if sqlite else ()
        with op.batch_alter_table(table, reflect_args=reflect) as batch:
            for column, nullable in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.String(40),
                    type_=sa.DateTime(timezone=True),
                    existing_nullable=nullable,
                    postgresql_using=f'"{column}"::timestamptz',
                )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in COLUMNS.items():
        reflect = _as_typed(columns, sa.String) if sqlite else ()
        with op.batch_alter_table(table, reflect_args=reflect) as batch:
            for column, nullable in columns:
                batch.alter_column(
                    column,
                    existing_type=sa.DateTime(timezone=True),
                    type_=sa.String(40),
                    existing_nullable=nullable,
                    postgresql_using=(
                        f'to_char("{column}" AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
                    ),
                )
        if sqlite:
            for column, _ in columns:
                op.execute(
                    f'UPDATE {table} SET "{column}" = '
                    f"replace(substr(\"{column}\", 1, 19), ' ', 'T') || 'Z'"
                )
