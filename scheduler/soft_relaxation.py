"""A proof of the soft optimum without a search, where the rules between sessions do not
bind.

Once a group places every session that has a candidate, its soft penalty has a lower
bound that forgets the rules between sessions (no double booking, caps, gaps): each pair
takes the anchor slot that costs it least, and each session its cheapest start given that
anchor, with mentor crowding at its own least, nothing. When those starts break no rule
between sessions (the greedy's ledger checks, rule by rule) and crowd no mentor, the bound
is reached: they are the optimum, proven, and no model is built. Most groups of one pair
end here; the others go to CP-SAT.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scheduler.availability import IntArray
from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.goal_figures import goal_figures, weighted_penalty
from scheduler.ledger import Ledger
from scheduler.parameters import SoftWeights


def settle_without_search(
    data: CandidateSet, sessions: Sequence[SessionCandidates], weights: SoftWeights
) -> tuple[dict[int, int], int] | None:
    """The optimal starts and their penalty, when the relaxation's optimum keeps every
    rule; None when a search must decide. Only for a group that places every session with
    a candidate and has no booked session to keep (moves come before the soft goals)."""
    if any(s.request.booking is not None for s in sessions):
        return None
    chosen: dict[int, int] = {}
    for own in pairs_of(sessions):
        chosen.update(_cheapest_starts(own, weights))
    ledger = Ledger(data)
    for session in sessions:
        if session.number in chosen:
            if not ledger.fits(session, chosen[session.number]):
                return None
            ledger.book(session, chosen[session.number])
    figures = goal_figures(sessions, chosen, weights)
    if figures["mentor_crowding"].penalty:
        return None
    return chosen, weighted_penalty(figures)


def repaired(
    data: CandidateSet,
    sessions: Sequence[SessionCandidates],
    placed: dict[int, int],
    weights: SoftWeights,
) -> dict[int, int]:
    """A good first plan for the search: the same sessions as `placed`, each at its
    relaxation start where that still fits, else at its cheapest start that fits; the
    placement itself where some session finds no start at all."""
    wanted: dict[int, IntArray] = {}
    for own in pairs_of([s for s in sessions if s.number in placed]):
        for session, priced in _priced(own, weights):
            wanted[session.number] = priced
    ledger, chosen = Ledger(data), {}
    for session in sorted(sessions, key=lambda s: len(s)):
        if session.number not in placed:
            continue
        for choice in np.argsort(wanted[session.number], kind="stable").tolist():
            if ledger.fits(session, choice):
                ledger.book(session, choice)
                chosen[session.number] = choice
                break
        else:
            return dict(placed)
    return chosen


def pairs_of(sessions: Sequence[SessionCandidates]) -> list[list[SessionCandidates]]:
    pairs: dict[str, list[SessionCandidates]] = {}
    for session in sessions:
        if len(session):
            pairs.setdefault(session.pair.id, []).append(session)
    return list(pairs.values())


def candidate_costs(session: SessionCandidates, weights: SoftWeights) -> IntArray:
    """The penalty each start carries by itself (wishes, tentative time, lateness, and a
    check-in's lateness)."""
    costs: IntArray = (
        weights.preferred_time * session.preference_misses
        + weights.tentative_time * session.tentative.astype(np.int64)
        + weights.late_in_period * session.lateness
        + weights.late_check_in * session.check_in_lateness
    )
    return costs


def _cheapest_starts(own: list[SessionCandidates], weights: SoftWeights) -> dict[int, int]:
    """Each session's cheapest start, off-slot starts costing `unstable_slot` more, around
    the anchor slot that makes the pair's total least (the model's anchor, forgetting the
    other pairs). A pair with one session has no anchor."""
    return {s.number: int(np.argmin(priced)) for s, priced in _priced(own, weights)}


def _priced(
    own: list[SessionCandidates], weights: SoftWeights
) -> list[tuple[SessionCandidates, IntArray]]:
    """Each start's cost alone, plus `unstable_slot` where it is off the pair's best anchor."""
    costs = [candidate_costs(s, weights) for s in own]
    if len(own) < 2:
        return list(zip(own, costs, strict=True))
    anchor = _best_anchor(own, costs, weights.unstable_slot)
    return [
        (session, cost + np.where(session.slot == anchor, 0, weights.unstable_slot))
        for session, cost in zip(own, costs, strict=True)
    ]


def _best_anchor(own: list[SessionCandidates], costs: list[IntArray], off_slot: int) -> int:
    """The slot whose sessions gain most from keeping it: per session, what its cheapest
    start at the slot saves against its cheapest start anywhere plus the off-slot cost.
    Ties go to the earliest slot of the week."""
    slots, gains = [], []
    for session, cost in zip(own, costs, strict=True):
        order = np.lexsort((cost, session.slot))
        first = np.ones(len(order), dtype=bool)
        first[1:] = session.slot[order][1:] != session.slot[order][:-1]
        at_slot = order[first]  # the cheapest start at each slot of this session
        slots.append(session.slot[at_slot])
        gains.append(np.minimum(0, cost[at_slot] - (int(cost.min()) + off_slot)))
    every_slot = np.concatenate(slots)
    total = np.concatenate(gains)
    unique, position = np.unique(every_slot, return_inverse=True)
    per_slot = np.zeros(len(unique), dtype=np.int64)
    np.add.at(per_slot, position, total)
    return int(unique[int(np.argmin(per_slot))])
