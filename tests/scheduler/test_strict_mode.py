"""Strict mode: a safety net that would hide a broken rule fails instead.

The rule is broken here on purpose, as a mutation would break it: the model loses its
daily cap while the greedy and the validator keep theirs. Outside strict mode the plan
that leaves is still valid (the greedy's, with a note); in strict mode the solve fails.
"""

from dataclasses import replace

import pytest

from scheduler.errors import ModelDefectError
from scheduler.parameters import SolverParameters
from scheduler.rule_names import RuleName
from scheduler.rules import registry
from scheduler.solve import solve
from scheduler.validation import validate_plan
from tests.builders import executive, mentor, pair, problem_of, scenario

MONDAY_MORNING = {"mon": ["09:00-12:00"]}


def cap_binds() -> dict:  # type: ignore[type-arg]
    """Two executives free on Monday morning only, one mentor allowed one session a day."""
    return scenario(
        rules={"max_sessions_per_day": 1},
        people=[
            mentor(),
            executive("e1", working_hours=MONDAY_MORNING),
            executive("e2", working_hours=MONDAY_MORNING),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )


@pytest.fixture
def model_without_daily_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tuple(
        replace(rule, model=None) if rule.name == RuleName.DAILY_CAP else rule
        for rule in registry.HARD_RULES
    )
    monkeypatch.setattr(registry, "HARD_RULES", rules)


def test_the_intact_model_passes_strict_mode() -> None:
    problem = problem_of(cap_binds())
    plan = solve(problem, SolverParameters(processes=1, strict=True))
    assert len(plan.sessions) == 1
    (unplaced,) = plan.unplaced
    assert "daily cap of 1 reached for m1 on 2027-01-04" in unplaced.reason


@pytest.mark.usefixtures("model_without_daily_cap")
def test_strict_mode_fails_where_the_validator_rejects_the_optimised_plan() -> None:
    problem = problem_of(cap_binds())
    with pytest.raises(ModelDefectError, match="daily_cap"):
        solve(problem, SolverParameters(processes=1, strict=True))


@pytest.mark.usefixtures("model_without_daily_cap")
def test_outside_strict_mode_the_greedy_plan_leaves_and_says_why() -> None:
    problem = problem_of(cap_binds())
    plan = solve(problem, SolverParameters(processes=1))
    assert validate_plan(problem, plan.sessions) == []
    assert len(plan.sessions) == 1
    assert any("validator rejected the optimised plan" in note for note in plan.solver.notes)
