"""How well two calendars fit a pair's cadence, for every mentor an executive could get.

The same machinery that plans sessions measures it (`AvailabilityIndex`: working hours in
each person's zone, busy time with the programme's buffer and tentative policy, holidays,
out-of-office days, the mentor's `available_from`; the horizon, period and notice windows
of `scheduler.rules.windows`). For a would-be pair it counts the periods of its cadence in
which both people could start a session, the time they could start one in, and the weekly
slot (the executive's local weekday and time) that is free for both in the most weeks.

Each figure is of one pair alone: a mentor's other executives and everyone's caps are the
planner's business once the pairs are formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from scheduler.availability import AvailabilityIndex
from scheduler.candidates import start_window
from scheduler.domain import Pair, Problem
from scheduler.problem import session_requests

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
MINUTES_PER_DAY = 24 * 60
# Cells of (mentor x executive start) compared at once: bounds the working memory of one
# executive's fit (about 4 bytes each) whatever the pool, the grid and the horizon.
CELLS_AT_ONCE = 8_000_000


def fit_megabytes(mentors: int, grid_cells: int) -> int:
    """What measuring a pool's calendar fit holds at once: every mentor's start cells (a
    byte each), and one chunk of comparisons (`CELLS_AT_ONCE`, about 12 bytes each)."""
    return (mentors * grid_cells + CELLS_AT_ONCE * 12) // 1_000_000 + 1


@dataclass(frozen=True)
class PairShape:
    """What the pairs a matching forms are like: cadence, duration and the rules that
    decide a person's usable time (the programme's buffer and tentative policy)."""

    cadence: int | str
    duration_minutes: int
    buffer_minutes: int
    tentative: str
    start: date


@dataclass(frozen=True)
class FitFigures:
    """Per candidate mentor of one executive (rows in the order asked for)."""

    periods: int  # the pair's periods in the horizon
    held: IntArray  # periods with at least one start free for both
    start_minutes: IntArray  # minutes in the horizon both could start a session at
    stable_weeks: IntArray  # weeks the best weekly slot is free for both
    stable_slot: IntArray  # that slot: weekday * 1440 + the executive's local minute; -1 none
    weeks: int  # weeks the horizon touches


class CalendarFit:
    """Start cells of every person for sessions of `shape`, and the fit of any pair."""

    def __init__(self, problem: Problem, shape: PairShape, mentors: list[str]) -> None:
        self.problem = problem
        self.shape = shape
        self.index = AvailabilityIndex(problem)
        self.grid = self.index.grid
        self.length = self.grid.cells(shape.duration_minutes)
        self.mentors = mentors
        self.mentor_starts = (
            np.stack([self._starts(m) for m in mentors])
            if mentors
            else np.zeros((0, self.grid.size), dtype=bool)
        )
        self.weeks = -(-(problem.horizon_end_day - problem.horizon_first_day).days // 7)

    def _starts(self, person: str) -> BoolArray:
        cells = self.index.people[person]
        return cells.start_cells(self.length, self.shape.buffer_minutes, self.shape.tentative)  # type: ignore[arg-type]

    def windows(self, executive: str) -> list[tuple[int, int]]:
        """Start cells [first, stop) of each period of a pair of this executive."""
        pair = self.would_be_pair(executive, executive)
        return [
            start_window(request, self.grid, self.problem)
            for request in session_requests(self.problem, pair)
        ]

    def would_be_pair(self, mentor: str, executive: str) -> Pair:
        shape = self.shape
        return Pair(
            id=f"{executive}-{mentor}",
            mentor=mentor,
            mentee=executive,
            cadence=shape.cadence,  # type: ignore[arg-type]
            duration_minutes=shape.duration_minutes,
            start=shape.start,
            session_count=None,
            buffer_minutes=shape.buffer_minutes,
            tentative=shape.tentative,  # type: ignore[arg-type]
        )

    def of_executive(self, executive: str, rows: IntArray) -> FitFigures:
        """The fit of `executive` with the mentors at `rows` (positions in `mentors`),
        a bounded number of cells at a time."""
        windows = self.windows(executive)
        own = np.flatnonzero(self._starts(executive))
        chunk = max(1, CELLS_AT_ONCE // max(1, len(own)))
        parts = [
            self._fit_of_rows(executive, windows, own, rows[first : first + chunk])
            for first in range(0, len(rows), chunk)
        ]
        held, minutes, weeks, slots = (
            np.concatenate([part[i] for part in parts]) if parts else np.zeros(0, np.int64)
            for i in range(4)
        )
        return FitFigures(len(windows), held, minutes, weeks, slots, self.weeks)

    def _fit_of_rows(
        self, executive: str, windows: list[tuple[int, int]], own: IntArray, rows: IntArray
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        common: BoolArray = self.mentor_starts[np.ix_(rows, own)]
        counts = np.zeros((len(rows), len(own) + 1), dtype=np.int32)
        np.cumsum(common, axis=1, out=counts[:, 1:])
        bounds = np.array(windows, dtype=np.int64).reshape(-1, 2)
        first = np.searchsorted(own, bounds[:, 0])
        stop = np.searchsorted(own, bounds[:, 1])
        per_period = counts[:, stop] - counts[:, first]
        within = np.zeros(len(own) + 1, dtype=np.int32)
        for low, high in zip(first, stop, strict=True):
            within[low] += 1
            within[high] -= 1
        in_a_period = np.cumsum(within[:-1]) > 0
        start_cells = (common & in_a_period).sum(axis=1).astype(np.int64)
        stable_weeks, stable_slot = self._stable_slot(executive, own, common)
        held = (per_period > 0).sum(axis=1).astype(np.int64)
        return held, start_cells * self.grid.step, stable_weeks, stable_slot

    def _stable_slot(
        self, executive: str, own: IntArray, common: BoolArray
    ) -> tuple[IntArray, IntArray]:
        """Per row, the most weeks one weekly slot of the executive is free for both."""
        rows = common.shape[0]
        if not len(own):
            return np.zeros(rows, dtype=np.int64), np.full(rows, -1, dtype=np.int64)
        cells = self.index.people[executive]
        ranges = cells.working.range_of_cell[own]
        weekday = (cells.working.day_ordinal[ranges] - 1) % 7  # date.fromordinal(1): Monday
        minute = cells.working.local_minutes(self.grid, own, cells.person.tz)
        slot = weekday * MINUTES_PER_DAY + minute
        order = np.argsort(slot, kind="stable")
        slots, first = np.unique(slot[order], return_index=True)
        counts = np.zeros((rows, len(own) + 1), dtype=np.int32)
        np.cumsum(common[:, order], axis=1, out=counts[:, 1:])
        ends = np.append(first[1:], len(own))
        weeks = counts[:, ends] - counts[:, first]
        best = weeks.argmax(axis=1)
        most = weeks[np.arange(rows), best].astype(np.int64)
        return most, np.where(most > 0, slots[best], -1).astype(np.int64)
