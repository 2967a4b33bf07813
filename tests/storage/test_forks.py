"""A process forked beside a thread that writes to SQLite can still write: the fork waits
for the write in flight (`no_fork_meanwhile`). Without the wait the child inherits the
bookkeeping of a lock it does not hold, and every write of its fails, "database is locked"
(seen in CI: a worker process that could never claim a job)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import text

from api.storage.database import make_engine, no_fork_meanwhile

FORK_ASKED = threading.Event()
os.register_at_fork(before=FORK_ASKED.set)  # runs before the guard's hook (registered later)


def child_can_write(url: str) -> bool:
    """In a forked child: write one row (waiting up to 5 s for the lock)."""
    try:
        with make_engine(url).begin() as connection:
            connection.execute(text("PRAGMA busy_timeout=5000"))
            connection.execute(text("INSERT INTO marks VALUES ('child')"))
        return True
    except Exception:
        return False


def test_a_fork_waits_for_a_write_in_flight_and_the_child_can_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forks.db'}"
    engine = make_engine(url, keep_connections=False)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE marks (who TEXT)"))
    FORK_ASKED.clear()
    writing = threading.Event()

    def write_while_a_fork_is_asked() -> None:
        with no_fork_meanwhile(), engine.begin() as connection:
            connection.execute(text("INSERT INTO marks VALUES ('thread')"))
            writing.set()
            FORK_ASKED.wait(10)  # the transaction is open when the fork is asked for

    thread = threading.Thread(target=write_while_a_fork_is_asked)
    thread.start()
    assert writing.wait(10)
    pid = os.fork()
    if pid == 0:
        os._exit(0 if child_can_write(url) else 1)
    thread.join()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "the child could not write"
    with engine.connect() as connection:
        marks = connection.execute(text("SELECT who FROM marks ORDER BY who")).scalars().all()
    assert marks == ["child", "thread"]
