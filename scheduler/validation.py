"""The independent validator: every hard rule of the spec, checked by name on a plan.

Plain Python and zoneinfo. It imports neither the solver nor the grid and candidate code
that build the model, and recomputes periods and local times on its own, so that a bug
there cannot hide here. Tests run it on every plan; users run it on plans edited by hand.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from scheduler.busy_times import EPOCH, STATUS_CODE, STATUSES
from scheduler.domain import (
    Busy,
    CapPeriod,
    Decline,
    Pair,
    Person,
    PlannedSession,
    Problem,
    TentativePolicy,
)
from scheduler.rule_names import PlanFileCheck, RuleName
from scheduler.time_notation import WEEKDAYS, format_clock

RULES: tuple[RuleName, ...] = tuple(RuleName)


@dataclass(frozen=True, order=True)
class Violation:
    pair: str
    index: int
    rule: RuleName | PlanFileCheck
    message: str

    def __str__(self) -> str:
        return f"{self.pair}#{self.index}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class PlanCheck:
    violations: list[Violation]
    warnings: list[Violation]  # rules broken by frozen sessions, which stay all the same


def validate_plan(problem: Problem, sessions: Sequence[PlannedSession]) -> list[Violation]:
    """Every violation of every hard rule; an empty list means the plan is valid."""
    return check_plan(problem, sessions).violations


def check_plan(problem: Problem, sessions: Sequence[PlannedSession]) -> PlanCheck:
    """Violations, and the warnings of frozen sessions (inside the notice window they stay
    where they are even when they now break a rule: a person must handle those)."""
    found = _all_rules(problem, sessions)
    kept_frozen = _kept_frozen(problem, sessions)
    warnings = [v for v in found if (v.pair, v.index) in kept_frozen]
    violations = [v for v in found if (v.pair, v.index) not in kept_frozen]
    return PlanCheck(violations, warnings)


def _kept_frozen(problem: Problem, sessions: Sequence[PlannedSession]) -> set[tuple[str, int]]:
    frozen = {r.key: r.booking.start for r in problem.sessions if r.frozen and r.booking}
    return {s.key for s in sessions if s.key in frozen and s.start == frozen[s.key]}


def _all_rules(problem: Problem, sessions: Sequence[PlannedSession]) -> list[Violation]:
    known = [s for s in sessions if s.pair in problem.pairs]
    found = list(_unknown(problem, sessions))
    found.extend(_rebooking(problem, known))
    found.extend(_declined_times(problem, known))
    busy_index: dict[tuple[str, str], _BlockingBusy] = {}
    for session in known:
        found.extend(_session_rules(problem, session, busy_index))
    found.extend(_double_booking(problem, known))
    found.extend(_min_gap(problem, known))
    found.extend(_caps(problem, known))
    return sorted(set(found))


def _rebooking(problem: Problem, sessions: Sequence[PlannedSession]) -> Iterator[Violation]:
    """Re-planning: frozen sessions stay; nothing else starts inside the notice window;
    a declined or cancelled session leaves its start; one moved `max_moves_per_session`
    times stays where it is."""
    requests = {r.key: r for r in problem.sessions}
    placed = {s.key: s for s in sessions}
    for key, request in requests.items():
        if request.frozen and request.booking and key not in placed:
            yield Violation(*key, RuleName.FROZEN, "a session inside the notice window was dropped")
    for s in sessions:
        asked = requests.get(s.key)
        booking = asked.booking if asked else None
        if asked and asked.frozen and booking:
            if s.start != booking.start:
                yield Violation(
                    s.pair,
                    s.index,
                    RuleName.FROZEN,
                    f"inside the notice window it stays at {_utc(booking.start)}",
                )
        elif problem.notice_until and s.start < problem.notice_until:
            yield Violation(
                s.pair,
                s.index,
                RuleName.NOTICE_WINDOW,
                f"starts before {_utc(problem.notice_until)} (now + min_notice_hours)",
            )
        if booking and booking.must_leave and s.start == booking.start:
            yield Violation(
                s.pair,
                s.index,
                RuleName.LEFT_START,
                f"the session was {booking.status}: it must leave {_utc(booking.start)}",
            )
        limit = asked.pair.max_moves_per_session if asked else None
        if booking and limit is not None and booking.moves >= limit and s.start != booking.start:
            yield Violation(
                s.pair,
                s.index,
                RuleName.MAX_MOVES,
                f"moved {booking.moves} times already (max_moves_per_session {limit}): "
                f"it stays at {_utc(booking.start)} or is left for a person to handle",
            )


def _declined_times(problem: Problem, sessions: Sequence[PlannedSession]) -> Iterator[Violation]:
    """A session never goes back over a time it was declined at (widened by its pair's
    buffer), nor, with `after_decline: other_day`, onto the local day of that start of the
    person who declined (of both people when that is not known)."""
    requests = {r.key: r for r in problem.sessions if r.declines}
    for s in sessions:
        request = requests.get(s.key)
        if request is not None:
            for decline in request.declines:
                yield from _declined_time(problem, request.pair, decline, s)


def _declined_time(
    problem: Problem, pair: Pair, decline: Decline, s: PlannedSession
) -> Iterator[Violation]:
    widen = timedelta(minutes=pair.buffer_minutes)
    declined_end = decline.start + timedelta(minutes=pair.duration_minutes)
    if s.start < declined_end + widen and s.end > decline.start - widen:
        yield Violation(
            s.pair,
            s.index,
            RuleName.DECLINED_TIME,
            f"overlaps the time the session was declined at ({_utc(decline.start)} to "
            f"{_utc(declined_end)}, buffer {pair.buffer_minutes} min)",
        )
        return
    if pair.after_decline != "other_day":
        return
    for role in decline.left_roles():
        person = problem.people[pair.person_of(role)]
        day = decline.start.astimezone(person.tz).date()
        if s.start.astimezone(person.tz).date() == day:
            yield Violation(
                s.pair,
                s.index,
                RuleName.DECLINED_TIME,
                f"starts on {day}, the local day of {role} {person.id} on which the session "
                f"was declined ({_utc(decline.start)}; after_decline: other_day)",
            )
            return


# --- one session on its own ---------------------------------------------------------------


def _unknown(problem: Problem, sessions: Sequence[PlannedSession]) -> Iterator[Violation]:
    required = {request.key for request in problem.sessions}
    seen: set[tuple[str, int]] = set()
    for s in sessions:
        if s.pair not in problem.pairs:
            yield Violation(s.pair, s.index, RuleName.KNOWN_SESSION, f"unknown pair '{s.pair}'")
        elif s.key not in required:
            yield Violation(
                s.pair, s.index, RuleName.KNOWN_SESSION, "the pair needs no session with this index"
            )
        elif s.key in seen:
            yield Violation(s.pair, s.index, RuleName.KNOWN_SESSION, "the session is placed twice")
        seen.add(s.key)


def session_violations(
    problem: Problem, s: PlannedSession, busy_index: dict[tuple[str, str], _BlockingBusy]
) -> list[Violation]:
    """The rules one session must keep on its own (people, grid, duration, horizon,
    period, working days and hours, busy time, available_from, notice window). Pass the
    same `busy_index` (empty at first) across calls: it indexes busy time once."""
    found = list(_session_rules(problem, s, busy_index))
    if problem.notice_until and s.start < problem.notice_until:
        found.append(Violation(s.pair, s.index, RuleName.NOTICE_WINDOW, "before now + notice"))
    return found


def _session_rules(
    problem: Problem, s: PlannedSession, busy_index: dict[tuple[str, str], _BlockingBusy]
) -> Iterator[Violation]:
    pair = problem.pairs[s.pair]
    yield from _people(pair, s)
    yield from _on_grid_and_duration(problem, pair, s)
    yield from _inside_horizon_and_period(problem, pair, s)
    for person_id, role in zip(pair.people, pair.roles, strict=True):
        person = problem.people[person_id]
        yield from _working_day(person, role, s)
        blocking = busy_index.get((person_id, pair.tentative))
        if blocking is None:
            blocking = busy_index[(person_id, pair.tentative)] = _BlockingBusy(
                person, pair.tentative
            )
        yield from _busy_time(person, role, pair, s, blocking)
        yield from _available_from(person, role, s)


def _people(pair: Pair, s: PlannedSession) -> Iterator[Violation]:
    if (s.mentor, s.mentee) != (pair.mentor, pair.mentee):
        yield Violation(
            s.pair,
            s.index,
            RuleName.PEOPLE,
            f"the pair is {pair.mentor} and {pair.mentee}, the session names {s.mentor} and "
            f"{s.mentee} (sessions are one-on-one with the pair's own people)",
        )


def _on_grid_and_duration(problem: Problem, pair: Pair, s: PlannedSession) -> Iterator[Violation]:
    seconds = (s.start - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
    if seconds % (problem.grid_minutes * 60):
        yield Violation(
            s.pair,
            s.index,
            RuleName.ON_GRID,
            f"starts at {_utc(s.start)}, not on the {problem.grid_minutes}-minute grid",
        )
    minutes = (s.end - s.start).total_seconds() / 60
    if minutes != pair.duration_minutes:
        yield Violation(
            s.pair,
            s.index,
            RuleName.DURATION,
            f"lasts {minutes:g} minutes, the pair's sessions last {pair.duration_minutes}",
        )


def _inside_horizon_and_period(
    problem: Problem, pair: Pair, s: PlannedSession
) -> Iterator[Violation]:
    if s.start < problem.horizon_start or s.end > problem.horizon_end:
        yield Violation(
            s.pair,
            s.index,
            RuleName.INSIDE_HORIZON,
            f"{_utc(s.start)} lies outside the horizon "
            f"{problem.horizon_first_day} to {problem.horizon_end_day} (exclusive)",
        )
    tz = problem.people[pair.mentee].tz
    first, end = _period_days(pair, s.index)
    start_day = s.start.astimezone(tz).date()
    if not first <= start_day < end or s.end > _instant(end, 0, tz):
        yield Violation(
            s.pair,
            s.index,
            RuleName.INSIDE_PERIOD,
            f"starts on {start_day} (executive's local date), outside period {s.index}: "
            f"{first} to {end - timedelta(days=1)}",
        )


def _period_days(pair: Pair, index: int) -> tuple[date, date]:
    if pair.cadence == "monthly":

        def month_start(months: int) -> date:
            count = pair.start.year * 12 + pair.start.month - 1 + months
            return date(count // 12, count % 12 + 1, 1)

        first = pair.start if index == 0 else month_start(index)
        return first, month_start(index + 1)
    length = 7 * int(pair.cadence)
    first = pair.start + timedelta(days=length * index)
    return first, first + timedelta(days=length)


def _working_day(person: Person, role: str, s: PlannedSession) -> Iterator[Violation]:
    day = s.start.astimezone(person.tz).date()
    if day in person.holidays:
        yield Violation(
            s.pair,
            s.index,
            RuleName.HOLIDAY,
            f"{day} is a holiday ({person.holidays[day]}) for {role} {person.id}",
        )
    if day in person.out_of_office:
        yield Violation(
            s.pair, s.index, RuleName.OUT_OF_OFFICE, f"{role} {person.id} is out of office on {day}"
        )
    ranges = person.working_hours.get(day.weekday(), ())
    if not any(
        _instant(day, a, person.tz) <= s.start and s.end <= _instant(day, b, person.tz)
        for a, b in ranges
    ):
        hours = ", ".join(f"{format_clock(a)}-{format_clock(b)}" for a, b in ranges) or "none"
        local = s.start.astimezone(person.tz)
        yield Violation(
            s.pair,
            s.index,
            RuleName.WORKING_HOURS,
            f"{local:%a %H:%M} to {s.end.astimezone(person.tz):%H:%M} ({person.tz}) is outside "
            f"the working hours of {role} {person.id} on {WEEKDAYS[day.weekday()]} ({hours})",
        )


@functools.lru_cache(maxsize=1 << 14)
def _instant(day: date, minute: int, tz: tzinfo) -> datetime:
    """Local wall-clock time to UTC; fold=0 gives the spec's readings of DST edges. Cached:
    people who share a time zone share their working hours' edges day after day."""
    day = day + timedelta(days=minute // 1440)
    minute %= 1440
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz).astimezone(
        UTC
    )


def _busy_time(
    person: Person, role: str, pair: Pair, s: PlannedSession, blocking: _BlockingBusy
) -> Iterator[Violation]:
    widen = pair.buffer_minutes * 60
    position = blocking.overlapping(_seconds(s.start) - widen, _seconds(s.end) + widen)
    if position is not None:
        busy = person.busy[position]
        yield Violation(
            s.pair,
            s.index,
            RuleName.BUSY_TIME,
            f"overlaps {busy.status} time of {role} {person.id} "
            f"({_utc(busy.start)} to {_utc(busy.end)}, buffer {pair.buffer_minutes} min)",
        )


class _BlockingBusy:
    """Finds a person's busy block that blocks (under one tentative policy) and overlaps a
    span. Blocks are sorted by start: those that can overlap start after the span's start
    minus the longest block, so a few neighbours are looked at; where a long absence makes
    that many, a running maximum of the blocking blocks' ends is built once instead."""

    NEIGHBOURS = 64

    def __init__(self, person: Person, tentative: TentativePolicy) -> None:
        self.busy = person.busy
        self.codes = {STATUS_CODE[s] for s in STATUSES if Busy(EPOCH, EPOCH, s).blocks(tentative)}
        busy = self.busy
        self.longest = max(map(operator.sub, busy.ends, busy.starts), default=0)
        self._sweep: tuple[list[int], list[int], list[int]] | None = None

    def overlapping(self, start: int, end: int) -> int | None:
        """The position of a blocking block overlapping [start, end), if any."""
        busy = self.busy
        last = bisect.bisect_left(busy.starts, end)
        first = bisect.bisect_right(busy.starts, start - self.longest)
        if last - first > self.NEIGHBOURS:
            return self._swept(start, end)
        for position in range(last - 1, first - 1, -1):
            if busy.ends[position] > start and busy.statuses[position] in self.codes:
                return position
        return None

    def _swept(self, start: int, end: int) -> int | None:
        if self._sweep is None:
            busy = self.busy
            positions = [p for p, code in enumerate(busy.statuses) if code in self.codes]
            starts = [busy.starts[p] for p in positions]
            latest = list(itertools.accumulate((busy.ends[p] for p in positions), max))
            self._sweep = (positions, starts, latest)
        positions, starts, latest = self._sweep
        last = bisect.bisect_left(starts, end)
        if not last or latest[last - 1] <= start:
            return None
        return next(
            positions[i] for i in range(last - 1, -1, -1) if self.busy.ends[positions[i]] > start
        )


def _seconds(moment: datetime) -> int:
    delta = moment - EPOCH
    return delta.days * 86_400 + delta.seconds


def _available_from(person: Person, role: str, s: PlannedSession) -> Iterator[Violation]:
    """No session of a person before their `available_from` (a mentor's training; only
    mentors and coaches have one)."""
    if person.available_from and s.start < _instant(person.available_from, 0, person.tz):
        yield Violation(
            s.pair,
            s.index,
            RuleName.AVAILABLE_FROM,
            f"{role} {person.id} is available from {person.available_from} (training first)",
        )


# --- sessions together --------------------------------------------------------------------


def _by_person(
    problem: Problem, sessions: Sequence[PlannedSession]
) -> dict[str, list[PlannedSession]]:
    by_person: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        pair = problem.pairs[s.pair]
        for person in {pair.mentor, pair.mentee}:
            by_person[person].append(s)
    return {
        person: sorted(found, key=lambda s: (s.start, s.end)) for person, found in by_person.items()
    }


def _double_booking(problem: Problem, sessions: Sequence[PlannedSession]) -> Iterator[Violation]:
    """Two sessions of one person keep the larger of their pairs' buffers apart.

    Sessions are sorted by start; an earlier session that starts longer ago than the
    longest session plus the largest buffer cannot reach a later one, so each session is
    compared with its recent predecessors only (a mentor of twenty pairs over two years has
    thousands of sessions)."""
    for person, own in _by_person(problem, sessions).items():
        reach = max(s.end - s.start for s in own) + timedelta(
            minutes=max(problem.pairs[s.pair].buffer_minutes for s in own)
        )
        for position, s in enumerate(own):
            for earlier in _recent(own, position, s.start - reach):
                buffer = max(
                    problem.pairs[earlier.pair].buffer_minutes, problem.pairs[s.pair].buffer_minutes
                )
                if earlier.end + timedelta(minutes=buffer) > s.start:
                    yield Violation(
                        s.pair,
                        s.index,
                        RuleName.DOUBLE_BOOKING,
                        f"{person} also has {earlier.pair}#{earlier.index} from "
                        f"{_utc(earlier.start)} to {_utc(earlier.end)} (buffer {buffer} min)",
                    )


def _recent(own: list[PlannedSession], position: int, since: datetime) -> Iterator[PlannedSession]:
    """The sessions before `position` (in start order) that start after `since`."""
    index = position - 1
    while index >= 0 and own[index].start > since:
        yield own[index]
        index -= 1


def _min_gap(problem: Problem, sessions: Sequence[PlannedSession]) -> Iterator[Violation]:
    by_pair: dict[str, list[PlannedSession]] = defaultdict(list)
    for s in sessions:
        by_pair[s.pair].append(s)
    for pair_id, own in by_pair.items():
        pair = problem.pairs[pair_id]
        tz = problem.people[pair.mentee].tz
        own.sort(key=lambda s: s.start)
        for earlier, later in itertools.pairwise(own):
            days = (later.start.astimezone(tz).date() - earlier.start.astimezone(tz).date()).days
            if days < pair.min_gap_days:
                yield Violation(
                    later.pair,
                    later.index,
                    RuleName.MIN_GAP,
                    f"{days} day(s) after session {earlier.index}; the pair keeps at least "
                    f"{pair.min_gap_days}",
                )


CAP_RULES: tuple[tuple[RuleName, CapPeriod], ...] = (
    (RuleName.DAILY_CAP, "day"),
    (RuleName.WEEKLY_CAP, "week"),
)


def _caps(problem: Problem, sessions: Sequence[PlannedSession]) -> Iterator[Violation]:
    """All of a person's sessions in a local day (ISO week) count against the cap of each
    session there (`Problem.session_cap`: the pair's, the person's, else the rules')."""
    for person_id, own in _by_person(problem, sessions).items():
        tz = problem.people[person_id].tz
        local_day = {s.key: s.start.astimezone(tz).date() for s in own}
        for rule, period in CAP_RULES:
            label = {key: _bucket_label(rule, day) for key, day in local_day.items()}
            counts = Counter(label.values())
            for s in own:
                cap = problem.session_cap(person_id, problem.pairs[s.pair], period)
                if counts[label[s.key]] > cap:
                    yield Violation(
                        s.pair,
                        s.index,
                        rule,
                        f"{person_id} has {counts[label[s.key]]} sessions in {label[s.key]}, "
                        f"at most {cap} for this session",
                    )


@functools.lru_cache(maxsize=1 << 12)
def _bucket_label(rule: str, day: date) -> str:
    if rule == RuleName.DAILY_CAP:
        return f"local day {day}"
    year, week, _ = day.isocalendar()
    return f"ISO week {year}-W{week:02d}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
