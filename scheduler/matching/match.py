"""Form the pairs of a scenario: options per executive, one assignment, and the reasons.

`match_pool` takes a validated scenario and its resolved problem (calendars read); it
returns the pairs formed, each with why this mentor, and each executive left without a
mentor with the rules that refused each candidate, counted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from scheduler import scenario as doc
from scheduler.domain import Problem, resolved_cadence
from scheduler.matching.assignment import assign, greedy_assign
from scheduler.matching.calendar_fit import CalendarFit, PairShape
from scheduler.matching.options import (
    FULL_SCORE,
    Goal,
    Options,
    options_of,
)
from scheduler.matching.pool import LEVEL_NEEDS, MentorProfile, Pool, pool_of
from scheduler.matching.size import check_match_memory
from scheduler.rule_names import MatchRuleName as MatchRule
from scheduler.time_notation import WEEKDAYS, format_clock

Method = Literal["optimal", "greedy"]


@dataclass(frozen=True)
class MatchedPair:
    pair: str  # the new pair's id
    executive: str
    mentor: str
    topics: tuple[str, ...]  # wanted topics the mentor knows
    topics_wanted: int
    topics_at_level: int  # of those wanted, known at the executive's level
    periods_held: int  # periods with a common start
    periods: int
    start_hours_per_week: float  # time both could start a session in, a week on average
    stable_weeks: int  # weeks the best weekly slot is free for both
    weeks: int
    stable_slot: str | None  # that slot, in the executive's local time ("tue 10:00")
    other_department: bool | None  # None: a department is unknown
    quality: int

    def reason(self, executive: doc.PersonEntry | None = None) -> str:
        parts = []
        if self.topics_wanted and not self.topics:
            parts.append(f"knows none of the {self.topics_wanted} topics wanted")
        elif self.topics_wanted:
            known = ", ".join(self.topics)
            parts.append(f"knows {len(self.topics)} of {self.topics_wanted} topics ({known})")
            if executive is not None and executive.level:
                parts.append(f"{self.topics_at_level} at the '{executive.level}' level")
        parts.append(
            f"free together in {self.periods_held} of {self.periods} periods "
            f"({self.start_hours_per_week:.1f} h a week to start in)"
        )
        if self.stable_slot:
            parts.append(
                f"{self.stable_slot} free for both in {self.stable_weeks} of {self.weeks} weeks"
            )
        if self.other_department is not None:
            parts.append("another department" if self.other_department else "same department")
        return "; ".join(parts)


@dataclass(frozen=True)
class UnmatchedExecutive:
    executive: str
    refused: dict[str, int]  # mentors refused, by the first hard rule that refused them
    taken: int  # mentors every rule allows, all given to other executives
    mentors: int
    needed_periods: int
    periods: int
    optimal: bool = True  # by the optimal matching, which matches as many as can be

    def reason(self) -> str:
        texts = {
            MatchRule.CAPACITY: "have no room left",
            MatchRule.LANGUAGE: "share no language",
            MatchRule.REPORTING_LINE: "are in the reporting line",
            MatchRule.CALENDAR_FIT: (
                f"have a common start in fewer than {self.needed_periods} of {self.periods} periods"
            ),
        }
        counted = [f"{n} {texts[MatchRule(rule)]}" for rule, n in self.refused.items() if n]
        if self.taken:
            why = (
                "as many are matched as can be"
                if self.optimal
                else "best mentor first: an optimal matching may match more"
            )
            counted.append(f"{self.taken} allowed went to other executives ({why})")
        return f"of {self.mentors} mentors: " + ", ".join(counted) if counted else "no mentors"


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[MatchedPair, ...]
    unmatched: tuple[UnmatchedExecutive, ...]
    fixed: int  # pairs the planner fixed, kept as they are
    method: Method
    proven_optimal: bool
    seconds: float
    shape: PairShape
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def average_calendar_fit(self) -> float:
        """The mean share of periods with a common start, over the pairs formed."""
        shares = [p.periods_held / p.periods for p in self.pairs if p.periods]
        return sum(shares) / len(shares) if shares else 0.0


def pair_shape(scenario: doc.Scenario) -> PairShape:
    matching, rules = scenario.matching, scenario.rules
    cadence = matching.cadence if matching.cadence is not None else rules.cadence
    return PairShape(
        cadence=resolved_cadence(cadence),
        duration_minutes=matching.duration_minutes or rules.duration_minutes,
        buffer_minutes=rules.buffer_minutes,
        tentative=rules.tentative,
        start=scenario.horizon.start,
    )


def match_pool(
    scenario: doc.Scenario,
    problem: Problem,
    method: Method = "optimal",
    memory_budget_mb: int = 2048,
) -> MatchResult:
    """ScenarioError when a person lacks a field a rule needs, or when measuring the pool's
    calendar fit would pass `memory_budget_mb` (before anything large is built)."""
    began = time.perf_counter()
    check_match_memory(scenario, memory_budget_mb)
    pool = pool_of(scenario)
    shape = pair_shape(scenario)
    fit = CalendarFit(problem, shape, [m.id for m in pool.mentors])
    options = [options_of(e, pool, fit, scenario.matching) for e in pool.executives]
    scored = time.perf_counter()
    weights = scenario.matching.weights
    best = FULL_SCORE * sum(getattr(weights, goal.value) for goal in Goal)
    if method == "optimal":
        assignment = assign(pool, options, best, weights.load_spread)
    else:
        assignment = greedy_assign(pool, options)
    pair_ids = _pair_ids(scenario, pool, assignment.mentor_of)
    pairs = tuple(
        _matched(o, assignment.mentor_of[o.executive.id], pool, problem, pair_ids)
        for o in options
        if o.executive.id in assignment.mentor_of
    )
    unmatched = tuple(
        _unmatched(o, len(pool.mentors), assignment.proven_optimal)
        for o in options
        if o.executive.id not in assignment.mentor_of
    )
    done = time.perf_counter()
    return MatchResult(
        pairs=pairs,
        unmatched=unmatched,
        fixed=len(scenario.pairs),
        method=method,
        proven_optimal=assignment.proven_optimal,
        seconds=done - began,
        shape=shape,
        timings={"options": scored - began, "assignment": done - scored},
    )


def _pair_ids(scenario: doc.Scenario, pool: Pool, mentor_of: dict[str, int]) -> dict[str, str]:
    """`EXECUTIVE-MENTOR`, or `match-N` where that is taken or too long for an id."""
    used = {pair.id for pair in scenario.pairs}
    ids: dict[str, str] = {}
    number = 0
    for executive in pool.executives:
        if executive.id not in mentor_of:
            continue
        wanted = f"{executive.id}-{pool.mentors[mentor_of[executive.id]].id}"
        while wanted in used or len(wanted) > 200:
            number += 1
            wanted = f"match-{number}"
        used.add(wanted)
        ids[executive.id] = wanted
    return ids


def _matched(
    options: Options, row: int, pool: Pool, problem: Problem, pair_ids: dict[str, str]
) -> MatchedPair:
    executive, mentor = options.executive, pool.mentors[row]
    position = int((options.mentors == row).nonzero()[0][0])
    fit = options.fit
    assert fit is not None
    weeks = max(1, fit.weeks)
    return MatchedPair(
        pair=pair_ids[executive.id],
        executive=executive.id,
        mentor=mentor.id,
        topics=tuple(t for t in executive.topics if t in mentor.skills),
        topics_wanted=len(executive.topics),
        topics_at_level=_at_level(executive.level, executive.topics, mentor),
        periods_held=int(fit.held[position]),
        periods=fit.periods,
        start_hours_per_week=round(int(fit.start_minutes[position]) / 60 / weeks, 1),
        stable_weeks=int(fit.stable_weeks[position]),
        weeks=fit.weeks,
        stable_slot=_slot_text(int(fit.stable_slot[position])),
        other_department=None
        if executive.department is None or mentor.department is None
        else executive.department != mentor.department,
        quality=int(options.quality[position]),
    )


def _at_level(level: str | None, topics: Sequence[str], mentor: MentorProfile) -> int:
    if level is None:
        return 0
    return sum(1 for topic in topics if mentor.skills.get(topic, 0) >= LEVEL_NEEDS[level])


def _slot_text(slot: int) -> str | None:
    if slot < 0:
        return None
    return f"{WEEKDAYS[slot // 1440]} {format_clock(slot % 1440)}"


def _unmatched(options: Options, mentors: int, optimal: bool) -> UnmatchedExecutive:
    fit = options.fit
    return UnmatchedExecutive(
        executive=options.executive.id,
        refused={rule.value: n for rule, n in options.refused.items()},
        taken=len(options.mentors),
        mentors=mentors,
        needed_periods=options.needed_periods,
        periods=fit.periods if fit is not None else 0,
        optimal=optimal,
    )


def matched_pairs(result: MatchResult, scenario: doc.Scenario) -> list[dict[str, Any]]:
    """The `pairs` entries of the pairs formed, as a scenario writes them: the matching's
    cadence and duration written out when they are not the programme's."""
    extra: dict[str, Any] = {}
    matching = scenario.matching
    if matching.cadence is not None and matching.cadence != scenario.rules.cadence:
        extra["cadence"] = matching.cadence
    if matching.duration_minutes and matching.duration_minutes != scenario.rules.duration_minutes:
        extra["duration_minutes"] = matching.duration_minutes
    return [
        {"id": p.pair, "mentor": p.mentor, "mentee": p.executive, **extra} for p in result.pairs
    ]


def with_matched_pairs(scenario: doc.Scenario, result: MatchResult) -> doc.Scenario:
    """The scenario with the pairs formed added (its busy times read already are kept)."""
    added = [doc.PairEntry(**entry) for entry in matched_pairs(result, scenario)]
    return scenario.model_copy(update={"pairs": [*scenario.pairs, *added]})


def match_to_dict(result: MatchResult, scenario: doc.Scenario) -> dict[str, Any]:
    """The matching as the command line prints it and the API returns it."""
    people = {person.id: person for person in scenario.people}
    return {
        "method": result.method,
        "proven_optimal": result.proven_optimal,
        "matched": len(result.pairs),
        "unmatched": len(result.unmatched),
        "fixed": result.fixed,
        "average_calendar_fit": round(result.average_calendar_fit, 4),
        "seconds": round(result.seconds, 3),
        "pairs": [
            {
                "pair": p.pair,
                "executive": p.executive,
                "mentor": p.mentor,
                "reason": p.reason(people.get(p.executive)),
                "topics": list(p.topics),
                "periods_held": p.periods_held,
                "periods": p.periods,
                "start_hours_per_week": p.start_hours_per_week,
                "stable_slot": p.stable_slot,
                "stable_weeks": p.stable_weeks,
            }
            for p in result.pairs
        ],
        "executives_unmatched": [
            {"executive": u.executive, "reason": u.reason(), "refused": u.refused, "taken": u.taken}
            for u in result.unmatched
        ],
    }
