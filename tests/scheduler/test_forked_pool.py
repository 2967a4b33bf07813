"""The planning processes' pool: an error or Ctrl-C out of it stops its processes at
once instead of waiting for the work queued behind them."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from scheduler.forked_pool import forked_pool, usable_processes
from tests.watchdog import failing_if_it_hangs


def _fails(_: int) -> None:
    raise ValueError("a task's own error")


def _sleeps(_: int) -> None:
    time.sleep(3600)  # work that would keep a waiting pool waiting for an hour


def running(pid: int) -> bool:
    """Whether a process still runs (a zombie has ended: only its exit status is left)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_a_tasks_error_reaches_the_caller_and_the_processes_are_gone() -> None:
    error = pytest.raises(ValueError, match="a task's own error")
    before = set(multiprocessing.active_children())
    with failing_if_it_hangs(30), error, forked_pool(2) as pool:
        failing = pool.submit(_fails, 0)
        for task in range(4):
            pool.submit(_sleeps, task)
        pids = [child.pid for child in set(multiprocessing.active_children()) - before]
        failing.result()
    assert len(pids) == 2 and not any(running(pid) for pid in pids if pid is not None)


def test_leaving_the_block_by_an_interrupt_stops_the_work_in_hand() -> None:
    before = set(multiprocessing.active_children())
    with failing_if_it_hangs(30), pytest.raises(KeyboardInterrupt), forked_pool(2) as pool:
        for task in range(4):
            pool.submit(_sleeps, task)
        pids = [child.pid for child in set(multiprocessing.active_children()) - before]
        raise KeyboardInterrupt  # Ctrl-C while the parent waits for the groups
    assert len(pids) == 2 and not any(running(pid) for pid in pids if pid is not None)


def test_no_more_processes_than_tasks_or_cores() -> None:
    assert usable_processes(64, 3) == min(3, usable_processes(64, 1000))
    assert usable_processes(64, 1000) <= multiprocessing.cpu_count()
    assert usable_processes(2, 0) == usable_processes(0, 5) == 1
