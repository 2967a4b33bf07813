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
from scheduler.soft_relaxation import PairColumns, Relaxation


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
    M(k, a), session k's cheapest start around anchor a. The pair's candidates are taken
    as flat columns (a few numpy calls per pair, not a dozen per session)."""

    def __init__(
        self, own: list[SessionCandidates], costs: dict[int, IntArray], weights: SoftWeights
    ) -> None:
        self.own = own
        self.flat = PairColumns(own)
        self.cost = np.concatenate([costs[s.number] for s in own])
        self.off_slot = weights.unstable_slot
        session_least = np.minimum.reduceat(self.cost, self.flat.firsts)
        if len(own) < 2:  # no anchor: the one session at its cheapest start
            self.slots = None
            self.least = int(session_least.sum())
            return
        self.slots, self.at = np.unique(self.flat.slot, return_inverse=True)
        self.cheapest = np.repeat((session_least + self.off_slot)[:, None], len(self.slots), 1)
        np.minimum.at(self.cheapest, (self.flat.row, self.at), self.cost)
        self.by_anchor = self.cheapest.sum(axis=0)
        self.least = int(self.by_anchor.min())

    def anchors_within(self, slack: int) -> set[int]:
        assert self.slots is not None
        return set(self.slots[self.by_anchor <= slack].tolist())

    def starts_beyond(self, slack: int) -> dict[int, IntArray]:
        """Per session, the starts whose least pair penalty, over the anchors, passes slack."""
        beyond = self.flat.split(self._least_with() > slack)
        return {s.number: np.flatnonzero(out) for s, out in zip(self.own, beyond, strict=True)}

    def _least_with(self) -> IntArray:
        """The pair's least penalty with each session at each of its starts."""
        row = self.flat.row
        if self.slots is None:  # one session: each start's own cost is the pair's
            return self.cost
        rest = self.by_anchor[None, :] - self.cheapest  # per session: the others, by anchor
        # The anchor at the start's own slot, or anywhere at all with the start off it (the
        # others' best: when that is the start's slot, the first term is no more anyway).
        on_its_slot = rest[row, self.at]
        elsewhere = rest.min(axis=1)[row] + self.off_slot
        least: IntArray = self.cost + np.minimum(elsewhere, on_its_slot)
        return least
