"""Rules of each person's calendar: working hours, holidays, out-of-office days, a mentor's
training, and busy time widened by the pair's buffer.

Each is a layer of one person's usable grid cells; a session's candidate starts lie where
both people's layers leave its whole length usable. A session without candidates is
explained by the first layer that leaves no start both people share.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from scheduler.domain import Person, Unplaced
from scheduler.rule_names import RuleName
from scheduler.rules.parts import ByConstruction, HardRule, Layer, NoStartLeft

if TYPE_CHECKING:
    from scheduler.availability import BoolArray, PersonCells
    from scheduler.domain import TentativePolicy
    from scheduler.rules.narrowing import Narrowing

BOOKS_CANDIDATES = ByConstruction("the greedy books candidate starts only")


# --- working hours ------------------------------------------------------------------------


def _in_working_hours(cells: PersonCells, buffer: int, tentative: TentativePolicy) -> BoolArray:
    """Inside a working-hours range; that a session lies inside one range of one local day
    is kept by the starts themselves (`whole_runs` looks at each cell's range)."""
    return cells.working_cell


def _no_common_working_hours(n: Narrowing) -> Unplaced:
    pair = n.pair
    mentor_role, mentee_role = pair.roles
    text = (
        f"{n.when()}: the working hours of {mentor_role} {pair.mentor} ({n.mentor.person.tz}) "
        f"and {mentee_role} {pair.mentee} ({n.mentee.person.tz}) never overlap for "
        f"{pair.duration_minutes} minutes"
    )
    return Unplaced(pair.id, n.session.index, text, "no_common_working_hours", pair.people)


WORKING_HOURS = HardRule(
    RuleName.WORKING_HOURS,
    candidates=Layer(_in_working_hours),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_no_common_working_hours),
)


# --- holidays and out-of-office days --------------------------------------------------------


def _no_holiday(cells: PersonCells, buffer: int, tentative: TentativePolicy) -> BoolArray:
    return cells.not_on_day_off("holiday")


def _not_out_of_office(cells: PersonCells, buffer: int, tentative: TentativePolicy) -> BoolArray:
    return cells.not_on_day_off("out_of_office")


def _no_working_day_in_common(n: Narrowing) -> Unplaced:
    text = f"{n.when()}: no working day in common: {days_off_text(n)}"
    return Unplaced(n.pair.id, n.session.index, text, "days_off", n.pair.people)


HOLIDAY = HardRule(
    RuleName.HOLIDAY,
    candidates=Layer(_no_holiday),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_no_working_day_in_common),
)

OUT_OF_OFFICE = HardRule(
    RuleName.OUT_OF_OFFICE,
    candidates=Layer(_not_out_of_office),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_no_working_day_in_common),
)


def _roles_and_cells(n: Narrowing) -> tuple[tuple[str, PersonCells], ...]:
    """The pair's people, the one in the `mentee` place first, each with their role."""
    mentor_role, mentee_role = n.pair.roles
    return ((mentee_role, n.mentee), (mentor_role, n.mentor))


def days_off_text(n: Narrowing) -> str:
    parts = []
    for role, cells in _roles_and_cells(n):
        parts.extend(_person_days_off(role, cells.person, n))
    return "; ".join(parts) or "none"


def _person_days_off(role: str, person: Person, n: Narrowing) -> list[str]:
    period = n.request.period
    days = [
        period.first_day + timedelta(days=i)
        for i in range((period.end_day - period.first_day).days)
    ]
    holidays = [d for d in days if d in person.holidays and d.weekday() in person.working_hours]
    away = [d for d in days if d in person.out_of_office and d.weekday() in person.working_hours]
    found = []
    if away:
        found.append(f"the {role} {person.id} is out of office {_day_span(away)}")
    for day in holidays:
        found.append(
            f"{day:%a} {day} is a holiday ({person.holidays[day]}) for the {role} {person.id}"
        )
    return found


def _day_span(days: list[date]) -> str:
    if len(days) == 1:
        return f"on {days[0]:%a} {days[0]}"
    return f"{days[0]:%a} to {days[-1]:%a} ({days[0]} to {days[-1]})"


# --- a mentor's training --------------------------------------------------------------------


def _available(cells: PersonCells, buffer: int, tentative: TentativePolicy) -> BoolArray:
    return cells.available_cell


def _mentor_in_training(n: Narrowing) -> Unplaced:
    pair = n.pair
    role, cells = max(
        zip(pair.roles, (n.mentor, n.mentee), strict=True),
        key=lambda both: both[1].person.available_from or date.min,
    )
    text = (
        f"{n.when()}: {role} {cells.person.id} is not yet available (training until "
        f"{cells.person.available_from})"
    )
    return Unplaced(pair.id, n.session.index, text, "mentor_not_available", pair.people)


AVAILABLE_FROM = HardRule(
    RuleName.AVAILABLE_FROM,
    candidates=Layer(_available),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_mentor_in_training),
)


# --- busy time --------------------------------------------------------------------------------


def _free(cells: PersonCells, buffer: int, tentative: TentativePolicy) -> BoolArray:
    """Not touched by blocking busy time widened by the pair's buffer on each side."""
    return ~cells.blocked_cells(buffer, tentative)


def _no_common_free_time(n: Narrowing) -> Unplaced:
    pair = n.pair
    window = slice(n.first, n.stop)
    shares = [
        f"{role} {cells.person.id} {_busy_share(cells, pair.tentative, window):.0%}"
        for role, cells in _roles_and_cells(n)
    ]
    buffer = f", with {pair.buffer_minutes}-minute buffers" if pair.buffer_minutes else ""
    text = (
        f"{n.when()}: no common free time inside both working hours "
        f"(busy share of working time: {', '.join(shares)}{buffer})"
    )
    days_off = days_off_text(n)
    if days_off != "none":
        text += f"; also {days_off}"
    return Unplaced(pair.id, n.session.index, text, "no_common_free_time", pair.people)


def _busy_share(cells: PersonCells, tentative: TentativePolicy, window: slice) -> float:
    """Minutes of working time that busy time takes, as the calendar shows it (no buffer):
    a 5-minute call takes 5 minutes, not the grid cell it touches."""
    usable = (cells.usable_day_cell & cells.available_cell)[window]
    busy = cells.blocked_minutes(window, tentative)
    total = int(usable.sum()) * cells.grid.step
    return float(busy[usable].sum()) / total if total else 1.0


BUSY_TIME = HardRule(
    RuleName.BUSY_TIME,
    candidates=Layer(_free),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=NoStartLeft(_no_common_free_time),
)

CALENDAR_RULES = (WORKING_HOURS, HOLIDAY, OUT_OF_OFFICE, AVAILABLE_FROM, BUSY_TIME)
