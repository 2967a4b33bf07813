"""A group settled without a search has exactly the optimum the model proves."""

import time
from typing import Any

from hypothesis import given
from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates, build_candidates
from scheduler.greedy import greedy_choices
from scheduler.grouping import independent_groups
from scheduler.model.builder import build_model
from scheduler.model.objectives import soft_penalties, total_penalty
from scheduler.parameters import SolverParameters
from scheduler.soft_relaxation import settle_without_search
from scheduler.stages import keep_placement, placed_by_greedy, search
from tests.builders import executive, mentor, pair, problem_of, scenario
from tests.strategies import programmes

PARAMS = SolverParameters(processes=1, strict=True)


Placed = tuple[CandidateSet, list[SessionCandidates], dict[int, int]]


def fully_placed_groups(document: dict[str, Any]) -> list[Placed]:
    """Each group whose greedy places every session with a candidate, with that placement:
    the groups whose soft goals the shortcuts may settle."""
    data = build_candidates(problem_of(document))
    greedy = greedy_choices(data, list(data.sessions))
    found = []
    for group in independent_groups(list(data.sessions)):
        start = {s.number: greedy[s.number] for s in group if s.number in greedy}
        if placed_by_greedy(group, start) is not None:
            found.append((data, group, start))
    return found


def settled_and_searched(document: dict[str, Any]) -> list[tuple[int, int]]:
    """(penalty settled without a search, penalty the model proves) for every group the
    relaxation settles."""
    found = []
    for data, group, start in fully_placed_groups(document):
        settled = settle_without_search(data, group, PARAMS.weights)
        if settled is None:
            continue
        found.append((settled[1], proven_optimum(data, group, start)))
    return found


def proven_optimum(
    data: CandidateSet, group: list[SessionCandidates], start: dict[int, int]
) -> int:
    """The model's least soft penalty with this placement, searched plainly: no relaxation,
    no pruning, a budget no small group exhausts."""
    model, variables = build_model(data, group)
    keep_placement(model, variables, start)
    objective = total_penalty(soft_penalties(variables, PARAMS.weights))
    if isinstance(objective, int):
        return objective
    model.minimize(objective)
    found = search(model, variables, PARAMS, 60.0, time.monotonic() + 60, start)
    assert found.status == cp_model.OPTIMAL
    return found.objective


@given(programmes())
def test_the_relaxations_optimum_is_the_models(document: dict[str, Any]) -> None:
    for settled, searched in settled_and_searched(document):
        assert settled == searched


def test_a_single_pair_settles_and_two_pairs_wanting_one_hour_do_not() -> None:
    alone = scenario(horizon={"start": "2027-01-04", "weeks": 3})
    assert len(settled_and_searched(alone)) == 1
    monday_nine = {"mon": ["09:00-10:00"], "tue": ["09:00-18:00"]}
    rivals = scenario(
        people=[mentor(), executive("e1", working_hours=monday_nine), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    data = build_candidates(problem_of(rivals))
    # Both executives' cheapest start is Monday 09:00 with the same mentor.
    assert settle_without_search(data, list(data.sessions), PARAMS.weights) is None


def test_tentative_time_costs_in_the_relaxation_too() -> None:
    tentative = [{"start": "2027-01-04T09:00", "end": "2027-01-04T10:00", "status": "tentative"}]
    document = scenario(people=[mentor(), executive(busy=tentative)])
    ((settled, searched),) = settled_and_searched(document)
    assert settled == searched == 40  # Monday 10:00 (40 quarter hours in), not 09:00 tentative


def test_a_crowded_mentor_is_left_to_the_search() -> None:
    document = scenario(
        people=[
            mentor(),
            executive("e1", working_hours={"mon": ["09:00-12:00"]}),
            executive("e2", working_hours={"mon": ["14:00-18:00"], "tue-fri": ["09:00-18:00"]}),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    assert settled_and_searched(document) == []  # both on Monday is a conflict-free relaxation
    data = build_candidates(problem_of(document))
    assert settle_without_search(data, list(data.sessions), PARAMS.weights) is None
