"""Reasons a planner can act on, for every session a plan does not place.

Two kinds of answer. A session with no candidate start is analysed layer by layer
(working hours, days off, training, busy time) to name the first layer that leaves no
time. A session whose candidates all exist but were not used gets, per candidate, what
took it in the final plan: another pair's session, a daily or weekly cap, the gap to a
neighbouring session.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from scheduler.availability import AvailabilityIndex, BoolArray, PersonCells, whole_runs
from scheduler.candidates import CandidateSet, SessionCandidates, period_window
from scheduler.domain import Person, Unplaced
from scheduler.ledger import Ledger, ledger_of


def explain_unplaced(data: CandidateSet, chosen: dict[int, int]) -> tuple[Unplaced, ...]:
    missing = [s for s in data.sessions if s.number not in chosen]
    if not missing:
        return ()
    index = data.availability
    ledger = ledger_of(data, chosen)
    return tuple(
        _no_slot(data, index, s) if len(s) == 0 else _why_taken(ledger, s) for s in missing
    )


def when(session: SessionCandidates) -> str:
    """`week of 2027-03-08` for weekly pairs, else the period's dates."""
    period = session.request.period
    if session.pair.cadence == 1:
        return f"week of {period.first_day}"
    last = period.end_day - timedelta(days=1)
    return f"period {period.first_day} to {last}"


# --- sessions without any candidate start ------------------------------------------------


def _no_slot(data: CandidateSet, index: AvailabilityIndex, s: SessionCandidates) -> Unplaced:
    pair, period = s.pair, s.request.period
    people = pair.people
    booking, limit = s.request.booking, pair.max_moves_per_session
    if booking and limit is not None and booking.moves >= limit:
        text = (
            f"{when(s)}: moved {booking.moves} times already (max_moves_per_session {limit}) "
            "and its booked start is no longer possible: a person must handle it"
        )
        return Unplaced(pair.id, s.index, text, "max_moves_reached", people)
    notice = index.problem.notice_until
    first, stop = period_window(s.request, index.grid)
    if period.is_empty or stop <= first:
        return _outside_horizon(data, s)
    if notice is not None and _empty(period_window(s.request, index.grid, notice)):
        text = (
            f"{when(s)}: the period ends inside the notice window "
            f"(nothing new before {notice:%Y-%m-%d %H:%M} UTC)"
        )
        return Unplaced(pair.id, s.index, text, "inside_notice_window", people)
    mentor, mentee = index.people[pair.mentor], index.people[pair.mentee]
    window = slice(first, stop)

    def common(layer: str) -> bool:
        return bool(
            np.any(
                _layer_starts(mentor, s, layer, window) & _layer_starts(mentee, s, layer, window)
            )
        )

    if not common("working"):
        text = (
            f"{when(s)}: the working hours of mentor {pair.mentor} ({mentor.person.tz}) and "
            f"executive {pair.mentee} ({mentee.person.tz}) never overlap for "
            f"{pair.duration_minutes} minutes"
        )
        return Unplaced(pair.id, s.index, text, "no_common_working_hours", people)
    if not common("days"):
        text = f"{when(s)}: no working day in common: {_days_off_text(s, mentor, mentee)}"
        return Unplaced(pair.id, s.index, text, "days_off", people)
    if not common("available"):
        assert mentor.person.available_from is not None
        text = (
            f"{when(s)}: mentor {pair.mentor} is not yet available (training until "
            f"{mentor.person.available_from})"
        )
        return Unplaced(pair.id, s.index, text, "mentor_not_available", people)
    shares = [
        f"{role} {cells.person.id} {_busy_share(cells, s, window):.0%}"
        for role, cells in (("executive", mentee), ("mentor", mentor))
    ]
    buffer = f", with {pair.buffer_minutes}-minute buffers" if pair.buffer_minutes else ""
    text = (
        f"{when(s)}: no common free time inside both working hours "
        f"(busy share of working time: {', '.join(shares)}{buffer})"
    )
    days_off = _days_off_text(s, mentor, mentee)
    if days_off != "none":
        text += f"; also {days_off}"
    return Unplaced(pair.id, s.index, text, "no_common_free_time", people)


def _empty(window: tuple[int, int]) -> bool:
    return window[1] <= window[0]


def _outside_horizon(data: CandidateSet, s: SessionCandidates) -> Unplaced:
    period, problem = s.request.period, data.problem
    text = (
        f"period {s.index} ({period.first_day} to {period.end_day - timedelta(days=1)}) "
        f"lies outside the horizon ({problem.horizon_first_day} to "
        f"{problem.horizon_end_day - timedelta(days=1)})"
    )
    return Unplaced(s.pair.id, s.index, text, "outside_horizon", s.pair.people)


def _layer_starts(cells: PersonCells, s: SessionCandidates, layer: str, window: slice) -> BoolArray:
    """Possible starts inside `window` for one person, with the layers up to `layer`.

    Only the window and the session's length after it are looked at: a few hundred cells
    instead of the whole horizon, for each unplaced session."""
    cover = slice(window.start, min(window.stop + s.length, cells.grid.size))
    free = cells.working_cell[cover]
    if layer in ("days", "available"):
        free = free & cells.usable_day_cell[cover]
    if layer == "available":
        free = free & cells.available_cell[cover]
    starts = whole_runs(free, cells.working.range_of_cell[cover], s.length)
    return starts[: window.stop - window.start]


def _busy_share(cells: PersonCells, s: SessionCandidates, window: slice) -> float:
    usable = (cells.usable_day_cell & cells.available_cell)[window]
    blocked = cells.blocked_cells(0, s.pair.tentative)[window]  # as the calendar shows it
    total = int(usable.sum())
    return float((usable & blocked).sum()) / total if total else 1.0


def _days_off_text(s: SessionCandidates, mentor: PersonCells, mentee: PersonCells) -> str:
    parts = []
    for role, cells in (("executive", mentee), ("mentor", mentor)):
        parts.extend(_person_days_off(role, cells.person, s))
    return "; ".join(parts) or "none"


def _person_days_off(role: str, person: Person, s: SessionCandidates) -> list[str]:
    period = s.request.period
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


# --- sessions whose candidate starts were all taken ---------------------------------------


def _why_taken(ledger: Ledger, s: SessionCandidates) -> Unplaced:
    blockers = [ledger.blockers(s, choice) for choice in range(len(s))]
    pair = s.pair
    open_starts = sum(1 for found in blockers if not found)
    if open_starts:
        text = (
            f"{when(s)}: {open_starts} free start(s) remain, but the solver stopped before "
            "placing this session; give it more time (--time-limit)"
        )
        return Unplaced(pair.id, s.index, text, "not_placed_in_time", pair.people)
    every = [b for found in blockers for b in found]
    kinds = {b.kind for b in every}
    takers = sorted({b.text for b in every if b.kind == "session"})
    parts = (["taken by the sessions of " + ", ".join(takers)] if takers else []) + sorted(
        {b.text for b in every if b.kind != "session"}
    )
    code = {
        frozenset({"session"}): "slots_taken",
        frozenset({"cap"}): "cap_reached",
        frozenset({"gap"}): "min_gap",
    }.get(frozenset(kinds), "slots_taken_or_capped")
    text = f"{when(s)}: the only {len(s)} free start(s) of both people are " + "; ".join(parts)
    blocking = tuple(sorted({b.pair for b in every if b.pair is not None}))
    return Unplaced(pair.id, s.index, text, code, pair.people, blocking)
