"""Every limit the planner promises holds against input built to break it: the time limit
covers everything after reading, and no model grows past the memory budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from connectors.scenarios import load_problem
from scheduler.domain import SolveStatus
from tests.builders import checked_plan

ROOT = Path(__file__).resolve().parents[1]
EXPLODE = ROOT / "tests" / "fixtures" / "scenarios" / "explode.yaml"


def run_measured(*arguments: str) -> tuple[int, float]:
    """Exit code and peak memory (MB) of one `tandem` run, its own, not the suite's."""
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", *arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def test_a_scenario_built_to_explode_keeps_its_time_limit_and_memory_budget(
    tmp_path: Path,
) -> None:
    assert EXPLODE.stat().st_size < 3000  # a small file: 20 pairs, one mentor, two years
    out, limit, budget = tmp_path / "plan.json", 20.0, 2048
    code, peak = run_measured(
        "plan",
        str(EXPLODE),
        "--out",
        str(out),
        "--quiet",
        "--time-limit",
        str(limit),
        "--memory-budget",
        str(budget),
    )
    assert code == 0
    assert peak < budget
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["solver"]["seconds"] <= 1.1 * limit
    (note,) = [n for n in plan["solver"]["notes"] if "planned with the greedy" in n]
    for cause in (
        "5-minute grid",
        "104-week horizon",
        "working hours over 12 h",
        "20 pairs sharing m1",
    ):
        assert cause in note
    assert plan["solver"]["stops"] == {"memory budget": 1}
    assert plan["metrics"]["placed"] == plan["metrics"]["required"] == 2080


def test_a_tight_memory_budget_plans_every_group_with_the_greedy_and_says_so() -> None:
    """A budget that holds every group's candidates but no model."""
    from math import ceil

    from scheduler.grouping import independent_groups
    from scheduler.model_size import BASE_MEGABYTES, candidate_megabytes

    problem = load_problem(ROOT / "scenarios" / "regional-rollout.yaml")
    groups = independent_groups(problem.sessions)
    budget = ceil(max(candidate_megabytes(g, problem.grid_minutes) for g in groups))
    assert budget < BASE_MEGABYTES
    plan = checked_plan(problem, memory_budget_mb=budget)
    assert set(plan.solver.stops) == {"memory budget"}
    assert (
        sum("planned with the greedy" in note for note in plan.solver.notes) == plan.solver.groups
    )
    assert plan.solver.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert len(plan.sessions) == plan.solver.greedy_placed


def test_a_group_whose_candidates_alone_pass_the_budget_is_refused_with_its_cause() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "api.cli", "plan", str(EXPLODE), "--memory-budget", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 2
    assert "Traceback" not in finished.stderr
    assert "pairs (p1, p10, p11, p12, p13 and 15 more): these 2,080 sessions share people" in (
        finished.stderr
    )
    assert "past the memory budget of 300 MB" in finished.stderr
    assert "5-minute grid" in finished.stderr and "20 pairs sharing m1" in finished.stderr


def test_suggestions_for_a_scenario_built_to_defeat_them_stop_at_their_budget_and_say_so() -> None:
    """Every session unplaced, every change failing, each check a year of 5-minute cells:
    the checks stop at their deterministic budget, and the plan says where and why."""
    problem = load_problem(ROOT / "tests" / "fixtures" / "scenarios" / "unplaceable.yaml")
    plan = checked_plan(problem, solver="greedy")
    assert not plan.sessions
    assert all(u.suggestion is None for u in plan.unplaced)
    (note,) = [n for n in plan.solver.notes if "were looked for in" in n]
    assert note.startswith("changes that would place an unplaced session were looked for in ")
    assert "of 25 sessions only" in note
    assert "a 5-minute grid (grid_minutes); a 52-week horizon" in note
