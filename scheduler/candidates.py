"""Candidate starts of every session: where both people are free, inside the period.

Each candidate also carries what the model and the soft goals need to know about it (the
local dates and ISO weeks of both people, the mentee's weekday and local time, whether it
touches tentative time, how far into its period it lies), so that the model works on
integers only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from scheduler.availability import AvailabilityIndex, BoolArray, IntArray, PersonCells
from scheduler.domain import Pair, Problem, SessionRequest
from scheduler.rules.parts import FixedStart
from scheduler.rules.registry import HARD_RULES, start_filters, windows
from scheduler.time_grid import Grid, epoch_minutes, iso_week_key
from scheduler.time_notation import MINUTES_PER_DAY


@dataclass(frozen=True)
class SessionCandidates:
    """The feasible starts of one session (grid cells), each with its facts."""

    number: int  # position of the session in the problem
    request: SessionRequest
    length: int  # grid cells
    starts: IntArray
    mentor_day: IntArray  # local date ordinals
    mentee_day: IntArray
    mentor_week: IntArray  # ISO week keys, year * 100 + week
    mentee_week: IntArray
    slot: IntArray  # mentee's weekday * 1440 + local minute of day
    tentative: BoolArray
    preference_misses: IntArray
    lateness: IntArray  # quarter hours after the period's start
    keep: int | None = None  # the candidate at the booked start, when it is still possible
    move_cost: IntArray | None = None  # 0 at the booked start, 1 in its week, 2 further

    @property
    def frozen(self) -> bool:
        return self.request.frozen

    @property
    def pair(self) -> Pair:
        return self.request.pair

    @property
    def index(self) -> int:
        return self.request.period.index

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    @property
    def check_in_lateness(self) -> IntArray:
        """A check-in's lateness again, for its own soft goal (`late_check_in`): the month's
        check-in comes early, before the mentor's sessions; none for a mentoring session."""
        if self.pair.kind == "supervision":
            return self.lateness
        return np.zeros_like(self.lateness)

    def day_of(self, person_id: str) -> IntArray:
        return self.mentor_day if person_id == self.pair.mentor else self.mentee_day

    def week_of(self, person_id: str) -> IntArray:
        return self.mentor_week if person_id == self.pair.mentor else self.mentee_week


@dataclass(frozen=True)
class CandidateSet:
    """All sessions' candidates over one grid, with each person's conflict padding."""

    problem: Problem
    availability: AvailabilityIndex
    sessions: tuple[SessionCandidates, ...]
    padding_cells: dict[str, int]  # a person's largest pair buffer, in grid cells (rounded up)

    @property
    def grid(self) -> Grid:
        return self.availability.grid

    def start(self, session: SessionCandidates, choice: int) -> datetime:
        return self.grid.instant(int(session.starts[choice]))

    def end(self, session: SessionCandidates, choice: int) -> datetime:
        return self.start(session, choice) + timedelta(minutes=session.pair.duration_minutes)


def build_candidates(problem: Problem, index: AvailabilityIndex | None = None) -> CandidateSet:
    """Per pair, the facts of every cell where both people could start a session are
    computed once; each session takes the slice inside its window (numpy views)."""
    index = index or AvailabilityIndex(problem)
    found: list[SessionCandidates | None] = [None] * len(problem.sessions)
    by_pair: dict[str, list[tuple[int, SessionRequest]]] = {}
    for number, request in enumerate(problem.sessions):
        by_pair.setdefault(request.pair.id, []).append((number, request))
    for requests in by_pair.values():
        pair_cells: _PairCells | None = None  # not for a pair whose sessions are all frozen
        for number, request in requests:
            if request.frozen:
                found[number] = _fixed_start().build(number, request, index)
                continue
            pair_cells = pair_cells or _PairCells(requests[0][1].pair, index)
            found[number] = _session_candidates(number, request, index, pair_cells)
    sessions = tuple(s for s in found if s is not None)
    return CandidateSet(problem, index, sessions, _padding(problem, index.grid))


def _padding(problem: Problem, grid: Grid) -> dict[str, int]:
    """Sessions of one person keep the larger buffer of the two pairs apart.

    The model uses each person's largest buffer between all of their sessions: exact when
    a person's pairs share one buffer (the usual case), slightly cautious otherwise.
    """
    largest: dict[str, int] = dict.fromkeys(problem.people, 0)
    for pair in problem.pairs.values():
        for person in pair.people:
            largest[person] = max(largest[person], pair.buffer_minutes)
    return {person: -(-minutes // grid.step) for person, minutes in largest.items()}


def pair_start_cells(pair: Pair, index: AvailabilityIndex) -> BoolArray:
    length = index.grid.cells(pair.duration_minutes)
    mentor, mentee = index.people[pair.mentor], index.people[pair.mentee]
    args = (length, pair.buffer_minutes, pair.tentative)
    return mentor.start_cells(*args) & mentee.start_cells(*args)


def start_window(request: SessionRequest, grid: Grid, problem: Problem) -> tuple[int, int]:
    """Start cells [first, stop) that every window rule allows (horizon, period, notice)."""
    first, stop = 0, grid.size
    for window in windows():
        low, high = window.bounds(request, grid, problem)
        first, stop = max(first, low), min(stop, high)
    return first, max(first, stop)


def _session_candidates(
    number: int, request: SessionRequest, index: AvailabilityIndex, pair_cells: _PairCells
) -> SessionCandidates:
    grid = index.grid
    first, stop = start_window(request, grid, index.problem)
    low, high = np.searchsorted(pair_cells.starts, [first, stop])
    rows: slice | IntArray = slice(int(low), int(high))
    starts = pair_cells.starts[rows]
    for start_filter in start_filters():
        kept = start_filter.keep(request, grid, index.problem, starts)
        if len(kept) != len(starts):  # rows stay positions in the pair's cells
            every = np.arange(int(low), int(high)) if isinstance(rows, slice) else rows
            rows = every[np.isin(starts, kept)]
            starts = pair_cells.starts[rows]
    found = pair_cells.session(number, request, rows)
    return _with_moves(found, request, index) if request.booking else found


def _fixed_start() -> FixedStart:
    (fixed,) = [r.candidates for r in HARD_RULES if isinstance(r.candidates, FixedStart)]
    return fixed


def _with_moves(
    found: SessionCandidates, request: SessionRequest, index: AvailabilityIndex
) -> SessionCandidates:
    """Moving costs 1 inside the booked start's week (the mentee's ISO week), 2 beyond."""
    assert request.booking is not None
    booked_cell = index.grid.cell_starting_at(request.booking.start)
    keep_at: list[int] = (
        np.flatnonzero(found.starts == booked_cell).tolist() if booked_cell is not None else []
    )
    booked_day = request.booking.start.astimezone(index.problem.people[request.pair.mentee].tz)
    cost = np.where(found.mentee_week == iso_week_key(booked_day.date()), 1, 2).astype(np.int64)
    keep = keep_at[0] if keep_at and not request.booking.must_leave else None
    if keep is not None:
        cost[keep] = 0
    return replace(found, keep=keep, move_cost=cost)


class _PairCells:
    """Every grid cell where both people of a pair could start a session, with the facts
    of each: local dates and ISO weeks of both, the executive's weekday and local time,
    tentative time touched, wishes missed."""

    def __init__(self, pair: Pair, index: AvailabilityIndex) -> None:
        grid = index.grid
        self.pair, self.grid = pair, grid
        self.length = grid.cells(pair.duration_minutes)
        mentor, mentee = index.people[pair.mentor], index.people[pair.mentee]
        starts = np.flatnonzero(pair_start_cells(pair, index)).astype(np.int64)
        mentee_ranges = mentee.working.range_of_cell[starts]
        mentor_ranges = mentor.working.range_of_cell[starts]
        local_minute = mentee.working.local_minutes(grid, starts, mentee.person.tz)
        self.starts = starts
        self.mentee_day = mentee.working.day_ordinal[mentee_ranges]
        self.mentor_day = mentor.working.day_ordinal[mentor_ranges]
        self.mentor_week = mentor.working.week_key[mentor_ranges]
        self.mentee_week = mentee.working.week_key[mentee_ranges]
        weekday = (self.mentee_day - 1) % 7  # date.fromordinal(1) is a Monday
        self.slot = weekday * MINUTES_PER_DAY + local_minute
        self.tentative = _touches_tentative(pair, starts, self.length, mentor, mentee)
        self.preference_misses = _preference_misses(pair, weekday, local_minute)

    def session(
        self, number: int, request: SessionRequest, rows: slice | IntArray
    ) -> SessionCandidates:
        starts = self.starts[rows]
        return SessionCandidates(
            number=number,
            request=request,
            length=self.length,
            starts=starts,
            mentor_day=self.mentor_day[rows],
            mentee_day=self.mentee_day[rows],
            mentor_week=self.mentor_week[rows],
            mentee_week=self.mentee_week[rows],
            slot=self.slot[rows],
            tentative=self.tentative[rows],
            preference_misses=self.preference_misses[rows],
            lateness=_quarter_hours_after(self.grid, starts, request.period.start),
        )


def _quarter_hours_after(grid: Grid, starts: IntArray, moment: datetime) -> IntArray:
    minutes = grid.origin_minute + starts * grid.step - epoch_minutes(moment)
    quarters: IntArray = np.maximum(minutes, 0) // 15
    return quarters


def _touches_tentative(
    pair: Pair, starts: IntArray, length: int, mentor: PersonCells, mentee: PersonCells
) -> BoolArray:
    if pair.tentative != "avoid":
        return np.zeros(starts.shape[0], dtype=bool)
    touched = np.zeros(starts.shape[0], dtype=bool)
    for person in (mentor, mentee):
        counts = person.tentative_counts(pair.buffer_minutes)
        touched |= counts[starts + length] - counts[starts] > 0
    return touched


def _preference_misses(pair: Pair, weekday: IntArray, local_minute: IntArray) -> IntArray:
    """One miss for a day off the preferred weekdays, one for a time outside `between`."""
    misses = np.zeros(weekday.shape[0], dtype=np.int64)
    wish = pair.preferred
    if wish is None:
        return misses
    if wish.weekdays is not None:
        misses += ~np.isin(weekday, sorted(wish.weekdays))
    if wish.between is not None:
        low, high = wish.between
        inside = (local_minute >= low) & (local_minute + pair.duration_minutes <= high)
        misses += ~inside
    return misses
