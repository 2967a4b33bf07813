"""One writer at a time for a read that decides a write (a tenant's jobs counted before
one more is added; a programme read before it is written back), until the transaction ends.

PostgreSQL locks the row (`SELECT ... FOR UPDATE`). SQLite has no row locks: `BEGIN
IMMEDIATE` takes the database's write lock at once, which serialises writers the same way
(readers go on, in WAL mode)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session


def lock_row(session: Session, key: InstrumentedAttribute[str], value: str) -> None:
    """Call before reading what will be written; objects read earlier must be refreshed."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:  # a write already holds the lock
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    session.execute(select(key).where(key == value).with_for_update())
