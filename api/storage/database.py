"""Engines and schema upgrades. SQLite (a file) is the embedded default; PostgreSQL is the
production database. The service upgrades the schema with Alembic when it starts."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"

# SQLite keeps its file locks' bookkeeping in the process. A child forked while another
# thread is inside a write transaction inherits "a connection of this process holds the
# lock", but not the lock: every write of the child then fails with "database is locked",
# forever. Threads of a process that forks (the worker's registration beside Celery's
# prefork pool) write inside `no_fork_meanwhile()`; a fork waits for them.
_FORK_GUARD = threading.Lock()
os.register_at_fork(
    before=_FORK_GUARD.acquire,
    after_in_parent=_FORK_GUARD.release,
    after_in_child=_FORK_GUARD.release,
)


@contextmanager
def no_fork_meanwhile() -> Iterator[None]:
    """No process of this one is forked while the block runs (see `_FORK_GUARD`)."""
    with _FORK_GUARD:
        yield


def normalised_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver the project installs)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, keep_connections: bool = True, connections: int | None = None) -> Engine:
    """`keep_connections=False`: each session's connection is closed after it, so that a
    process forked later inherits no open connection of this engine. `connections`: the
    most it opens at once (its users take no more: `api.dependencies`)."""
    url = normalised_url(url)
    # orjson: a programme's scenario with its calendars is tens of MB of JSON, read and
    # written on every re-plan; the standard library's codec takes three times as long.
    options: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if not keep_connections:
        options["poolclass"] = NullPool
    elif connections is not None:
        options.update(pool_size=connections, max_overflow=0)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **options
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    """WAL lets readers work while the worker writes; foreign keys are off by default."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
