"""Groups planned on several processes: a process that dies (killed for its memory, say)
neither hangs the plan nor changes it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from connectors.scenarios import load_problem
from scheduler import group_plans
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict
from scheduler.solve import solve

COMMITTEE = Path(__file__).resolve().parents[2] / "scenarios" / "executive-committee.yaml"
PLAN_TASK = group_plans._plan_task


def _killed_at_its_second_group(group: int) -> Any:
    """The planning task of a process the kernel kills once it has planned one group."""
    if getattr(_killed_at_its_second_group, "planned", False):
        os.kill(os.getpid(), signal.SIGKILL)
    _killed_at_its_second_group.planned = True  # type: ignore[attr-defined]
    return PLAN_TASK(group)


@contextmanager
def failing_if_it_hangs(seconds: int = 300) -> Iterator[None]:
    """A pool that waits forever for a dead process's groups fails the test instead of
    hanging the suite (the bound is far above the second this plan takes)."""

    def hung(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the plan did not finish in {seconds} s: a pool hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def without_run_times(document: dict[str, Any]) -> dict[str, Any]:
    solver = document["solver"]
    solver.pop("seconds"), solver.pop("timings")
    return document


def test_a_killed_planning_process_leaves_the_same_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = load_problem(COMMITTEE)
    params = SolverParameters(time_limit_seconds=60, strict=True)
    alone = solve(problem, SolverParameters(time_limit_seconds=60, processes=1, strict=True))
    monkeypatch.setattr(group_plans, "_plan_task", _killed_at_its_second_group)
    with failing_if_it_hangs():
        killed = solve(problem, params)
    assert params.processes == 2 and killed.solver.groups == alone.solver.groups > 4
    assert without_run_times(plan_to_dict(problem, killed)) == without_run_times(
        plan_to_dict(problem, alone)
    )
