"""The smallest change that would place a session without any start both people share.

Each change is tried, smallest first, on a problem of the session's two people alone, and
offered only when the planner's own candidate machinery (`build_candidates`: the same
windows, calendar layers and start filters as the plan) finds a start with it: shorter
sessions, one busy block of the executive (then the mentor) moved, the period one week
longer, another mentor (among the people planned together with the pair: a group of
pairs that share nobody is explained on its own). Rules between sessions (caps, other
pairs' sessions) are not part of the check: a suggestion gives the session a start of its
own, which the next plan weighs against the others.
"""

from __future__ import annotations

from array import array
from dataclasses import replace
from datetime import datetime, timedelta

from scheduler.busy_times import BLOCKING_CODES, EPOCH, BusyTimes
from scheduler.candidates import build_candidates
from scheduler.domain import Pair, Person, Problem, SessionRequest
from scheduler.time_grid import local_midnight

SUGGESTED_CODES = frozenset(
    {"no_common_free_time", "no_common_working_hours", "days_off", "mentor_not_available"}
)
SHORTER_MINUTES = (45, 30)
MOST_BLOCKS_TRIED = 40  # per person: the blocks inside the period, shortest first
MOST_MENTORS_TRIED = 30  # other mentors, by id


MOST_CHECKS = 60  # candidate builds per session: a plan's explanations stay quick


class ChecksSpentError(Exception):
    """The session's checks are spent: no suggestion rather than a slow plan."""


def suggestion(problem: Problem, request: SessionRequest) -> str | None:
    """`allowing 30 minutes instead of 45 would give 3 possible starts`, or None: no change
    tried (within `MOST_CHECKS` candidate builds) gives the session a start."""
    checks = [MOST_CHECKS]
    try:
        for attempt in (_shorter, _freed_block, _longer_period, _other_mentor):
            found = attempt(_Checked(problem, checks), request)
            if found is not None:
                return found
    except ChecksSpentError:
        pass
    return None


class _Checked:
    """The problem, with the count of candidate builds left for this session."""

    def __init__(self, problem: Problem, checks: list[int]) -> None:
        self.problem, self._checks = problem, checks

    def starts_with(self, request: SessionRequest, people: dict[str, Person]) -> int:
        if self._checks[0] <= 0:
            raise ChecksSpentError
        self._checks[0] -= 1
        return starts_with(self.problem, request, people)


def starts_with(problem: Problem, request: SessionRequest, people: dict[str, Person]) -> int:
    """How many candidate starts `request` has in a problem of its two people only."""
    pair = request.pair
    alone = replace(problem, people=people, pairs={pair.id: pair}, sessions=(request,))
    return len(build_candidates(alone).sessions[0])


def _pair_people(problem: Problem, pair: Pair) -> dict[str, Person]:
    return {person: problem.people[person] for person in pair.people}


def _starts(count: int) -> str:
    return f"{count} possible start{'s' if count != 1 else ''}"


def _shorter(checked: _Checked, request: SessionRequest) -> str | None:
    problem, pair = checked.problem, request.pair
    for minutes in SHORTER_MINUTES:
        if minutes >= pair.duration_minutes or minutes % problem.grid_minutes:
            continue
        shorter = replace(request, pair=replace(pair, duration_minutes=minutes))
        count = checked.starts_with(shorter, _pair_people(problem, pair))
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
            people = _pair_people(problem, pair)
            people[person_id] = replace(person, busy=_without(person.busy, block))
            count = checked.starts_with(request, people)
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


def _longer_period(checked: _Checked, request: SessionRequest) -> str | None:
    problem, period = checked.problem, request.period
    end_day = period.end_day + timedelta(days=7)
    if end_day > problem.horizon_end_day:
        return None
    tz = problem.people[request.pair.mentee].tz
    longer = replace(
        period, end_day=end_day, end=min(local_midnight(end_day, tz), problem.horizon_end)
    )
    count = starts_with(
        problem, replace(request, period=longer), _pair_people(problem, request.pair)
    )
    if not count:
        return None
    return (
        f"a period one week longer (to {end_day - timedelta(days=1)}, a longer cadence) "
        f"would give {_starts(count)}"
    )


def _other_mentor(checked: _Checked, request: SessionRequest) -> str | None:
    problem, pair = checked.problem, request.pair
    if pair.kind != "mentoring":
        return None
    others = sorted(p for p, person in problem.people.items() if person.role == "mentor")
    for mentor in [m for m in others if m != pair.mentor][:MOST_MENTORS_TRIED]:
        paired = replace(pair, mentor=mentor)
        people = {mentor: problem.people[mentor], pair.mentee: problem.people[pair.mentee]}
        count = checked.starts_with(replace(request, pair=paired), people)
        if count:
            return f"another mentor, {mentor}, would have {_starts(count)} with {pair.mentee}"
    return None
