"""The soft pass's rounds: a first search without a hint, then rounds from the plan in
hand; whatever the budget, the pass never leaves a worse plan than the one it was given."""

import dataclasses
import time

from scheduler.candidates import SessionCandidates
from scheduler.goal_figures import goal_figures, weighted_penalty
from scheduler.model.builder import build_model
from scheduler.stages import HeadStart, Polish, Stop, head_start, keep_placement, polish
from tests.builders import executive, mentor, pair, scenario
from tests.scheduler.test_soft_relaxation import PARAMS, fully_placed_groups

# Two executives share a mentor over six weeks: one group, whose head start is not the
# optimum (the search must prove it), small enough to solve in a fraction of a second.
SHARED_MENTOR = scenario(
    horizon={"start": "2027-01-04", "weeks": 6},
    people=[mentor("m1"), executive("e1"), executive("e2")],
    pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
)


def polished(effort: float) -> tuple[list[SessionCandidates], HeadStart, Polish]:
    ((data, group, start),) = fully_placed_groups(SHARED_MENTOR)
    params = dataclasses.replace(PARAMS, effort=effort)
    head = head_start(data, group, start, params.weights)
    model, variables = build_model(data, group)
    keep_placement(model, variables, start)
    found = polish(data, model, variables, start, params, time.monotonic() + 60, head)
    return group, head, found


def test_a_search_that_proves_the_optimum_gives_its_plan() -> None:
    group, head, found = polished(1.0)
    assert found.stop == Stop.PROVEN
    assert found.penalty == found.bound
    assert found.penalty == weighted_penalty(goal_figures(group, found.chosen, PARAMS.weights))
    assert head.pruning is not None and found.penalty < head.pruning.upper  # the search paid


def test_a_budget_too_small_to_find_a_plan_keeps_the_plan_in_hand() -> None:
    """Neither the first round (no hint) nor the next (from the head start) finds a plan
    within so little work: the head start stays, every session placed."""
    group, head, found = polished(1e-3)
    assert found.stop == Stop.WORK_BUDGET
    assert found.penalty is None
    assert found.chosen == head.chosen
    assert set(found.chosen) == {s.number for s in group}


def test_the_first_round_searches_without_the_earlier_stages_hint() -> None:
    """The placement's hint is cleared before the first soft round (measured: a hint makes
    CP-SAT follow it to its end first, twice the time); a proof leaves no hint behind."""
    ((data, group, start),) = fully_placed_groups(SHARED_MENTOR)
    head = head_start(data, group, start, PARAMS.weights)
    model, variables = build_model(data, group)
    keep_placement(model, variables, start)
    variables.hint(start)  # as the placement stage leaves it
    assert len(model.proto.solution_hint.vars)
    found = polish(data, model, variables, start, PARAMS, time.monotonic() + 60, head)
    assert found.stop == Stop.PROVEN
    assert len(model.proto.solution_hint.vars) == 0
