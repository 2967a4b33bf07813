"""Pruning anchors and starts before the soft search keeps every optimum: the search on
the reduced model proves the same least penalty as a plain search on the whole one."""

import time
from typing import Any

from hypothesis import given

from scheduler.candidates import build_candidates
from scheduler.goal_figures import goal_figures, weighted_penalty
from scheduler.greedy import greedy_choices
from scheduler.model.builder import build_model
from scheduler.soft_pruning import pruned
from scheduler.soft_relaxation import Relaxation, settle_without_search
from scheduler.stages import Stop, head_start, keep_placement, polish
from tests.builders import executive, mentor, pair, problem_of, scenario
from tests.scheduler.test_soft_relaxation import PARAMS, fully_placed_groups, proven_optimum
from tests.strategies import programmes


def compared(document: dict[str, Any]) -> list[tuple[int, int]]:
    """(least penalty on the reduced model, least penalty found plainly) per group whose
    greedy places every session."""
    found = []
    for data, group, start in fully_placed_groups(document):
        model, variables = build_model(data, group)
        keep_placement(model, variables, start)
        reduced = polish(data, model, variables, start, PARAMS, time.monotonic() + 60)
        assert reduced.stop in (Stop.PROVEN, Stop.RELAXATION, Stop.NO_GOALS)
        found.append((reduced.penalty or 0, proven_optimum(data, group, start)))
    return found


@given(programmes())
def test_the_reduced_model_keeps_the_optimum(document: dict[str, Any]) -> None:
    for reduced, plain in compared(document):
        assert reduced == plain


def test_rival_pairs_prune_anchors_and_keep_the_optimum() -> None:
    """Two executives who want the same Monday hour with one mentor, over three weeks."""
    monday_nine = {"mon": ["09:00-10:00"], "tue-fri": ["09:00-18:00"]}
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(), executive("e1", working_hours=monday_nine), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    ((reduced, plain),) = compared(document)
    assert reduced == plain
    data = build_candidates(problem_of(document))
    greedy = greedy_choices(data, list(data.sessions))
    upper = weighted_penalty(goal_figures(data.sessions, greedy, PARAMS.weights))
    pruning = pruned(data.sessions, PARAMS.weights, upper)
    assert pruning.lower <= plain <= upper
    assert pruning.starts  # some starts cannot be in any optimum
    every_slot = {
        pair_id: {slot for s in data.sessions if s.pair.id == pair_id for slot in s.slot.tolist()}
        for pair_id in pruning.anchors
    }
    assert all(pruning.anchors[p] <= every_slot[p] for p in pruning.anchors)
    assert any(len(pruning.anchors[p]) < len(every_slot[p]) for p in pruning.anchors)


def test_an_optimum_costing_exactly_the_plan_in_hand_keeps_its_anchors_and_starts() -> None:
    """With the optimum itself as the plan in hand (no slack beyond it), nothing it uses
    is pruned: pruning is by bounds strictly past the plan in hand."""
    from collections import Counter

    from ortools.sat.python import cp_model

    from scheduler.model.objectives import soft_penalties, total_penalty
    from scheduler.stages import search

    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(), executive("e1"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    data = build_candidates(problem_of(document))
    greedy = greedy_choices(data, list(data.sessions))
    model, variables = build_model(data, data.sessions)
    keep_placement(model, variables, greedy)
    model.minimize(total_penalty(soft_penalties(variables, PARAMS.weights)))
    best = search(model, variables, PARAMS, 60.0, time.monotonic() + 60, greedy)
    assert best.status == cp_model.OPTIMAL
    pruning = pruned(data.sessions, PARAMS.weights, best.objective)
    assert pruning.lower <= best.objective
    for session in data.sessions:
        assert best.chosen[session.number] not in pruning.starts.get(session.number, [])
    for pair_id, allowed in pruning.anchors.items():
        slots = Counter(
            int(s.slot[best.chosen[s.number]]) for s in data.sessions if s.pair.id == pair_id
        )
        kept, _ = slots.most_common(1)[0]
        assert kept in allowed


def head_starts_and_optima(document: dict[str, Any]) -> list[tuple[int, int, bool]]:
    """(the head start's penalty, the model's proven optimum, whether the head start
    claimed a proof) per group whose greedy places every session."""
    found = []
    for data, group, start in fully_placed_groups(document):
        head = head_start(data, group, start, PARAMS.weights)
        assert head.pruning is not None  # a full placement always gets its reduction
        penalty = weighted_penalty(goal_figures(group, head.chosen, PARAMS.weights))
        assert penalty == head.pruning.upper
        found.append((penalty, proven_optimum(data, group, start), head.proven))
    return found


@given(programmes())
def test_a_head_start_claims_a_proof_only_at_the_optimum(document: dict[str, Any]) -> None:
    """A group the head start proves is never modelled: its plan must be the optimum."""
    for penalty, optimum, proven in head_starts_and_optima(document):
        assert penalty >= optimum
        if proven:
            assert penalty == optimum


def test_rival_pairs_are_not_proven_by_their_head_start() -> None:
    """Two executives who want the same Monday hour of one mentor: one must give it up, so
    the plan in hand is dearer than the bound that forgets the other pair, and only the
    search can tell whether it is the optimum."""
    monday_nine = {"mon": ["09:00-10:00"], "tue-fri": ["09:00-18:00"]}
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(), executive("e1", working_hours=monday_nine), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    ((penalty, optimum, proven),) = head_starts_and_optima(document)
    assert not proven
    assert penalty >= optimum


@given(programmes())
def test_the_shared_relaxation_changes_nothing(document: dict[str, Any]) -> None:
    """A group computes its relaxation once for the proof without a search, the head start
    and the pruning (`scheduler.group_solves`): each gives what it gives on its own."""
    for data, group, start in fully_placed_groups(document):
        shared = Relaxation(group, PARAMS.weights)
        alone, reused = (
            head_start(data, group, start, PARAMS.weights),
            head_start(data, group, start, PARAMS.weights, shared),
        )
        assert reused.chosen == alone.chosen
        assert alone.pruning is not None and reused.pruning is not None
        assert (reused.pruning.lower, reused.pruning.upper) == (
            alone.pruning.lower,
            alone.pruning.upper,
        )
        assert reused.pruning.anchors == alone.pruning.anchors
        assert {n: s.tolist() for n, s in reused.pruning.starts.items()} == {
            n: s.tolist() for n, s in alone.pruning.starts.items()
        }
        assert settle_without_search(data, group, PARAMS.weights, shared) == (
            settle_without_search(data, group, PARAMS.weights)
        )
