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
from typing import Any

import numpy as np
import numpy.typing as npt

from scheduler.availability import IntArray
from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.goal_figures import goal_figures, weighted_penalty
from scheduler.ledger import Ledger
from scheduler.parameters import SoftWeights


class Relaxation:
    """Per session with a candidate, each start's own cost and its price in the relaxation
    (the cost, plus `unstable_slot` off the best anchor of the pair alone). Computed once
    per group: the proof without a search, the head start and the pruning read them."""

    def __init__(self, sessions: Sequence[SessionCandidates], weights: SoftWeights) -> None:
        self.pairs = pairs_of(sessions)
        self.costs: dict[int, IntArray] = {}
        self.prices: dict[int, IntArray] = {}
        for own in self.pairs:
            # One pair's candidates as flat columns, then split per session (views): a few
            # numpy calls per pair instead of a dozen per session.
            flat = PairColumns(own)
            costs = flat.costs(weights)
            prices = flat.split(_priced(flat, costs, weights.unstable_slot))
            for session, cost, price in zip(own, flat.split(costs), prices, strict=True):
                self.costs[session.number] = cost
                self.prices[session.number] = price


def settle_without_search(
    data: CandidateSet,
    sessions: Sequence[SessionCandidates],
    weights: SoftWeights,
    relaxation: Relaxation | None = None,
) -> tuple[dict[int, int], int] | None:
    """The optimal starts and their penalty, when the relaxation's optimum keeps every
    rule; None when a search must decide. Only for a group that places every session with
    a candidate and has no booked session to keep (moves come before the soft goals).
    `relaxation`, when given, is `sessions`'s."""
    if any(s.request.booking is not None for s in sessions):
        return None
    relaxation = relaxation or Relaxation(sessions, weights)
    # Each session's cheapest start around its pair's best anchor.
    chosen = {number: int(np.argmin(price)) for number, price in relaxation.prices.items()}
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
    relaxation: Relaxation | None = None,
) -> dict[int, int]:
    """A good first plan for the search: the same sessions as `placed`, each at its
    relaxation start where that still fits, else at its cheapest start that fits; the
    placement itself where some session finds no start at all. `relaxation`, when given,
    is `sessions`'s (used when `placed` places all of them that have a candidate)."""
    placing = [s for s in sessions if s.number in placed]
    if relaxation is None or len(placing) != sum(1 for s in sessions if len(s)):
        relaxation = Relaxation(placing, weights)
    wanted = relaxation.prices
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


class PairColumns:
    """The candidates of one pair's sessions (each with a candidate) end to end."""

    def __init__(self, own: list[SessionCandidates]) -> None:
        self.own = own
        lengths = np.array([len(s) for s in own])
        self.ends = np.cumsum(lengths)
        self.firsts = self.ends - lengths
        self.slot = np.concatenate([s.slot for s in own])
        self.row = np.repeat(np.arange(len(own)), lengths)

    def column(self, field: str) -> IntArray:
        return np.concatenate([getattr(s, field) for s in self.own]).astype(np.int64)

    def costs(self, weights: SoftWeights) -> IntArray:
        """The penalty each start carries by itself (wishes, tentative time, lateness, and a
        check-in's lateness: a check-in comes early in its month)."""
        lateness = self.column("lateness")
        supervision = np.array([s.pair.kind == "supervision" for s in self.own])[self.row]
        costs: IntArray = (
            weights.preferred_time * self.column("preference_misses")
            + weights.tentative_time * self.column("tentative")
            + weights.late_in_period * lateness
            + weights.late_check_in * np.where(supervision, lateness, 0)
        )
        return costs

    def split(self, values: npt.NDArray[Any]) -> list[npt.NDArray[Any]]:
        """Per session, its part of a column of the pair's candidates (views)."""
        return np.split(values, self.ends[:-1])


def _priced(flat: PairColumns, costs: IntArray, off_slot: int) -> IntArray:
    """Each start's cost alone, plus `unstable_slot` where it is off the pair's best anchor.
    A pair with one session has no anchor."""
    if len(flat.own) < 2:
        return costs
    anchor = _best_anchor(flat, costs, off_slot)
    priced: IntArray = costs + np.where(flat.slot == anchor, 0, off_slot)
    return priced


def _best_anchor(flat: PairColumns, costs: IntArray, off_slot: int) -> int:
    """The slot whose sessions gain most from keeping it: per session, what its cheapest
    start at the slot saves against its cheapest start anywhere plus the off-slot cost.
    Ties go to the earliest slot of the week."""
    order = np.lexsort((costs, flat.slot, flat.row))
    row, slot = flat.row[order], flat.slot[order]
    first = np.ones(len(order), dtype=bool)  # the cheapest start at each slot of a session
    first[1:] = (row[1:] != row[:-1]) | (slot[1:] != slot[:-1])
    cheapest = np.minimum.reduceat(costs, flat.firsts)  # per session
    at_slot = order[first]
    gains = np.minimum(0, costs[at_slot] - (cheapest[flat.row[at_slot]] + off_slot))
    unique, position = np.unique(flat.slot[at_slot], return_inverse=True)
    per_slot = np.zeros(len(unique), dtype=np.int64)
    np.add.at(per_slot, position, gains)
    return int(unique[int(np.argmin(per_slot))])
