"""Groups planned on several processes: a process that dies (killed for its memory, say)
neither hangs the plan nor changes it."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from connectors.scenarios import load_problem
from scheduler import group_plans
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict
from scheduler.solve import solve
from tests.test_determinism import canonical
from tests.watchdog import failing_if_it_hangs

COMMITTEE = Path(__file__).resolve().parents[2] / "scenarios" / "executive-committee.yaml"
PLAN_TASK = group_plans._plan_task


def _killed_at_its_second_group(group: int) -> Any:
    """The planning task of a process the kernel kills once it has planned one group."""
    if getattr(_killed_at_its_second_group, "planned", False):
        os.kill(os.getpid(), signal.SIGKILL)
    _killed_at_its_second_group.planned = True  # type: ignore[attr-defined]
    return PLAN_TASK(group)


def test_a_killed_planning_process_leaves_the_same_plan(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    problem = load_problem(COMMITTEE)
    params = SolverParameters(time_limit_seconds=60, strict=True)
    alone = solve(problem, SolverParameters(time_limit_seconds=60, processes=1, strict=True))
    monkeypatch.setattr(group_plans, "_plan_task", _killed_at_its_second_group)
    with failing_if_it_hangs():
        killed = solve(problem, params)
    assert params.processes == 2 and killed.solver.groups == alone.solver.groups > 4
    assert canonical(plan_to_dict(problem, killed)) == canonical(plan_to_dict(problem, alone))
    # Planned again here: the groups the dead process had not returned, not every group.
    (warning,) = [r for r in caplog.records if "planning process ended early" in r.message]
    assert 1 <= warning.args[0] < killed.solver.groups  # type: ignore[index]
