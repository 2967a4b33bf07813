"""Rules of when a session may start at all: inside the horizon, inside its period, and
(when re-planning) not inside the notice window. Each bounds the session's start cells."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from scheduler.domain import Unplaced
from scheduler.rule_names import RuleName
from scheduler.rules.calendar import BOOKS_CANDIDATES
from scheduler.rules.parts import HardRule, NoStartLeft, Window
from scheduler.time_grid import local_midnight

if TYPE_CHECKING:
    from datetime import datetime

    from scheduler.domain import Problem, SessionRequest
    from scheduler.rules.narrowing import Narrowing
    from scheduler.time_grid import Grid


def starts_between(
    request: SessionRequest, grid: Grid, earliest: datetime, latest_end: datetime
) -> tuple[int, int]:
    """Start cells [first, stop) of sessions that start at or after `earliest` and end at
    or before `latest_end`, clipped to the grid."""
    length = grid.cells(request.pair.duration_minutes)
    first = max(0, grid.index_at_or_after(earliest))
    stop = min(grid.size - length + 1, grid.index_at_or_before(latest_end) - length + 1)
    return first, max(first, stop)


def _inside_horizon(request: SessionRequest, grid: Grid, problem: Problem) -> tuple[int, int]:
    return starts_between(request, grid, problem.horizon_start, problem.horizon_end)


def _inside_period(request: SessionRequest, grid: Grid, problem: Problem) -> tuple[int, int]:
    """The period's local days of the executive, from midnight to midnight."""
    tz = problem.people[request.pair.mentee].tz
    period = request.period
    start, end = local_midnight(period.first_day, tz), local_midnight(period.end_day, tz)
    return starts_between(request, grid, start, end)


def _outside_horizon(n: Narrowing) -> Unplaced:
    period, problem, s = n.request.period, n.problem, n.session
    text = (
        f"period {s.index} ({period.first_day} to {period.end_day - timedelta(days=1)}) "
        f"lies outside the horizon ({problem.horizon_first_day} to "
        f"{problem.horizon_end_day - timedelta(days=1)})"
    )
    return Unplaced(s.pair.id, s.index, text, "outside_horizon", s.pair.people)


INSIDE_HORIZON = HardRule(
    RuleName.INSIDE_HORIZON,
    candidates=Window(_inside_horizon),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_outside_horizon),
)

INSIDE_PERIOD = HardRule(
    RuleName.INSIDE_PERIOD,
    candidates=Window(_inside_period),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_outside_horizon),
)


def _after_notice(request: SessionRequest, grid: Grid, problem: Problem) -> tuple[int, int]:
    """Nothing new starts before now + min_notice_hours (frozen sessions have their own
    candidate, which this window does not touch)."""
    if problem.notice_until is None:
        return 0, grid.size
    return max(0, grid.index_at_or_after(problem.notice_until)), grid.size


def _inside_notice_window(n: Narrowing) -> Unplaced:
    notice = n.problem.notice_until
    assert notice is not None
    text = (
        f"{n.when()}: the period ends inside the notice window "
        f"(nothing new before {notice:%Y-%m-%d %H:%M} UTC)"
    )
    return Unplaced(n.pair.id, n.session.index, text, "inside_notice_window", n.pair.people)


NOTICE_WINDOW = HardRule(
    RuleName.NOTICE_WINDOW,
    candidates=Window(_after_notice),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_inside_notice_window),
)

WINDOW_RULES = (INSIDE_HORIZON, INSIDE_PERIOD, NOTICE_WINDOW)
