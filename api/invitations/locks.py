"""One writer per programme at a time: a plan being recorded, a decline being marked and
the invitations being switched on never interleave (each reads what the last one wrote).

PostgreSQL locks the programme's row (`SELECT ... FOR UPDATE`). SQLite has no row locks:
`BEGIN IMMEDIATE` takes the database's write lock at once, which serialises writers the
same way (readers go on, in WAL mode)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.storage.models import Programme


def lock_programme(session: Session, programme_id: str) -> None:
    """Call before reading what will be written; objects read earlier must be refreshed."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:  # a write already holds the lock
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    session.execute(select(Programme.id).where(Programme.id == programme_id).with_for_update())
