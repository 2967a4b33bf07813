"""Who gets which mentor: the whole pool at once, as a min-cost flow, proven optimal.

The network: the source gives each executive one unit; an executive's unit may go to any
mentor of its options, at a cost of how far the option's quality falls short of the best
possible; a mentor passes on as many units as they have room, the k-th costing `k` times
the load-spread weight (k counting the pairs the planner fixed), so that load spreads
out. `solve_max_flow_with_min_cost` first places as many executives as any matching can,
then, among those matchings, takes the least cost. Both are exact: no time limit, no
seed, the same pool gives the same pairs.

Also here, for comparison only (`bench/match_bench.py`): the greedy "best mentor first"
matcher a person would run by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from scheduler.matching.options import FULL_SCORE, Options
from scheduler.matching.pool import Pool


@dataclass(frozen=True)
class Assignment:
    mentor_of: dict[str, int]  # executive id -> position in pool.mentors
    proven_optimal: bool


def assign(
    pool: Pool, options: Sequence[Options], best_quality: int, load_weight: int
) -> Assignment:
    executives, mentors = len(options), len(pool.mentors)
    source, sink = executives + mentors, executives + mentors + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    first = np.arange(executives, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(executives, source), first, np.ones(executives), np.zeros(executives)
    )
    tails = [np.full(len(o.mentors), e, dtype=np.int64) for e, o in enumerate(options)]
    heads = [executives + o.mentors for o in options]
    costs = [best_quality - o.quality for o in options]
    option_arcs, tail, head = _add_arcs(flow, tails, heads, costs)
    for row, mentor in enumerate(pool.mentors):
        for unit in range(mentor.room):
            extra = load_weight * FULL_SCORE * (len(pool.fixed.get(mentor.id, ())) + unit)
            flow.add_arc_with_capacity_and_unit_cost(executives + row, sink, 1, extra)
    if option_arcs.size == 0:
        return Assignment({}, proven_optimal=True)
    flow.set_node_supply(source, executives)
    flow.set_node_supply(sink, -executives)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # only on numbers past int64, which the weights bound
        raise RuntimeError(f"the matching's flow ended {status}")
    used = flow.flows(option_arcs) > 0
    mentor_of = {
        options[int(e)].executive.id: int(m) - executives
        for e, m in zip(tail[used], head[used], strict=True)
    }
    return Assignment(mentor_of, proven_optimal=True)


def _add_arcs(
    flow: min_cost_flow.SimpleMinCostFlow,
    tails: list[np.ndarray],
    heads: list[np.ndarray],
    costs: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The executive-to-mentor arcs: their indices, tails and heads."""
    if not tails or not sum(len(t) for t in tails):
        nothing = np.zeros(0, dtype=np.int64)
        return nothing, nothing, nothing
    tail, head, cost = np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)
    arcs: np.ndarray = flow.add_arcs_with_capacity_and_unit_cost(
        tail, head, np.ones(len(tail), dtype=np.int64), cost
    )
    return arcs, tail, head


def greedy_assign(pool: Pool, options: Sequence[Options]) -> Assignment:
    """Each executive in turn (the scenario's order) takes its best mentor with room."""
    room = [mentor.room for mentor in pool.mentors]
    mentor_of: dict[str, int] = {}
    for option in options:
        order = np.argsort(-option.quality, kind="stable")
        for position in order:
            row = int(option.mentors[position])
            if room[row]:
                room[row] -= 1
                mentor_of[option.executive.id] = row
                break
    return Assignment(mentor_of, proven_optimal=False)
