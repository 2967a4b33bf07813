"""From a validated scenario to the resolved `Problem`: defaults applied, times in UTC."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from typing import TypeVar

from scheduler import scenario as doc
from scheduler.domain import (
    Booking,
    BusyTimes,
    Decline,
    Pair,
    Period,
    Person,
    Preference,
    Problem,
    SessionRequest,
    resolved_cadence,
)
from scheduler.errors import FieldError, ScenarioError
from scheduler.supervision import check_in_pairs
from scheduler.time_grid import local_midnight, naive_to_utc, period_days
from scheduler.time_notation import WEEKDAYS, MinuteRange, parse_range, parse_working_hours
from scheduler.zone_text import zone_named

T = TypeVar("T")


def build_problem(
    scenario: doc.Scenario,
    calendars: Mapping[str, BusyTimes] | None = None,
    default_name: str = "scenario",
) -> Problem:
    """`calendars` holds busy times read from each person's calendar source."""
    calendars = calendars or {}
    scenario_tz = zone_named(scenario.timezone)
    first_day = scenario.horizon.start
    end_day = horizon_end_day(scenario.horizon)
    holidays = dated_holidays(scenario.holidays, first_day, end_day)
    people = {
        person.id: _person(index, scenario, scenario_tz, calendars.get(person.id), holidays)
        for index, person in enumerate(scenario.people)
    }
    pairs = {pair.id: _pair(pair, scenario) for pair in scenario.pairs}
    pairs |= {pair.id: pair for pair in check_in_pairs(scenario)}
    horizon_start = local_midnight(first_day, scenario_tz)
    horizon_end = local_midnight(end_day, scenario_tz)
    problem = Problem(
        name=scenario.name or default_name,
        timezone=scenario_tz,
        horizon_first_day=first_day,
        horizon_end_day=end_day,
        horizon_start=horizon_start,
        horizon_end=horizon_end,
        grid_minutes=scenario.grid_minutes,
        people=people,
        pairs=pairs,
        sessions=(),
        rules_max_sessions_per_day=scenario.rules.max_sessions_per_day,
        rules_max_sessions_per_week=scenario.rules.max_sessions_per_week,
    )
    now = naive_to_utc(scenario.now, scenario_tz) if scenario.now else None
    notice_until = now + timedelta(hours=scenario.rules.min_notice_hours) if now else None
    problem = replace(problem, now=now, notice_until=notice_until)
    requests = [request for pair in pairs.values() for request in session_requests(problem, pair)]
    required = {request.key for request in requests}
    bookings = _bookings(scenario, required, scenario_tz)
    declines = _declines(scenario, required, scenario_tz)
    sessions = tuple(
        _booked(request, bookings.get(request.key), notice_until, declines.get(request.key, ()))
        for request in requests
    )
    return replace(problem, sessions=sessions)


def _bookings(
    scenario: doc.Scenario, required: set[tuple[str, int]], tz: tzinfo
) -> dict[tuple[str, int], Booking]:
    """The scenario's `current` by session; an unknown session or one given twice is an error."""
    bookings: dict[tuple[str, int], Booking] = {}
    errors = []
    for number, entry in enumerate(scenario.current):
        key = (entry.pair, entry.index)
        if key not in required:
            errors.append(
                FieldError(
                    f"current[{number}].index", f"pair {entry.pair} needs no session {entry.index}"
                )
            )
        elif key in bookings:
            errors.append(
                FieldError(
                    f"current[{number}]",
                    f"session {entry.index} of pair {entry.pair} is listed twice",
                )
            )
        else:
            bookings[key] = Booking(naive_to_utc(entry.start, tz), entry.status, entry.moves)
    if errors:
        raise ScenarioError(errors)
    return bookings


def _declines(
    scenario: doc.Scenario, required: set[tuple[str, int]], tz: tzinfo
) -> dict[tuple[str, int], tuple[Decline, ...]]:
    """Every start each session was declined at: the scenario's `declined` (earlier
    plans') and the `current` sessions declined now; each once, in order."""
    found: dict[tuple[str, int], set[Decline]] = {}
    errors = []
    earlier = [
        (f"declined[{n}]", e.pair, e.index, e.start, e.by) for n, e in enumerate(scenario.declined)
    ]
    now = [
        (f"current[{n}]", e.pair, e.index, e.start, e.declined_by)
        for n, e in enumerate(scenario.current)
        if e.status == "declined"
    ]
    for place, pair, index, start, by in [*earlier, *now]:
        if (pair, index) in required:
            found.setdefault((pair, index), set()).add(Decline(naive_to_utc(start, tz), by))
        elif place.startswith("declined"):  # `current` reports its own unknown sessions
            errors.append(FieldError(f"{place}.index", f"pair {pair} needs no session {index}"))
    if errors:
        raise ScenarioError(errors)
    return {
        key: tuple(sorted(found_here, key=lambda d: d.order)) for key, found_here in found.items()
    }


def _booked(
    request: SessionRequest,
    booking: Booking | None,
    notice_until: datetime | None,
    declines: tuple[Decline, ...],
) -> SessionRequest:
    """A booked session that starts inside the notice window is frozen where it is."""
    if declines:
        request = replace(request, declines=declines)
    if booking is None:
        return request
    frozen = notice_until is not None and not booking.must_leave and booking.start < notice_until
    return replace(request, booking=booking, frozen=frozen)


def with_declines(problem: Problem, declines: Iterable[tuple[str, int, Decline]]) -> Problem:
    """The problem with more starts its sessions were declined at (those a plan file
    remembers, for `tandem verify`). A decline of a session the problem does not need is
    left out: the plan's `known_session` violation names that session already."""
    more: dict[tuple[str, int], set[Decline]] = {}
    for pair, index, decline in declines:
        more.setdefault((pair, index), set()).add(decline)
    sessions = tuple(
        replace(r, declines=_in_order({*r.declines, *more[r.key]})) if r.key in more else r
        for r in problem.sessions
    )
    return replace(problem, sessions=sessions)


def _in_order(declines: Iterable[Decline]) -> tuple[Decline, ...]:
    return tuple(sorted(declines, key=lambda d: d.order))


def horizon_end_day(horizon: doc.Horizon) -> date:
    if horizon.end is not None:
        return horizon.end
    assert horizon.weeks is not None
    return horizon.start + timedelta(weeks=horizon.weeks)


def _person(
    index: int,
    scenario: doc.Scenario,
    scenario_tz: tzinfo,
    calendar: BusyTimes | None,
    holidays: list[doc.Holiday],
) -> Person:
    person = scenario.people[index]
    tz = zone_named(person.timezone) if person.timezone else scenario_tz
    listed = scenario.busy_of(index)
    inline = listed.in_utc(tz) if listed is not None else BusyTimes.empty()
    return Person(
        id=person.id,
        role=person.role,
        tz=tz,
        working_hours=_working_hours(person.working_hours),
        busy=BusyTimes.combined([inline, calendar or BusyTimes.empty()]),
        holidays=_holidays_of(person, holidays),
        out_of_office=frozenset(_out_of_office_days(person.out_of_office, scenario.horizon)),
        available_from=person.available_from,
        max_sessions_per_day=person.max_sessions_per_day,
        max_sessions_per_week=person.max_sessions_per_week,
        name=person.name,
        email=person.email,
        region=person.region,
    )


def _working_hours(spec: dict[str, list[str]]) -> dict[int, tuple[MinuteRange, ...]]:
    """Parsed once per distinct spec: thousands of people share a few."""
    return _parsed_hours(tuple((day, tuple(ranges)) for day, ranges in spec.items()))


@functools.lru_cache(maxsize=4096)
def _parsed_hours(
    spec: tuple[tuple[str, tuple[str, ...]], ...],
) -> dict[int, tuple[MinuteRange, ...]]:
    return parse_working_hours({day: list(ranges) for day, ranges in spec})


def dated_holidays(
    entries: list[doc.Holiday | doc.CountryHolidays], first_day: date, end_day: date
) -> list[doc.Holiday]:
    """Every holiday as a dated one: a country's are looked up for each year the horizon
    touches (a day more on each side: local dates differ across time zones)."""
    years = list(
        range((first_day - timedelta(days=1)).year, (end_day + timedelta(days=1)).year + 1)
    )
    dated: list[doc.Holiday] = []
    for entry in entries:
        if isinstance(entry, doc.CountryHolidays):
            dated += _country_holidays(entry, years)
        else:
            dated.append(entry)
    return dated


def _country_holidays(entry: doc.CountryHolidays, years: list[int]) -> list[doc.Holiday]:
    import holidays  # its tables load lazily: only for scenarios that name a country

    found = holidays.country_holidays(entry.country, subdiv=entry.subdivision, years=years)
    return [
        doc.Holiday(date=day, name=name, regions=entry.regions)
        for day, name in sorted(found.items())
    ]


def _holidays_of(person: doc.PersonEntry, holidays: list[doc.Holiday]) -> dict[date, str]:
    """A holiday without regions is everyone's; with regions, only of people there."""
    return {
        holiday.date: holiday.name or "holiday"
        for holiday in holidays
        if holiday.regions is None
        or (person.region is not None and person.region in holiday.regions)
    }


def _out_of_office_days(spans: list[doc.OutOfOffice], horizon: doc.Horizon) -> Iterator[date]:
    """The days away that matter: those near the horizon (an open-ended absence may run
    to 2999)."""
    near_start = horizon.start - timedelta(days=7)
    near_end = horizon_end_day(horizon) + timedelta(days=7)
    for span in spans:
        day = max(span.from_, near_start)
        while day <= min(span.to, near_end):
            yield day
            day += timedelta(days=1)


def _pair(pair: doc.PairEntry, scenario: doc.Scenario) -> Pair:
    rules = scenario.rules
    cadence = pair.cadence if pair.cadence is not None else rules.cadence
    return Pair(
        id=pair.id,
        mentor=pair.mentor,
        mentee=pair.mentee,
        cadence=resolved_cadence(cadence),
        duration_minutes=pair.duration_minutes or rules.duration_minutes,
        start=pair.start or scenario.horizon.start,
        session_count=pair.sessions,
        priority=pair.priority,
        preferred=_preference(pair.preferred),
        buffer_minutes=_override(pair.buffer_minutes, rules.buffer_minutes),
        min_gap_days=_override(pair.min_gap_days, rules.min_gap_days),
        tentative=pair.tentative or rules.tentative,
        max_sessions_per_day=pair.max_sessions_per_day,
        max_sessions_per_week=pair.max_sessions_per_week,
        max_moves_per_session=_override(pair.max_moves_per_session, rules.max_moves_per_session),
        after_decline=_override(pair.after_decline, rules.after_decline),
    )


def _override(pair_value: T | None, rule_value: T) -> T:
    return rule_value if pair_value is None else pair_value


def _preference(preferred: doc.Preferred | None) -> Preference | None:
    if preferred is None:
        return None
    weekdays = (
        frozenset(WEEKDAYS.index(day) for day in preferred.weekdays) if preferred.weekdays else None
    )
    between = parse_range(preferred.between) if preferred.between else None
    return Preference(weekdays=weekdays, between=between)


def session_requests(problem: Problem, pair: Pair) -> Iterator[SessionRequest]:
    """The sessions a pair needs: `sessions: N`, else one per period starting in the horizon."""
    if pair.session_count is not None:
        for index in range(pair.session_count):
            yield SessionRequest(pair, period_of(problem, pair, index))
        return
    index = 0
    while True:
        first, _ = period_days(pair.start, pair.cadence, index)
        if first >= problem.horizon_end_day:
            return
        if first >= problem.horizon_first_day:
            yield SessionRequest(pair, period_of(problem, pair, index))
        index += 1


def period_of(problem: Problem, pair: Pair, index: int) -> Period:
    first, end = period_days(pair.start, pair.cadence, index)
    tz = problem.people[pair.mentee].tz
    return Period(
        index=index,
        first_day=first,
        end_day=end,
        start=max(local_midnight(first, tz), problem.horizon_start),
        end=min(local_midnight(end, tz), problem.horizon_end),
    )
