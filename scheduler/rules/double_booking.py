"""Nobody has two sessions at once: a person's sessions, widened by their buffer, never
overlap."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING

from scheduler.model.variables import summed
from scheduler.rule_names import RuleName
from scheduler.rules.parts import Blocker, HardRule, TakenBy

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.model.variables import Variables


def add_no_double_booking(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """At most one over each maximal clique of a person's overlapping candidates: the tight
    encoding of an interval graph, far stronger than pairwise conflicts."""
    for person in v.people():
        pad = data.padding_cells[person]
        frozen = {s.number for s in v.sessions_of(person) if s.frozen}
        intervals = [
            (int(start), int(start) + session.length + pad, session.number, var)
            for session in v.sessions_of(person)
            for start, var in zip(session.starts, v.choices(session), strict=True)
        ]
        for clique in maximal_cliques(intervals):
            _add_clique(model, clique, frozen)


def _add_clique(
    model: cp_model.CpModel, clique: list[tuple[int, cp_model.IntVar]], frozen: set[int]
) -> None:
    """At most one of the clique; next to a frozen session (which stays even when it
    overlaps another frozen one), none of the others."""
    free = [var for number, var in clique if number not in frozen]
    if len(free) == len(clique):
        model.add_at_most_one(free)
    elif free:
        model.add(summed(free) == 0)


def maximal_cliques(
    intervals: list[tuple[int, int, int, cp_model.IntVar]],
) -> Iterator[list[tuple[int, cp_model.IntVar]]]:
    """Sweep over half-open intervals (start, end, owner, var); yield cliques that matter,
    as (owner, var).

    A clique is worth a constraint only when it holds candidates of two sessions or more
    (one session's candidates already exclude each other).
    """
    events = sorted(
        [(start, 1, i) for i, (start, _, _, _) in enumerate(intervals)]
        + [(end, 0, i) for i, (_, end, _, _) in enumerate(intervals)]
    )
    active: dict[int, None] = {}
    opened_since_emit = False
    for _, is_start, i in events:
        if is_start:
            active[i] = None
            opened_since_emit = True
            continue
        if opened_since_emit and len({intervals[j][2] for j in active}) > 1:
            yield [(intervals[j][2], intervals[j][3]) for j in active]
        opened_since_emit = False
        del active[i]


class BookedIntervals:
    """Each person's booked sessions as padded grid intervals, sorted by start."""

    def __init__(self, data: CandidateSet) -> None:
        self.data = data
        self._starts: dict[str, list[int]] = {}
        self._booked: dict[str, list[tuple[int, int, str]]] = {}  # (start, padded end, pair)

    def blockers(self, session: SessionCandidates, choice: int) -> list[Blocker]:
        """Booked intervals of a person never overlap, so the ones in the way are adjacent."""
        start = int(session.starts[choice])
        found = []
        for person in session.pair.people:
            end = start + session.length + self.data.padding_cells[person]
            starts, booked = self._starts.get(person, []), self._booked.get(person, [])
            position = max(0, bisect.bisect(starts, start) - 1)
            while position < len(booked) and booked[position][0] < end:
                _, other_end, pair = booked[position]
                if other_end > start:
                    found.append(Blocker(RuleName.DOUBLE_BOOKING, f"{pair} ({person})", pair))
                position += 1
        return found

    def book(self, session: SessionCandidates, choice: int) -> None:
        start = int(session.starts[choice])
        for person in session.pair.people:
            end = start + session.length + self.data.padding_cells[person]
            starts = self._starts.setdefault(person, [])
            position = bisect.bisect(starts, start)
            starts.insert(position, start)
            self._booked.setdefault(person, []).insert(position, (start, end, session.pair.id))


DOUBLE_BOOKING = HardRule(
    RuleName.DOUBLE_BOOKING,
    candidates=None,
    model=add_no_double_booking,
    greedy=BookedIntervals,
    explanation=TakenBy("slots_taken"),
)
