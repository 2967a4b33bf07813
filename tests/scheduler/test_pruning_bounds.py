"""The pruning's bounds, recomputed the plain way: for every start of every session, the
pair's least penalty with the session there, over every anchor slot; a start is left out
exactly when that passes the pair's slack, an anchor exactly when its own least does."""

from pathlib import Path
from typing import Any

from hypothesis import given

from connectors.scenarios import load_problem
from scheduler.candidates import CandidateSet, SessionCandidates, build_candidates
from scheduler.grouping import independent_groups
from scheduler.parameters import SolverParameters
from scheduler.soft_pruning import pruned
from scheduler.soft_relaxation import Relaxation
from tests.builders import problem_of
from tests.strategies import programmes

WEIGHTS = SolverParameters().weights
OFF = WEIGHTS.unstable_slot
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def around(costs: list[int], slots: list[int], anchor: int) -> int:
    """A session's cheapest start when its pair keeps `anchor`."""
    return min(c + (0 if s == anchor else OFF) for c, s in zip(costs, slots, strict=True))


def pair_bounds(
    own: list[SessionCandidates], costs: dict[int, list[int]]
) -> tuple[int, dict[int, int], dict[int, list[int]]]:
    """The pair's least penalty, its least by anchor, and per session its least per start."""
    slots = {s.number: s.slot.tolist() for s in own}
    if len(own) < 2:
        (s,) = own
        return min(costs[s.number]), {}, {s.number: list(costs[s.number])}
    anchors = sorted({a for s in own for a in slots[s.number]})
    by_anchor = {a: sum(around(costs[s.number], slots[s.number], a) for s in own) for a in anchors}
    per_start = {}
    for s in own:
        others = {a: by_anchor[a] - around(costs[s.number], slots[s.number], a) for a in anchors}
        per_start[s.number] = [
            c + min(others[a] + (0 if slot == a else OFF) for a in anchors)
            for c, slot in zip(costs[s.number], slots[s.number], strict=True)
        ]
    return min(by_anchor.values()), by_anchor, per_start


def check_pruning(data: CandidateSet) -> None:
    for group in independent_groups(list(data.sessions)):
        relaxation = Relaxation(group, WEIGHTS)
        costs = {n: c.tolist() for n, c in relaxation.costs.items()}
        bounds = [(own, *pair_bounds(own, costs)) for own in relaxation.pairs]
        lower = sum(least for _, least, _, _ in bounds)
        for extra in (0, OFF // 2, 3 * OFF):
            pruning = pruned(group, WEIGHTS, lower + extra, relaxation)
            assert pruning.lower == lower
            for own, least, by_anchor, per_start in bounds:
                slack = lower + extra - (lower - least)
                if by_anchor:
                    kept = {a for a, bound in by_anchor.items() if bound <= slack}
                    assert pruning.anchors[own[0].pair.id] == kept
                for number, values in per_start.items():
                    beyond = [i for i, value in enumerate(values) if value > slack]
                    assert list(pruning.starts.get(number, [])) == beyond


@given(programmes())
def test_pruning_on_generated_programmes(document: dict[str, Any]) -> None:
    check_pruning(build_candidates(problem_of(document)))


def test_pruning_on_a_shipped_programme() -> None:
    check_pruning(build_candidates(load_problem(SCENARIOS / "regional-rollout.yaml")))
