"""The same scenario, seed and parameters give the same plan, byte for byte, whatever the
machine's load and the number of solver processes.

The plan file holds two wall-clock measurements of the run itself, `solver.seconds` (the
format asks for it) and `solver.timings`; they are set aside before the bytes are
compared. Everything else, every session, reason, figure and note, must be equal.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict
from scheduler.solve import solve
from tests.builders import checked_plan

ROOT = Path(__file__).resolve().parents[1]
TANDEM = [sys.executable, "-m", "api.cli"]


def plan_bytes(path: Path) -> bytes:
    """The plan file without the run's own wall-clock measurements."""
    return canonical(json.loads(path.read_text(encoding="utf-8")))


def canonical(document: dict[str, Any]) -> bytes:
    solver = document["solver"]
    assert isinstance(solver.pop("seconds"), float)
    assert set(solver.pop("timings")) >= {"plan", "candidates_cpu", "greedy_cpu", "optimise_cpu"}
    return json.dumps(document, indent=2).encode()


def plan_file(scenario: Path, out: Path, *extra: str) -> Path:
    subprocess.run(
        [*TANDEM, "plan", str(scenario), "--out", str(out), "--quiet", "--seed", "5", *extra],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out


def _spin() -> None:
    while True:
        pass


@contextmanager
def cpu_hog() -> Iterator[None]:
    """Every core busy with something else for as long as the block runs."""
    context = multiprocessing.get_context("spawn")
    hogs = [context.Process(target=_spin, daemon=True) for _ in range(multiprocessing.cpu_count())]
    for hog in hogs:
        hog.start()
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.join()


@pytest.mark.parametrize(
    ("name", "sessions"),
    [
        ("executive-committee", 140),
        pytest.param("large-programme", 6000, marks=pytest.mark.slow),
    ],
)
def test_a_programme_plans_byte_identical_beside_a_cpu_hog(
    tmp_path: Path, name: str, sessions: int
) -> None:
    scenario = ROOT / "scenarios" / f"{name}.yaml"
    quiet = plan_file(scenario, tmp_path / "quiet.json")
    with cpu_hog():
        busy = plan_file(scenario, tmp_path / "busy.json")
    document = json.loads(busy.read_text(encoding="utf-8"))
    assert document["solver"]["cut_by_wall_clock"] is False
    assert len(document["sessions"]) > sessions
    assert plan_bytes(quiet) == plan_bytes(busy)


def test_one_solver_process_or_three_give_the_same_plan() -> None:
    from connectors.scenarios import load_problem

    problem = load_problem(ROOT / "scenarios" / "regional-rollout.yaml")
    one = checked_plan(problem, processes=1, seed=2)
    three = checked_plan(problem, processes=3, seed=2)
    assert canonical(plan_to_dict(problem, one)) == canonical(plan_to_dict(problem, three))
    assert one.solver.stops and not one.solver.cut_by_wall_clock


def test_a_plan_cut_by_the_wall_clock_says_so() -> None:
    from connectors.scenarios import load_problem

    problem = load_problem(ROOT / "scenarios" / "regional-rollout.yaml")
    plan = solve(problem, SolverParameters(time_limit_seconds=0.001, processes=1, strict=True))
    assert plan.solver.cut_by_wall_clock
    assert any("may differ from another run" in note for note in plan.solver.notes)
    assert plan.sessions  # the greedy's plan stands where no search could run


def test_a_group_near_the_memory_budget_is_planned_alike_by_one_process_or_two() -> None:
    """The budget is per model: whether a group gets a model cannot depend on how many
    processes share the machine."""
    from math import ceil

    from scheduler.candidates import build_candidates
    from scheduler.model_size import estimate_model
    from tests.builders import executive, mentor, pair, problem_of, scenario

    problem = problem_of(
        scenario(
            horizon={"start": "2027-01-04", "weeks": 4},
            people=[mentor(), executive("e1"), executive("e2")],
            pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
        )
    )
    data = build_candidates(problem)
    budget = ceil(estimate_model(data, data.sessions).megabytes * 1.5)
    one = checked_plan(problem, processes=1, memory_budget_mb=budget)
    two = checked_plan(problem, processes=2, memory_budget_mb=budget)
    assert one.solver.stops == two.solver.stops
    assert "memory budget" not in one.solver.stops
    assert canonical(plan_to_dict(problem, one)) == canonical(plan_to_dict(problem, two))


def test_a_note_naming_the_busiest_person_does_not_depend_on_hashing() -> None:
    """Two mentors with six pairs each: the note names the first by id, in every process."""
    script = (
        "from scheduler.model_size import size_causes\n"
        "from scheduler.candidates import build_candidates\n"
        "from tests.builders import executive, mentor, pair, problem_of, scenario\n"
        "people = [mentor('mb'), mentor('ma')] + [executive(f'e{i}') for i in range(12)]\n"
        "pairs = [pair(f'p{i}', 'ma' if i % 2 else 'mb', f'e{i}') for i in range(12)]\n"
        "data = build_candidates(problem_of(scenario(people=people, pairs=pairs)))\n"
        "print(size_causes(data.problem, data.sessions))\n"
    )
    notes = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert notes == {"6 pairs sharing ma\n"}
