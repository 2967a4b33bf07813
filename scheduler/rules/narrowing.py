"""A session without candidate starts, its possible starts narrowed down rule by rule.

Explanations take the hard rules in the registry's order (windows, then each person's
calendar layers, then the rules of booked sessions) and find the first rule after which
no start is left that both people share: that rule is the reason. Each rule only removes
starts, so the first such rule is found by halving the list.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from scheduler.availability import BoolArray, IntArray, PersonCells, whole_runs
from scheduler.rules.parts import CandidatePart, Layer, StartFilter, Window

if TYPE_CHECKING:
    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.domain import Pair, Problem, SessionRequest
    from scheduler.time_grid import Grid


def when(session: SessionCandidates, problem: Problem) -> str:
    """`week of 2027-03-08` for weekly pairs, else the period's dates; and how much of the
    period the horizon leaves, when it cuts the period."""
    period = session.request.period
    if session.pair.cadence == 1:
        named = f"week of {period.first_day}"
    else:
        named = f"period {period.first_day} to {period.end_day - timedelta(days=1)}"
    return named + horizon_cut(session.request, problem)


def horizon_cut(request: SessionRequest, problem: Problem) -> str:
    """` (only 2 working days of this month are inside the horizon, which ends on ...)`,
    or nothing when the whole period lies inside the horizon."""
    period = request.period
    first = max(period.first_day, problem.horizon_first_day)
    end = min(period.end_day, problem.horizon_end_day)
    if (first, end) == (period.first_day, period.end_day):
        return ""
    executive = problem.people[request.pair.mentee]
    inside = [first + timedelta(days=i) for i in range(max(0, (end - first).days))]
    working = sum(1 for day in inside if day.weekday() in executive.working_hours)
    unit = {1: "week", "monthly": "month"}.get(request.pair.cadence, "period")
    edge = (
        f"ends on {problem.horizon_end_day - timedelta(days=1)}"
        if end < period.end_day
        else f"starts on {problem.horizon_first_day}"
    )
    days, verb = (
        (f"{working} working day", "is") if working == 1 else (f"{working} working days", "are")
    )
    return f" (only {days} of this {unit} {verb} inside the horizon, which {edge})"


def narrowing_steps(
    data: CandidateSet, session: SessionCandidates, parts: list[CandidatePart | None]
) -> list[Narrowing]:
    """The narrowing after each number of `parts`: none, the first, the first two, ...,
    all. Each rule is applied once (the first rule that leaves no start is found by
    halving, and re-narrowing from nothing at each probe took most of the time)."""
    steps = [Narrowing(data, session)]
    for part in parts:
        steps.append(steps[-1].narrowed_by(part))
    return steps


class Narrowing:
    def __init__(self, data: CandidateSet, session: SessionCandidates) -> None:
        self.data = data
        self.session = session
        index = data.availability
        self.mentor: PersonCells = index.people[session.pair.mentor]
        self.mentee: PersonCells = index.people[session.pair.mentee]
        self.first, self.stop = 0, self.grid.size - session.length + 1
        self._usable: dict[str, BoolArray] = {}  # per person, over `cover`, once layers begin
        self._filters: list[StartFilter] = []

    @property
    def grid(self) -> Grid:
        return self.data.grid

    @property
    def problem(self) -> Problem:
        return self.data.problem

    @property
    def pair(self) -> Pair:
        return self.session.pair

    @property
    def request(self) -> SessionRequest:
        return self.session.request

    @property
    def cover(self) -> slice:
        """The cells the window's starts and their sessions touch."""
        end = min(self.stop - 1 + self.session.length, self.grid.size)
        return slice(self.first, max(self.first, end))

    def when(self) -> str:
        return when(self.session, self.problem)

    def narrowed_by(self, part: CandidatePart | None) -> Narrowing:
        """A copy, narrowed by one more rule's part; this one stays as it was."""
        step = copy.copy(self)
        step._usable = dict(self._usable)  # a layer replaces a person's cells, never edits
        step._filters = list(self._filters)
        step.narrow(part)
        return step

    def narrow(self, part: CandidatePart | None) -> None:
        """Add one rule's candidate part (windows first, then layers, then filters)."""
        if isinstance(part, Window):
            assert not self._usable, "windows come before the calendar layers"
            first, stop = part.bounds(self.request, self.grid, self.problem)
            self.first, self.stop = max(self.first, first), min(self.stop, stop)
        elif isinstance(part, Layer):
            for cells in (self.mentor, self.mentee):
                layer = part.usable(cells, self.pair.buffer_minutes, self.pair.tentative)
                self._usable[cells.person.id] = self.usable(cells) & layer[self.cover]
        elif isinstance(part, StartFilter):
            self._filters.append(part)

    def usable(self, cells: PersonCells) -> BoolArray:
        """The person's cells over `cover` that the layers so far leave usable."""
        found = self._usable.get(cells.person.id)
        if found is None:
            found = np.ones(self.cover.stop - self.cover.start, dtype=bool)
        return found

    def starts(self) -> IntArray:
        if self.stop <= self.first:
            return np.zeros(0, dtype=np.int64)
        both = self._person_starts(self.mentor) & self._person_starts(self.mentee)
        starts: IntArray = self.first + np.flatnonzero(both).astype(np.int64)
        for part in self._filters:
            starts = part.keep(self.request, self.grid, self.problem, starts)
        return starts

    def _person_starts(self, cells: PersonCells) -> BoolArray:
        ranges = cells.working.range_of_cell[self.cover]
        runs = whole_runs(self.usable(cells), ranges, self.session.length)
        return runs[: self.stop - self.first]
