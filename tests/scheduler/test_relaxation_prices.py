"""The relaxation's prices, recomputed the plain way: each start's own cost, and for a
pair of two sessions or more the off-slot cost wherever the start is off the anchor that
costs the pair least, found by trying every slot (ties to the earliest)."""

from pathlib import Path
from typing import Any

from hypothesis import given

from connectors.scenarios import load_problem
from scheduler.candidates import CandidateSet, SessionCandidates, build_candidates
from scheduler.grouping import independent_groups
from scheduler.parameters import SoftWeights, SolverParameters
from scheduler.soft_relaxation import Relaxation
from tests.builders import problem_of
from tests.strategies import programmes

WEIGHTS = SolverParameters().weights
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def own_costs(session: SessionCandidates, w: SoftWeights) -> list[int]:
    check_in = session.pair.kind == "supervision"
    return [
        w.preferred_time * int(session.preference_misses[c])
        + w.tentative_time * int(session.tentative[c])
        + w.late_in_period * int(session.lateness[c])
        + w.late_check_in * (int(session.lateness[c]) if check_in else 0)
        for c in range(len(session))
    ]


def cheapest_anchor(own: list[SessionCandidates], costs: dict[int, list[int]], off: int) -> int:
    def pair_cost(anchor: int) -> int:
        return sum(
            min(
                cost + (0 if int(slot) == anchor else off)
                for cost, slot in zip(costs[s.number], s.slot.tolist(), strict=True)
            )
            for s in own
        )

    slots = sorted({int(slot) for s in own for slot in s.slot})
    return min(slots, key=lambda slot: (pair_cost(slot), slot))


def check_prices(data: CandidateSet) -> None:
    for group in independent_groups(list(data.sessions)):
        relaxation = Relaxation(group, WEIGHTS)
        costs = {s.number: own_costs(s, WEIGHTS) for s in group if len(s)}
        for own in relaxation.pairs:
            off = WEIGHTS.unstable_slot
            anchor = cheapest_anchor(own, costs, off) if len(own) >= 2 else None
            for s in own:
                assert relaxation.costs[s.number].tolist() == costs[s.number]
                expected = [
                    cost + (off if anchor is not None and int(slot) != anchor else 0)
                    for cost, slot in zip(costs[s.number], s.slot.tolist(), strict=True)
                ]
                assert relaxation.prices[s.number].tolist() == expected


@given(programmes())
def test_prices_on_generated_programmes(document: dict[str, Any]) -> None:
    check_prices(build_candidates(problem_of(document)))


def test_prices_on_a_shipped_programme() -> None:
    """Three regions, many pairs a mentor shares, check-ins of supervised pairs."""
    check_prices(build_candidates(load_problem(SCENARIOS / "regional-rollout.yaml")))
