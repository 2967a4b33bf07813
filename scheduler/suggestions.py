"""The smallest change that would place an unplaced session, computed, never guessed.

Each change is tried, smallest first, and offered only when the planner's own machinery
finds a start with it in the finished plan: the candidates (`build_candidates`: the same
windows, calendar layers and start filters as the plan) of a problem holding the session
and every session the plan placed for its two people, those pinned where they are, and
the greedy's ledger of that problem (the plan's double-booking, buffer, cap and gap
rules). So a start counts only when it is free of the calendars and of the plan alike:
a session whose free starts other pairs took gets a suggestion as truthful as one whose
people never share a start.

The changes: shorter sessions, one busy block of the executive (then the mentor) moved,
one more session a day (or week) for the person whose cap took the starts, the period one
week longer, another mentor of the programme (with that mentor's placed sessions pinned).
A suggestion gives the session a start while every other session stays; the next plan
weighs it against the others.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from scheduler.busy_times import BLOCKING_CODES, EPOCH, BusyTimes
from scheduler.candidates import build_candidates
from scheduler.domain import (
    Booking,
    CapPeriod,
    Pair,
    Person,
    PlannedSession,
    Problem,
    SessionRequest,
    Unplaced,
)
from scheduler.ledger import ledger_of
from scheduler.model_size import size_causes
from scheduler.rule_names import RuleName
from scheduler.time_grid import Grid, local_midnight

SUGGESTED_CODES = frozenset(
    {
        "no_common_free_time",
        "no_common_working_hours",
        "days_off",
        "mentor_not_available",
        "only_declined_time_left",
        "only_start_left",
        "slots_taken",
        "cap_reached",
        "min_gap",
        "slots_taken_or_capped",
    }
)
SHORTER_MINUTES = (45, 30)
MOST_BLOCKS_TRIED = 40  # per person: the blocks inside the period, shortest first
MOST_MENTORS_TRIED = 30  # other mentors, the least booked first
MOST_CHECKS = 60  # candidate builds per session: a plan's explanations stay quick
MOST_SUGGESTED = 25  # sessions per plan, in the plan's order: as many as the summary shows
# Grid cells of the two people over all of a plan's candidate builds: about 1,500 builds
# over 12 weeks of quarter hours, 2 s on these machines; a two-year horizon on a 5-minute
# grid gets some 60 builds in the same time. Deterministic, unlike a clock.
MOST_CELLS = 24_000_000
CAP_RULES: dict[RuleName, CapPeriod] = {RuleName.DAILY_CAP: "day", RuleName.WEEKLY_CAP: "week"}


class ChecksSpentError(Exception):
    """The session's checks (or the plan's) are spent: no suggestion rather than a slow
    plan."""


@dataclass(frozen=True)
class Suggested:
    unplaced: tuple[Unplaced, ...]
    note: str | None = None  # the plan's budget of checks ran out: where, and why


def with_suggestions(
    problem: Problem, sessions: Iterable[PlannedSession], unplaced: tuple[Unplaced, ...]
) -> Suggested:
    """`unplaced`, each of the first `MOST_SUGGESTED` that a change could place carrying
    the smallest change that would (its `suggestion`, also ending its reason), while the
    plan's budget of checks (`MOST_CELLS`) lasts."""
    plan = _PlacedPlan(problem, sessions)
    answers, tried, cut_at = [], 0, None
    for u in map(without_suggestion, unplaced):
        if _suggestable(u, tried):
            tried += 1
            change = suggestion(plan, plan.requests[u.key]) if cut_at is None else None
            if change is not None:
                u = replace(u, reason=f"{u.reason}; {change}", suggestion=change)
            if plan.spent and cut_at is None:
                cut_at = tried
        answers.append(u)
    return Suggested(tuple(answers), _spent_note(problem, cut_at, tried))


def _suggestable(u: Unplaced, tried: int) -> bool:
    return u.code in SUGGESTED_CODES and tried < MOST_SUGGESTED


def people_looked_at(
    problem: Problem, sessions: Iterable[PlannedSession], unplaced: tuple[Unplaced, ...]
) -> set[str]:
    """Whose calendars `with_suggestions` reads (the others' are never looked at): a plan
    put together from parts reads only these."""
    plan, tried = _PlacedPlan(problem, sessions), 0
    needed: set[str] = set()
    for u in unplaced:
        if _suggestable(u, tried):
            tried += 1
            pair = plan.requests[u.key].pair
            needed.update(pair.people, plan.other_mentors(pair))
    return needed


def _spent_note(problem: Problem, cut_at: int | None, tried: int) -> str | None:
    if cut_at is None:
        return None
    return (
        f"changes that would place an unplaced session were looked for in {cut_at} of "
        f"{tried} sessions only: each check covers the whole horizon cell by cell, and "
        f"their budget was spent; cause: {size_causes(problem, problem.sessions)}"
    )


def without_suggestion(u: Unplaced) -> Unplaced:
    """An earlier plan's unplaced session, its suggestion taken off (checked again)."""
    if u.suggestion is None:
        return u
    reason = u.reason.removesuffix(f"; {u.suggestion}")
    return replace(u, reason=reason, suggestion=None)


class _PlacedPlan:
    """The problem and the sessions the plan placed, by person."""

    def __init__(self, problem: Problem, sessions: Iterable[PlannedSession]) -> None:
        self.problem = problem
        self.requests = {request.key: request for request in problem.sessions}
        self.cells_left = MOST_CELLS
        self.spent = False  # a check was refused for want of cells
        # Each person's placed sessions, as (start, key): pinned only when a check needs
        # them (a plan holds thousands; a suggestion looks at a few people's).
        self.by_person: dict[str, list[tuple[datetime, tuple[str, int]]]] = defaultdict(list)
        for s in sessions:
            for person in (s.mentor, s.mentee):
                self.by_person[person].append((s.start, s.key))

    def pinned(self, key: tuple[str, int], start: datetime) -> SessionRequest:
        """The placed session's request, frozen at its start."""
        return replace(self.requests[key], booking=Booking(start), frozen=True)

    def other_mentors(self, pair: Pair) -> list[str]:
        """The mentors a mentoring pair's session may be offered instead, the least booked
        first (then by id); none for a check-in."""
        if pair.kind != "mentoring":
            return []
        others = sorted(
            (len(self.by_person.get(p, ())), p)
            for p, person in self.problem.people.items()
            if person.role == "mentor" and p != pair.mentor
        )
        return [mentor for _, mentor in others[:MOST_MENTORS_TRIED]]


def suggestion(plan: _PlacedPlan, request: SessionRequest) -> str | None:
    """`allowing 30 minutes instead of 45 would give 3 possible starts`, or None: no change
    tried (within `MOST_CHECKS` candidate builds) gives the session a start."""
    checked = _Checked(plan)
    attempts: tuple[Callable[[_Checked, SessionRequest], str | None], ...] = (
        _shorter,
        _freed_block,
        _raised_cap,
        _longer_period,
        _other_mentor,
    )
    try:
        for attempt in attempts:
            found = attempt(checked, request)
            if found is not None:
                return found
    except ChecksSpentError:
        pass
    return None


@dataclass(frozen=True)
class Starts:
    """The starts a changed session would have in the finished plan."""

    free: int  # free of the calendars and of every rule the plan's sessions bring
    # Starts taken only by one person's cap of a day (or week), by (person, rule, cap).
    capped: dict[tuple[str, RuleName, int], int]


class _Checked:
    """The plan, with the count of candidate builds left for this session."""

    def __init__(self, plan: _PlacedPlan) -> None:
        self.plan, self.problem = plan, plan.problem
        self._checks = MOST_CHECKS

    def free_starts(self, request: SessionRequest, changed: dict[str, Person]) -> int:
        return self.starts(request, changed).free

    def starts(self, request: SessionRequest, changed: dict[str, Person] | None = None) -> Starts:
        """The starts of `request` beside the plan's sessions of its people, the people in
        `changed` taking the place of the problem's."""
        problem = self._beside_plan(request, changed or {})
        grid = Grid.covering(problem.horizon_start, problem.horizon_end, problem.grid_minutes)
        cells = 2 * grid.size  # the pair's two people: the rest are pinned
        if self.plan.cells_left < cells:
            self.plan.spent = True
        if self._checks <= 0 or self.plan.spent:
            raise ChecksSpentError
        self._checks -= 1
        self.plan.cells_left -= cells
        data = build_candidates(problem)
        ledger = ledger_of(data, dict.fromkeys(range(1, len(data.sessions)), 0))
        session, free = data.sessions[0], 0
        capped: dict[tuple[str, RuleName, int], int] = defaultdict(int)
        for choice in range(len(session)):
            blockers = ledger.blockers(session, choice)
            if not blockers:
                free += 1
            elif {b.rule for b in blockers} <= CAP_RULES.keys():
                only = {(b.person or "", b.rule, b.limit or 0) for b in blockers}
                if len(only) == 1:
                    capped[only.pop()] += 1
        return Starts(free, dict(capped))

    def _beside_plan(self, request: SessionRequest, changed: dict[str, Person]) -> Problem:
        """The problem of `request` first, then the plan's sessions of its two people,
        pinned where they are (each once: a pair's sessions are both people's)."""
        low, high = _reach(request)
        pinned = {
            key: self.plan.pinned(key, start)
            for person in request.pair.people
            for start, key in self.plan.by_person.get(person, ())
            if key != request.key and low <= start < high
        }
        requests = (request, *pinned.values())
        pairs = {r.pair.id: r.pair for r in reversed(requests)}  # the request's pair wins
        people = {p: self.problem.people[p] for r in requests for p in r.pair.people}
        people.update(changed)
        return replace(self.problem, people=people, pairs=pairs, sessions=requests)


def _reach(request: SessionRequest) -> tuple[datetime, datetime]:
    """Placed sessions starting outside these instants cannot touch a start of `request`:
    not its buffer, nor its local day or ISO week, nor its pair's gap in days."""
    pair = request.pair
    days = max(8, pair.min_gap_days + 2)
    return request.period.start - timedelta(days=days), request.period.end + timedelta(days=days)


def _starts(count: int) -> str:
    return f"{count} possible start{'s' if count != 1 else ''}"


def _shorter(checked: _Checked, request: SessionRequest) -> str | None:
    problem, pair = checked.problem, request.pair
    for minutes in SHORTER_MINUTES:
        if minutes >= pair.duration_minutes or minutes % problem.grid_minutes:
            continue
        shorter = replace(request, pair=replace(pair, duration_minutes=minutes))
        count = checked.free_starts(shorter, {})
        if count:
            return (
                f"allowing {minutes} minutes instead of {pair.duration_minutes} "
                f"would give {_starts(count)}"
            )
    return None


def _freed_block(checked: _Checked, request: SessionRequest) -> str | None:
    """One busy block of the executive (then of the mentor) moved out of the period."""
    problem, pair = checked.problem, request.pair
    mentor_role, mentee_role = pair.roles
    for role, person_id in ((mentee_role, pair.mentee), (mentor_role, pair.mentor)):
        person = problem.people[person_id]
        for block in _blocks_in(person.busy, request.period.start, request.period.end):
            freed = replace(person, busy=_without(person.busy, block))
            count = checked.free_starts(request, {person_id: freed})
            if count:
                return (
                    f"moving the {role} {person_id}'s busy time "
                    f"{_block_text(person, block)} would give {_starts(count)}"
                )
    return None


def _blocks_in(busy: BusyTimes, start: datetime, end: datetime) -> list[int]:
    """Positions of blocking busy blocks that touch [start, end), shortest first."""
    low, high = (int((moment - EPOCH).total_seconds()) for moment in (start, end))
    found = [
        i
        for i in range(len(busy))
        if busy.starts[i] < high and busy.ends[i] > low and busy.statuses[i] in BLOCKING_CODES
    ]
    found.sort(key=lambda i: (busy.ends[i] - busy.starts[i], busy.starts[i]))
    return found[:MOST_BLOCKS_TRIED]


def _without(busy: BusyTimes, position: int) -> BusyTimes:
    keep = [i for i in range(len(busy)) if i != position]
    return BusyTimes(
        array("q", (busy.starts[i] for i in keep)),
        array("q", (busy.ends[i] for i in keep)),
        bytes(busy.statuses[i] for i in keep),
    )


def _block_text(person: Person, position: int) -> str:
    """`Tue 2027-03-09 10:00-11:00 (local time), which recurs weekly`: by its time only
    (a calendar's subjects are never read)."""
    block = person.busy[position]
    start, end = block.start.astimezone(person.tz), block.end.astimezone(person.tz)
    text = f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} (local time)"
    return text + (", which recurs weekly," if _recurs_weekly(person, position) else "")


def _recurs_weekly(person: Person, position: int) -> bool:
    """Another block a week before or after, at the same local time and length."""
    block = person.busy[position]
    local = block.start.astimezone(person.tz)
    for weeks in (-1, 1):
        other = local + timedelta(weeks=weeks)
        for candidate in person.busy:
            shifted = candidate.start.astimezone(person.tz)
            same_time = shifted.replace(tzinfo=None) == other.replace(tzinfo=None)
            if same_time and candidate.end - candidate.start == block.end - block.start:
                return True
    return False


def _raised_cap(checked: _Checked, request: SessionRequest) -> str | None:
    """One more session a day (or week) for the one person whose cap alone took starts:
    the ledger says which starts only that cap blocks."""
    capped = checked.starts(request).capped
    if not capped:
        return None
    (person, rule, cap), count = min(capped.items(), key=lambda item: (-item[1], item[0]))
    return (
        f"one more session a {CAP_RULES[rule]} for {person} (a {rule.value.replace('_', ' ')} "
        f"of {cap + 1}) would give {_starts(count)}"
    )


def _longer_period(checked: _Checked, request: SessionRequest) -> str | None:
    problem, period = checked.problem, request.period
    end_day = period.end_day + timedelta(days=7)
    if end_day > problem.horizon_end_day:
        return None
    tz = problem.people[request.pair.mentee].tz
    longer = replace(
        period, end_day=end_day, end=min(local_midnight(end_day, tz), problem.horizon_end)
    )
    count = checked.free_starts(replace(request, period=longer), {})
    if not count:
        return None
    return (
        f"a period one week longer (to {end_day - timedelta(days=1)}, a longer cadence) "
        f"would give {_starts(count)}"
    )


def _other_mentor(checked: _Checked, request: SessionRequest) -> str | None:
    """Another mentor of the programme, the least booked first, with that mentor's
    placed sessions where they are."""
    pair = request.pair
    for mentor in checked.plan.other_mentors(pair):
        paired = replace(request, pair=replace(pair, mentor=mentor))
        count = checked.free_starts(paired, {})
        if count:
            return f"another mentor, {mentor}, would have {_starts(count)} with {pair.mentee}"
    return None
