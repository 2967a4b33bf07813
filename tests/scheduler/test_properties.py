"""Invariants on random small programmes (hypothesis)."""

from copy import deepcopy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scheduler.candidates import build_candidates
from scheduler.domain import Plan, Problem
from scheduler.stages import placement_value
from tests.builders import checked_plan, problem_of
from tests.strategies import programmes


def value(problem: Problem, plan: Plan) -> int:
    """The priority-weighted placement value of a plan."""
    data = build_candidates(problem)
    placed = {s.key for s in plan.sessions}
    chosen = {c.number: 0 for c in data.sessions if (c.pair.id, c.index) in placed}
    return placement_value(data.sessions, chosen)


@given(programmes())
def test_every_plan_passes_the_validator_and_accounts_for_every_session(
    document: dict[str, Any],
) -> None:
    problem = problem_of(document)
    for solver in ("greedy", "cpsat"):
        plan = checked_plan(problem, solver=solver)  # asserts the validator finds nothing
        keys = [s.key for s in plan.sessions] + [u.key for u in plan.unplaced]
        assert sorted(keys) == sorted(request.key for request in problem.sessions)
        assert all(u.reason for u in plan.unplaced)


@given(programmes())
def test_the_optimiser_never_places_less_than_the_greedy(document: dict[str, Any]) -> None:
    problem = problem_of(document)
    greedy = checked_plan(problem, solver="greedy")
    optimised = checked_plan(problem)
    assert value(problem, optimised) >= value(problem, greedy)
    if optimised.solver.status == "OPTIMAL":
        assert optimised.solver.objective == optimised.solver.bound


@given(programmes(uniform_priority=True))
def test_with_one_priority_the_optimiser_places_at_least_as_many_sessions(
    document: dict[str, Any],
) -> None:
    problem = problem_of(document)
    assert len(checked_plan(problem).sessions) >= len(
        checked_plan(problem, solver="greedy").sessions
    )


@given(programmes(), st.data())
def test_adding_free_time_never_lowers_the_placement(
    document: dict[str, Any], data: st.DataObject
) -> None:
    busy_people = [p for p in document["people"] if p["busy"]]
    if not busy_people:
        return
    person = data.draw(st.sampled_from(busy_people))
    freer = deepcopy(document)
    target = next(p for p in freer["people"] if p["id"] == person["id"])
    del target["busy"][data.draw(st.integers(0, len(target["busy"]) - 1))]
    before_problem, after_problem = problem_of(document), problem_of(freer)
    before, after = checked_plan(before_problem), checked_plan(after_problem)
    if before.solver.status == after.solver.status == "OPTIMAL":
        assert value(after_problem, after) >= value(before_problem, before)


@given(programmes())
def test_a_fixed_seed_gives_the_same_plan(document: dict[str, Any]) -> None:
    problem = problem_of(document)
    first, second = checked_plan(problem, seed=3), checked_plan(problem, seed=3)
    assert first.sessions == second.sessions


@given(programmes())
def test_the_soft_goals_counted_apart_agree_with_the_models_proven_optimum(
    document: dict[str, Any],
) -> None:
    """The plan's penalty per goal is counted in plain Python; where every group's search
    proved its optimum, the model's bound must equal that count (the model's terms and the
    count are the same goals), and no goal is below its own bound."""
    plan = checked_plan(problem_of(document))
    solver = plan.solver
    assert solver.soft_penalty == sum(f.penalty for f in solver.goals.values())
    assert all(0 <= f.bound <= f.penalty for f in solver.goals.values())
    if set(solver.stops) <= {"proven optimal", "proven by relaxation", "nothing to improve"}:
        assert solver.soft_bound == solver.soft_penalty
