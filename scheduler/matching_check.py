"""The independent check of a matched scenario: every matching rule, by name, on its pairs.

It imports nothing of the matcher. Reporting lines are walked again here; calendar fit is
measured by trying, in each of a pair's periods, the starts on the grid inside the
executive's working hours, each checked by the plan validator's own single-session rules
(`scheduler.validation.session_violations`), until one passes. A pair must find one in
`matching.min_calendar_share` of its periods (rounded up; one at least).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from scheduler import scenario as doc
from scheduler.domain import Pair, PlannedSession, Problem, SessionRequest
from scheduler.rule_names import MatchRuleName
from scheduler.validation import session_violations


@dataclass(frozen=True, order=True)
class MatchViolation:
    pair: str
    rule: MatchRuleName
    message: str

    def __str__(self) -> str:
        return f"{self.pair}: {self.rule}: {self.message}"


def check_matching(scenario: doc.Scenario, problem: Problem) -> list[MatchViolation]:
    """Violations of the matching rules by the scenario's pairs (all of them: a planner's
    own pairs are held to the same rules); an empty list means the matching is valid."""
    people = {person.id: person for person in scenario.people}
    hard = scenario.matching.hard
    found: list[MatchViolation] = list(_capacity(scenario, people))
    if hard.reporting_line:
        found.extend(_reporting_line(scenario))
    busy_index: dict[tuple[str, str], object] = {}
    for entry in scenario.pairs:
        mentor, executive = people[entry.mentor], people[entry.mentee]
        if hard.language:
            found.extend(_language(entry.id, executive, mentor))
        if hard.calendar_fit:
            share = scenario.matching.min_calendar_share
            found.extend(_calendar_fit(problem, problem.pairs[entry.id], share, busy_index))
    return sorted(found)


def _capacity(
    scenario: doc.Scenario, people: dict[str, doc.PersonEntry]
) -> Iterator[MatchViolation]:
    load = Counter(entry.mentor for entry in scenario.pairs)
    for entry in scenario.pairs:
        capacity = people[entry.mentor].capacity or 1
        if load[entry.mentor] > capacity:
            yield MatchViolation(
                entry.id,
                MatchRuleName.CAPACITY,
                f"mentor {entry.mentor} has {load[entry.mentor]} executives, capacity {capacity}",
            )


def _language(
    pair: str, executive: doc.PersonEntry, mentor: doc.PersonEntry
) -> Iterator[MatchViolation]:
    spoken = {language.lower() for language in executive.languages or ()}
    if not spoken & {language.lower() for language in mentor.languages or ()}:
        yield MatchViolation(
            pair,
            MatchRuleName.LANGUAGE,
            f"{executive.id} and {mentor.id} share no language",
        )


def _reporting_line(scenario: doc.Scenario) -> Iterator[MatchViolation]:
    """Each pair whose mentor reports to its executive, or the other way round, through
    however many levels: one walk down every reporting line, holding the path from its
    top, each person entered once (a line 10,000 managers deep is no deeper a problem)."""
    boss_of = {m.id: m.reports_to for m in scenario.managers if m.reports_to}
    boss_of.update({p.id: p.reports_to for p in scenario.people if p.reports_to})
    reports: dict[str, list[str]] = {}
    for person, boss in boss_of.items():
        reports.setdefault(boss, []).append(person)
    partners: dict[str, list[tuple[str, str]]] = {}  # person -> (pair, the other person)
    for entry in scenario.pairs:
        partners.setdefault(entry.mentor, []).append((entry.id, entry.mentee))
        partners.setdefault(entry.mentee, []).append((entry.id, entry.mentor))
    tops = {boss for boss in reports if boss not in boss_of}
    path: dict[str, int] = {}  # the people above the one entered, with their depth
    walk: list[tuple[str, bool]] = [(top, False) for top in sorted(tops)]
    while walk:
        person, leaving = walk.pop()
        if leaving:
            del path[person]
            continue
        for pair, other in partners.get(person, ()):
            if other in path:
                steps = len(path) - path[other]
                yield MatchViolation(
                    pair,
                    MatchRuleName.REPORTING_LINE,
                    f"{person} reports to {other} ({steps} level{'s' if steps > 1 else ''} up)",
                )
        path[person] = len(path)
        walk.append((person, True))
        walk.extend((report, False) for report in reports.get(person, ()))


def _calendar_fit(
    problem: Problem, pair: Pair, share: float, busy_index: dict[tuple[str, str], object]
) -> Iterator[MatchViolation]:
    periods = [r for r in problem.sessions if r.pair.id == pair.id]
    if not periods:
        return
    held = sum(1 for r in periods if _has_a_start(problem, r, busy_index))
    needed = min(len(periods), max(1, math.ceil(round(share * len(periods), 9))))
    if held < needed:
        yield MatchViolation(
            pair.id,
            MatchRuleName.CALENDAR_FIT,
            f"a common start in {held} of {len(periods)} periods; the matching needs {needed}",
        )


def _has_a_start(
    problem: Problem, request: SessionRequest, busy_index: dict[tuple[str, str], object]
) -> bool:
    """Any start of the period, inside the executive's working hours, that keeps every
    single-session rule for both people."""
    pair, index = request.pair, request.period.index
    executive = problem.people[pair.mentee]
    step = timedelta(minutes=problem.grid_minutes)
    length = timedelta(minutes=pair.duration_minutes)
    day = request.period.first_day
    while day < request.period.end_day:
        for begin, end in executive.working_hours.get(day.weekday(), ()):
            start = _on_grid(_local(day, begin, executive.tz), problem.grid_minutes)
            stop = _local(day, end, executive.tz)
            while start + length <= stop:
                session = PlannedSession(
                    pair.id, index, pair.mentor, pair.mentee, start, start + length
                )
                if not session_violations(problem, session, busy_index):  # type: ignore[arg-type]
                    return True
                start += step
        day += timedelta(days=1)
    return False


def _local(day: date, minute: int, tz: tzinfo) -> datetime:
    """The local wall-clock time in UTC (fold 0 at clock changes, as the validator)."""
    moment = datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minute)
    return moment.astimezone(UTC)


def _on_grid(moment: datetime, grid_minutes: int) -> datetime:
    seconds = int(moment.timestamp())
    step = grid_minutes * 60
    return datetime.fromtimestamp(-(-seconds // step) * step, UTC)
