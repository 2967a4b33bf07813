"""Run one job's computation in a process of its own, killed (not asked) past its limits.

The worker forks a child for the computation and watches it: past the time limit (plus a
margin) or the memory cap, the child and everything it started get SIGKILL, and the job
ends failed with a reason a person can act on; the worker process goes on. The child
sends progress lines and its result through a pipe; the parent keeps reading it, so a
large result never blocks the child, and calls `tick` about once a second (the job's
heartbeat) whatever the child is doing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import struct
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from scheduler.heap import collect_own_objects, heap_frozen

_HEADER = struct.Struct("!cQ")  # kind (p: progress, r: result), payload length
PAGE_KILOBYTES = os.sysconf("SC_PAGE_SIZE") // 1024
TICK_SECONDS = 1.0
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.05


@dataclass(frozen=True)
class Limits:
    seconds: float  # wall time, from the fork
    megabytes: int  # resident memory of the child and its own children
    niceness: int = 0  # added to the child's: a large job yields the cores to small ones


@dataclass(frozen=True)
class Ended:
    outcome: dict[str, Any] | None  # what the computation returned
    failure: str | None = None  # why it has none: killed at a limit, crashed, abandoned


Compute = Callable[[Callable[[str], None]], dict[str, Any]]
Tick = Callable[[str | None], bool]  # (latest progress) -> go on?


def run_isolated(compute: Compute, limits: Limits, tick: Tick) -> Ended:
    reader, writer = os.pipe()
    with heap_frozen():  # the child collects only what it makes (`scheduler.heap`)
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's exits
            os.close(reader)
            os.setpgid(0, 0)  # its own process group: a kill takes its children too
            _child(compute, writer, limits.niceness)
    os.close(writer)
    with contextlib.suppress(OSError):  # also here: a kill right after the fork finds it
        os.setpgid(pid, pid)
    child = _Child(pid)
    try:
        return _watch(child, reader, limits, tick)
    finally:  # whatever ended the watch, nothing of the job outlives it
        os.close(reader)
        child.kill()


def die_with_parent() -> None:
    """Linux: SIGKILL this process when the thread that started it ends, so a killed
    worker leaves no computation running on its own."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(compute: Compute, writer: int, niceness: int) -> None:
    collect_own_objects()
    status = 0
    try:
        if niceness:
            os.nice(niceness)
        parent = os.getppid()
        die_with_parent()
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
        result = compute(lambda line: _send(writer, b"p", line.encode("utf-8", "replace")))
        _send(writer, b"r", orjson.dumps(result))
    except BaseException:  # the parent reports the crash; the trace goes to the log
        traceback.print_exc(file=sys.stderr)
        status = 1
    finally:
        os._exit(status)


def _send(writer: int, kind: bytes, payload: bytes) -> None:
    data = _HEADER.pack(kind, len(payload)) + payload
    view = memoryview(data)
    while view:
        view = view[os.write(writer, view) :]


def _watch(child: _Child, reader: int, limits: Limits, tick: Tick) -> Ended:
    began = time.monotonic()
    buffer, progress, last_tick = bytearray(), None, began
    result: dict[str, Any] | None = None
    open_pipe = True
    while True:
        if open_pipe and select.select([reader], [], [], WATCH_SECONDS)[0]:
            chunk = os.read(reader, 1 << 20)
            if not chunk:
                open_pipe = False
            buffer += chunk
            for kind, payload in _messages(buffer):
                if kind == b"p":
                    progress = payload.decode("utf-8", "replace")
                else:
                    result = orjson.loads(payload)
        elif not open_pipe:
            time.sleep(WATCH_SECONDS)
        ended = child.ended()
        if ended is not None and not open_pipe:
            if result is not None:
                return Ended(result)
            return Ended(None, f"the job's process ended without a result ({ended})")
        elapsed = time.monotonic() - began
        if elapsed > limits.seconds:
            return Ended(
                None,
                f"killed after {elapsed:.0f} s, past its limit of "
                f"{limits.seconds:.0f} s: plan fewer pairs or weeks per job, or "
                "raise the time limit",
            )
        used = resident_megabytes(child.pid)
        if used > limits.megabytes:
            return Ended(
                None,
                f"killed at {used:,.0f} MB of memory, past its cap of "
                f"{limits.megabytes:,} MB: plan fewer pairs, a coarser grid or a "
                "shorter horizon per job",
            )
        if time.monotonic() - last_tick >= TICK_SECONDS:
            last_tick = time.monotonic()
            if not tick(progress):
                return Ended(None, "abandoned: another worker took the job over")
            progress = None


def _messages(buffer: bytearray) -> list[tuple[bytes, bytes]]:
    """The whole messages at the front of `buffer`, removed from it."""
    found = []
    while len(buffer) >= _HEADER.size:
        kind, length = _HEADER.unpack_from(buffer)
        end = _HEADER.size + length
        if len(buffer) < end:
            break
        found.append((kind, bytes(buffer[_HEADER.size : end])))
        del buffer[:end]
    return found


class _Child:
    """The job's process: how it ended (reaped once), and its kill."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.status: str | None = None

    def ended(self) -> str | None:
        """How the process ended, once it has; None while it runs."""
        if self.status is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = _how(status)
        return self.status

    def kill(self) -> None:
        """SIGKILL to its whole process group (the solver's own processes too), then reap."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if self.status is None:
            self.status = _how(os.waitpid(self.pid, 0)[1])


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.WEXITSTATUS(status)}"


def resident_megabytes(pid: int) -> float:
    """Resident memory of the process and its descendants (the solver's own processes)."""
    total_pages = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/statm").read_text().split()
        except OSError:
            continue
        total_pages += int(fields[1])
    return total_pages * PAGE_KILOBYTES / 1024


def _tree(pid: int) -> list[int]:
    found, waiting = [], [pid]
    while waiting:
        member = waiting.pop()
        found.append(member)
        try:
            children = Path(f"/proc/{member}/task/{member}/children").read_text().split()
        except OSError:
            continue
        waiting.extend(int(child) for child in children)
    return found
