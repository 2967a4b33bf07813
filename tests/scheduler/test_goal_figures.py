"""The soft goals counted in plain Python are the model's soft goals: on any plan forced
into the model (the greedy's, which crowds mentors and wanders between slots), the model's
least penalty equals the count, goal by goal."""

from typing import Any

from hypothesis import given
from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, build_candidates
from scheduler.goal_figures import goal_figures, weighted_penalty
from scheduler.greedy import greedy_choices
from scheduler.model.builder import build_model
from scheduler.model.objectives import soft_penalties, total_penalty
from scheduler.parameters import SoftWeights
from tests.builders import executive, mentor, pair, problem_of, scenario
from tests.strategies import programmes

WEIGHTS = SoftWeights()


def model_penalty_by_goal(data: CandidateSet, chosen: dict[int, int]) -> dict[str, int]:
    """The model's soft terms with every start forced as in `chosen` (the auxiliary
    variables take their least values)."""
    model, variables = build_model(data, data.sessions)
    for session in data.sessions:
        for choice, var in enumerate(variables.choices(session)):
            model.add(var == int(chosen.get(session.number) == choice))
    penalties = soft_penalties(variables, WEIGHTS)
    model.minimize(total_penalty(penalties))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return {p.name: p.weight * round(solver.value(p.terms)) for p in penalties}


def counted_by_goal(data: CandidateSet, chosen: dict[int, int]) -> dict[str, int]:
    return {goal: f.penalty for goal, f in goal_figures(data.sessions, chosen, WEIGHTS).items()}


def test_a_greedy_plan_that_crowds_a_mentor_and_changes_slots() -> None:
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[
            mentor(),
            executive("e1", out_of_office=[{"from": "2027-01-04", "to": "2027-01-04"}]),
            executive("e2", busy=[{"start": "2027-01-12T09:00", "end": "2027-01-12T12:00"}]),
        ],
        pairs=[pair("p1", "m1", "e1", preferred={"weekdays": ["thu"]}), pair("p2", "m1", "e2")],
    )
    data = build_candidates(problem_of(document))
    greedy = greedy_choices(data, list(data.sessions))
    counted = counted_by_goal(data, greedy)
    assert counted["mentor_crowding"] > 0 and counted["unstable_slot"] > 0
    assert counted["preferred_time"] > 0 and counted["late_in_period"] > 0
    assert model_penalty_by_goal(data, greedy) == counted
    assert weighted_penalty(goal_figures(data.sessions, greedy, WEIGHTS)) == sum(counted.values())


@given(programmes())
def test_on_any_greedy_plan_the_model_and_the_count_agree(document: dict[str, Any]) -> None:
    data = build_candidates(problem_of(document))
    greedy = greedy_choices(data, list(data.sessions))
    assert model_penalty_by_goal(data, greedy) == counted_by_goal(data, greedy)


def _used_variables(model: cp_model.CpModel) -> set[int]:
    """Every variable a constraint or the objective names (a negated literal counts). Each
    part is read only where the constraint has it: in this OR-Tools, reading another kind
    of a constraint turns it into that kind."""
    used = set(model.proto.objective.vars)
    for constraint in model.proto.constraints:
        used.update(constraint.enforcement_literal)
        if constraint.has_linear():
            used.update(constraint.linear.vars)
        elif constraint.has_bool_and():
            used.update(constraint.bool_and.literals)
        elif constraint.has_at_most_one():
            used.update(constraint.at_most_one.literals)
        else:
            raise AssertionError(f"a kind of constraint this test does not read: {constraint}")
    return {index if index >= 0 else -index - 1 for index in used}


@given(programmes())
def test_the_soft_model_makes_no_variable_it_does_not_use(document: dict[str, Any]) -> None:
    """A Boolean in no constraint is still one the search must assign (the soft rounds run
    without presolve): the goals create only what they use."""
    data = build_candidates(problem_of(document))
    model, variables = build_model(data, data.sessions)
    model.minimize(total_penalty(soft_penalties(variables, WEIGHTS)))
    unused = set(range(len(model.proto.variables))) - _used_variables(model)
    choices = {var.index for s in data.sessions for var in variables.choices(s)}
    assert not unused - choices  # a start no rule names is still a decision of the plan
