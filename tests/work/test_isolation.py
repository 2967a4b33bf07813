"""A job's process is killed at its limits, and the watcher goes on; a result of any size
comes through; a crash is a failure with a reason, never a hang."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any

from api.work.isolation import Limits, resident_megabytes, run_isolated
from scheduler.heap import collector_paused

Progress = Callable[[str], None]
ROOMY = Limits(seconds=60, megabytes=4096)


def keep_going(_: str | None) -> bool:
    return True


def test_a_result_of_many_megabytes_comes_through() -> None:
    def compute(progress: Progress) -> dict[str, Any]:
        progress("half way")
        return {"status": "done", "plan": ["x" * 1000] * 20_000}  # about 20 MB of JSON

    ended = run_isolated(compute, ROOMY, keep_going)
    assert ended.failure is None
    assert ended.outcome is not None and len(ended.outcome["plan"]) == 20_000


def test_a_job_past_its_time_is_killed_not_asked() -> None:
    def compute(_: Progress) -> dict[str, Any]:
        while True:  # ignores every request to stop
            time.sleep(0.01)

    began = time.monotonic()
    ended = run_isolated(compute, Limits(seconds=1.0, megabytes=4096), keep_going)
    assert ended.outcome is None and ended.failure is not None
    assert "past its limit of 1 s" in ended.failure
    assert time.monotonic() - began < 10


def test_a_job_past_its_memory_cap_is_killed() -> None:
    cap = int(resident_megabytes(os.getpid())) + 300

    def compute(_: Progress) -> dict[str, Any]:
        hoard = []
        while True:
            hoard.append(bytearray(50_000_000))  # touched: resident, not only reserved
            for block in hoard[-1:]:
                block[::4096] = b"x" * len(block[::4096])
            time.sleep(0.01)

    ended = run_isolated(compute, Limits(seconds=60, megabytes=cap), keep_going)
    assert ended.outcome is None and ended.failure is not None
    assert f"past its cap of {cap:,} MB" in ended.failure


def test_a_crash_is_a_failure_with_its_reason() -> None:
    def compute(_: Progress) -> dict[str, Any]:
        raise RuntimeError("boom")

    ended = run_isolated(compute, ROOMY, keep_going)
    assert ended.outcome is None
    assert ended.failure == "the job's process ended without a result (exit code 1)"


def test_a_lost_claim_stops_the_job() -> None:
    ticks: list[str | None] = []

    def compute(progress: Progress) -> dict[str, Any]:
        progress("started")
        time.sleep(30)
        return {"status": "done"}

    def tick(progress: str | None) -> bool:
        ticks.append(progress)
        return len(ticks) < 2  # the second heartbeat finds the job taken over

    began = time.monotonic()
    ended = run_isolated(compute, ROOMY, tick)
    assert ended.failure == "abandoned: another worker took the job over"
    assert ticks[0] == "started"  # progress reaches the heartbeat
    assert time.monotonic() - began < 10


def test_the_watcher_goes_on_after_a_kill() -> None:
    def forever(_: Progress) -> dict[str, Any]:
        time.sleep(60)
        return {}

    run_isolated(forever, Limits(seconds=0.5, megabytes=4096), keep_going)
    ended = run_isolated(lambda _: {"status": "done", "plan": 1}, ROOMY, keep_going)
    assert ended.outcome == {"status": "done", "plan": 1}


def test_a_large_jobs_process_yields_the_cores_to_small_ones() -> None:
    """The worker's own priority stays; the job's process runs `large_job_niceness` lower."""
    from api.settings import ServiceSettings
    from api.work.runner import job_limits

    def compute(_: Progress) -> dict[str, Any]:
        return {"status": "done", "niceness": os.nice(0)}

    settings = ServiceSettings(large_job_niceness=7)
    mine = os.nice(0)
    for queue, added in (("large", 7), ("small", 0)):
        ended = run_isolated(compute, job_limits(settings, queue), keep_going)
        assert ended.outcome is not None
        assert ended.outcome["niceness"] == min(19, mine + added), queue
    assert os.nice(0) == mine


def test_the_child_collects_what_it_makes_and_not_what_it_inherits() -> None:
    """The worker pauses its collector for a job (`scheduler.heap.collector_paused`, in
    `api.work.runner.run_next`); the child collects anyway, and only its own objects: what
    it inherited is frozen."""
    inherited = [{"busy": [n]} for n in range(10_000)]  # a scenario's worth of objects

    def compute(_: Progress) -> dict[str, Any]:
        return {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}

    before = gc.get_freeze_count()
    with collector_paused():
        ended = run_isolated(compute, ROOMY, keep_going)
        assert not gc.isenabled()
    assert ended.outcome is not None
    assert ended.outcome["enabled"] is True
    assert ended.outcome["frozen"] >= before + len(inherited)
    assert gc.get_freeze_count() == before  # the parent's heap is its collector's again
    assert gc.isenabled()
