"""Rules of sessions booked already (re-planning): a session inside the notice window stays
where it is; a declined or cancelled one leaves its start; one moved
`max_moves_per_session` times is not moved again."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from scheduler.domain import Unplaced
from scheduler.rule_names import RuleName
from scheduler.rules.calendar import BOOKS_CANDIDATES
from scheduler.rules.parts import ByConstruction, FixedStart, HardRule, NoStartLeft, StartFilter
from scheduler.time_grid import iso_week_key
from scheduler.time_notation import MINUTES_PER_DAY

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from scheduler.availability import AvailabilityIndex, IntArray
    from scheduler.candidates import CandidateSet, SessionCandidates
    from scheduler.domain import Problem, SessionRequest
    from scheduler.model.variables import Variables
    from scheduler.rules.narrowing import Narrowing
    from scheduler.time_grid import Grid


# --- frozen -------------------------------------------------------------------------------


def frozen_candidate(
    number: int, request: SessionRequest, index: AvailabilityIndex
) -> SessionCandidates:
    """A session frozen inside the notice window: one candidate, its booked start, kept even
    where it now breaks a rule. Its facts come from the calendar, not from the grid, since
    it may sit off the grid or outside working hours."""
    from scheduler.candidates import SessionCandidates  # the candidates import this module

    assert request.booking is not None
    grid, pair = index.grid, request.pair
    start = request.booking.start
    end = start + timedelta(minutes=pair.duration_minutes)
    first = grid.index_at_or_before(start)
    length = max(1, grid.index_at_or_after(end) - first)
    mentor_day = start.astimezone(index.problem.people[pair.mentor].tz).date()
    mentee_local = start.astimezone(index.problem.people[pair.mentee].tz)
    mentee_day = mentee_local.date()

    def one(value: int) -> IntArray:
        return np.array([value], dtype=np.int64)

    return SessionCandidates(
        number=number,
        request=request,
        length=length,
        starts=one(first),
        mentor_day=one(mentor_day.toordinal()),
        mentee_day=one(mentee_day.toordinal()),
        mentor_week=one(iso_week_key(mentor_day)),
        mentee_week=one(iso_week_key(mentee_day)),
        slot=one(
            mentee_day.weekday() * MINUTES_PER_DAY + mentee_local.hour * 60 + mentee_local.minute
        ),
        tentative=np.zeros(1, dtype=bool),
        preference_misses=one(0),
        lateness=one(0),
        keep=0,
        move_cost=one(0),
    )


def add_frozen_sessions_stay(model: cp_model.CpModel, data: CandidateSet, v: Variables) -> None:
    """A frozen session is placed, at its one candidate: its booked start."""
    for session in v.sessions:
        if session.frozen:
            model.add(v.choices(session)[0] == 1)


FROZEN = HardRule(
    RuleName.FROZEN,
    candidates=FixedStart(frozen_candidate),
    model=add_frozen_sessions_stay,
    greedy=ByConstruction("the greedy books frozen sessions first, at their start"),
    explanation=ByConstruction("never unplaced: a frozen session stays where it is"),
)


# --- a declined or cancelled session leaves its start -------------------------------------


def _leaves_its_start(
    request: SessionRequest, grid: Grid, problem: Problem, starts: IntArray
) -> IntArray:
    booking = request.booking
    if booking is None or not booking.must_leave:
        return starts
    kept: IntArray = starts[starts != grid.cell_starting_at(booking.start)]
    return kept


def _only_start_was_left(n: Narrowing) -> Unplaced:
    if moved_enough(n.request):
        return _max_moves_reached(n)  # its one start left, and it may not move: the real cause
    booking = n.request.booking
    assert booking is not None
    text = (
        f"{n.when()}: the only start both people have free is the one the session was "
        f"{booking.status} at ({booking.start:%Y-%m-%d %H:%M} UTC)"
    )
    return Unplaced(n.pair.id, n.session.index, text, "only_start_left", n.pair.people)


LEFT_START = HardRule(
    RuleName.LEFT_START,
    candidates=StartFilter(_leaves_its_start),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_only_start_was_left),
)


# --- moved often enough ---------------------------------------------------------------------


def moved_enough(request: SessionRequest) -> bool:
    limit, booking = request.pair.max_moves_per_session, request.booking
    return booking is not None and limit is not None and booking.moves >= limit


def _stays_after_max_moves(
    request: SessionRequest, grid: Grid, problem: Problem, starts: IntArray
) -> IntArray:
    """Not moved again automatically: its own start, if that is still possible, or none."""
    if not moved_enough(request):
        return starts
    assert request.booking is not None
    kept: IntArray = starts[starts == grid.cell_starting_at(request.booking.start)]
    return kept


def _max_moves_reached(n: Narrowing) -> Unplaced:
    booking, limit = n.request.booking, n.pair.max_moves_per_session
    assert booking is not None
    text = (
        f"{n.when()}: moved {booking.moves} times already (max_moves_per_session {limit}) "
        "and its booked start is no longer possible: a person must handle it"
    )
    return Unplaced(n.pair.id, n.session.index, text, "max_moves_reached", n.pair.people)


MAX_MOVES = HardRule(
    RuleName.MAX_MOVES,
    candidates=StartFilter(_stays_after_max_moves),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_max_moves_reached),
)

REBOOKING_RULES = (FROZEN, LEFT_START, MAX_MOVES)
