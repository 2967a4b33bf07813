"""Forked worker processes that never leave their parent waiting.

`tandem plan` forks processes that inherit the programme (copying it through a pipe would
cost more than the work). Python's `multiprocessing.Pool` waits forever for the tasks of a
process the kernel killed (out of memory, say), and `ProcessPoolExecutor` waits for all
queued work before an error or Ctrl-C reaches the caller. So the pool here is an executor
(a dead process fails its futures with `BrokenProcessPool`), and leaving it by an
exception kills its processes at once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def usable_processes(asked: int, tasks: int) -> int:
    """No more processes than tasks or than the machine's cores: more would only copy the
    programme again (`--processes` never changes the plan)."""
    return max(1, min(asked, tasks, multiprocessing.cpu_count()))


@contextmanager
def forked_pool(
    processes: int, initializer: Callable[[], None] | None = None
) -> Iterator[ProcessPoolExecutor]:
    """An executor of `processes` forked processes; an exception out of the block (a task's
    error, Ctrl-C, the caller giving up) kills them instead of waiting for queued work."""
    before = set(multiprocessing.active_children())
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(processes, context, initializer=initializer)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        stopped = set(multiprocessing.active_children()) - before
        for child in stopped:
            child.kill()
        for child in stopped:
            child.join()
        raise
    finally:
        pool.shutdown(wait=True)
