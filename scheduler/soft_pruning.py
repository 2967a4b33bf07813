"""Anchors and starts no soft optimum can use, known before the search: an exact reduction.

When a group places every session that has a candidate, each pair's own penalty (its
starts' costs and its slot misses) is at least what it is with the pair alone, and the
group's at least the sum of those, `lower`. A plan in hand costs `upper`. A pair that
keeps anchor slot `a` costs at least R(a) (each of its sessions at its cheapest start
around `a`), so the group at least `lower - min R + R(a)`: past `upper`, no optimum keeps
that anchor. Likewise for one start of a session under the best anchor it allows. Such
anchors and starts are left out of the soft model; every optimum remains in it, and the
plan in hand too, so the search starts where it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.availability import IntArray
from scheduler.candidates import SessionCandidates
from scheduler.parameters import SoftWeights
from scheduler.soft_relaxation import Relaxation

_NEVER = np.iinfo(np.int64).max // 4  # no second anchor: a cost beyond any slack


@dataclass(frozen=True)
class Pruning:
    lower: int  # the group's soft penalty is at least this
    upper: int  # the plan in hand's
    anchors: dict[str, set[int]]  # per pair of two sessions or more: the slots left as anchor
    starts: dict[int, IntArray]  # per session number: the candidates no optimum uses


def pruned(
    sessions: Sequence[SessionCandidates],
    weights: SoftWeights,
    upper: int,
    relaxation: Relaxation | None = None,
) -> Pruning:
    """`relaxation`, when given, is `sessions`'s: its costs are not computed again."""
    relaxation = relaxation or Relaxation(sessions, weights)
    pairs = [_PairBound(own, relaxation.costs, weights) for own in relaxation.pairs]
    lower = sum(pair.least for pair in pairs)
    anchors, starts = {}, {}
    for pair in pairs:
        slack = upper - (lower - pair.least)  # what this pair may cost at most
        if pair.slots is not None:
            anchors[pair.own[0].pair.id] = pair.anchors_within(slack)
        for number, excluded in pair.starts_beyond(slack).items():
            if len(excluded):
                starts[number] = excluded
    return Pruning(lower, upper, anchors, starts)


class _PairBound:
    """A pair's least penalty alone, by anchor slot: R(a) = the sum over its sessions of
    M(k, a), session k's cheapest start around anchor a."""

    def __init__(
        self, own: list[SessionCandidates], costs: dict[int, IntArray], weights: SoftWeights
    ) -> None:
        self.own = own
        self.costs = [costs[s.number] for s in own]
        self.off_slot = weights.unstable_slot
        if len(own) < 2:  # no anchor: each session at its cheapest start
            self.slots = None
            self.least = sum(int(c.min()) for c in self.costs)
            return
        self.slots = np.unique(np.concatenate([s.slot for s in own]))
        self.cheapest = np.empty((len(own), len(self.slots)), dtype=np.int64)
        for row, (session, cost) in enumerate(zip(own, self.costs, strict=True)):
            self.cheapest[row] = int(cost.min()) + self.off_slot
            np.minimum.at(self.cheapest[row], np.searchsorted(self.slots, session.slot), cost)
        self.by_anchor = self.cheapest.sum(axis=0)
        self.least = int(self.by_anchor.min())

    def anchors_within(self, slack: int) -> set[int]:
        assert self.slots is not None
        return set(self.slots[self.by_anchor <= slack].tolist())

    def starts_beyond(self, slack: int) -> dict[int, IntArray]:
        """Per session, the starts whose least pair penalty, over the anchors, passes slack."""
        found: dict[int, IntArray] = {}
        for row, (session, cost) in enumerate(zip(self.own, self.costs, strict=True)):
            found[session.number] = np.flatnonzero(self._least_with(row, session, cost) > slack)
        return found

    def _least_with(self, row: int, session: SessionCandidates, cost: IntArray) -> IntArray:
        """The pair's least penalty with session `row` at each of its starts."""
        if self.slots is None:
            return cost + (self.least - int(cost.min()))
        rest = self.by_anchor - self.cheapest[row]  # the other sessions, by anchor
        order = np.argsort(rest, kind="stable")
        best = rest[order[0]]
        second = rest[order[1]] if len(order) > 1 else _NEVER
        at = np.searchsorted(self.slots, session.slot)
        elsewhere = np.where(at == order[0], second, best) + self.off_slot  # anchor not its slot
        on_its_slot = rest[at]  # anchor its own slot
        least: IntArray = cost + np.minimum(elsewhere, on_its_slot)
        return least
