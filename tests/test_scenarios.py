"""The shipped scenarios stay valid, and their plans pass the validator."""

from pathlib import Path

import pytest

from connectors.scenarios import load_problem
from tests.builders import checked_plan

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("name", ["executive-committee", "regional-rollout"])
def test_example_scenarios_plan_validly_and_beat_or_match_the_greedy(name: str) -> None:
    problem = load_problem(SCENARIOS / f"{name}.yaml")
    plan = checked_plan(problem, time_limit_seconds=30.0)
    greedy = checked_plan(problem, solver="greedy")
    assert plan.solver.status == "OPTIMAL"
    assert plan.solver.objective == plan.solver.bound
    assert len(plan.sessions) >= len(greedy.sessions)
    assert len(plan.sessions) > 0.8 * len(problem.sessions)


def test_the_regional_rollout_spans_three_time_zones_and_mixed_cadences() -> None:
    problem = load_problem(SCENARIOS / "regional-rollout.yaml")
    assert {str(p.tz) for p in problem.people.values()} == {
        "Europe/Paris",
        "America/New_York",
        "Asia/Singapore",
    }
    assert {p.cadence for p in problem.pairs.values()} == {1, 2, "monthly"}
    assert any(p.available_from for p in problem.people.values())


@pytest.mark.slow
def test_the_large_programme_is_large_and_its_greedy_plan_is_valid() -> None:
    problem = load_problem(SCENARIOS / "large-programme.yaml")
    assert len(problem.pairs) >= 500
    plan = checked_plan(problem, solver="greedy")
    assert len(plan.sessions) > 0.8 * len(problem.sessions)
