"""Every hard rule is one unit, and the four places that know the rules agree on each.

For every rule name: the registry holds one unit with all its parts; the model (bare, in
the style of the CP-SAT primer: a plan forced to break the rule is infeasible, a plan that
keeps it is feasible), the greedy (its candidates and its ledger) and the independent
validator each refuse the same plan that breaks it, and accept the same plan that keeps
it. Removing or weakening any one rule in any one of them fails a case here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates, build_candidates
from scheduler.domain import PlannedSession, Problem
from scheduler.ledger import Ledger
from scheduler.model.builder import build_model
from scheduler.rule_names import RuleName
from scheduler.rules.parts import ByConstruction, FixedStart, Layer, StartFilter, Window
from scheduler.rules.registry import HARD_RULES
from scheduler.validation import RULES, validate_plan
from tests.builders import executive, mentor, pair, problem_of, scenario

# --- the registry ---------------------------------------------------------------------------


def test_every_rule_name_has_exactly_one_unit() -> None:
    names = [rule.name for rule in HARD_RULES]
    assert sorted(names) == sorted(RuleName)


def test_the_model_greedy_explanation_and_validator_name_sets_agree() -> None:
    enforced = {r.name for r in HARD_RULES if r.candidates is not None or r.model is not None}
    greedy = {r.name for r in HARD_RULES if r.greedy is not None}
    explained = {r.name for r in HARD_RULES if r.explanation is not None}
    assert enforced == greedy == explained == set(RULES) == set(RuleName)


def test_a_rule_the_candidates_keep_has_no_model_part_and_the_reverse() -> None:
    """A rule enforced twice would hide a broken half; one enforced nowhere is not kept."""
    for rule in HARD_RULES:
        by_candidates = isinstance(rule.candidates, Window | Layer | StartFilter | FixedStart)
        by_representation = isinstance(rule.candidates, ByConstruction)
        assert by_candidates or by_representation or rule.model is not None, rule.name
        if rule.model is not None and rule.name != RuleName.FROZEN:
            assert rule.candidates is None, rule.name
        if rule.model is not None:
            assert not isinstance(rule.greedy, ByConstruction) or rule.name == RuleName.FROZEN


def test_explanations_narrow_windows_before_calendar_layers() -> None:
    kinds = [type(r.candidates) for r in HARD_RULES if r.candidates is not None]
    last_window = max(i for i, kind in enumerate(kinds) if kind is Window)
    first_layer = min(i for i, kind in enumerate(kinds) if kind is Layer)
    first_filter = min(i for i, kind in enumerate(kinds) if kind is StartFilter)
    assert last_window < first_layer < first_filter


# --- one plan that breaks each rule, and one that keeps it ----------------------------------


def paris(local: str) -> datetime:
    """`2027-01-05 10:00` in Paris (UTC+1 in January) as UTC."""
    return datetime.fromisoformat(local).replace(tzinfo=UTC) - timedelta(hours=1)


@dataclass(frozen=True)
class Placed:
    pair: str
    index: int
    local: str  # Paris wall-clock start
    minutes: int = 45
    mentee: str | None = None  # another person than the pair's executive, to break `people`

    def session(self, problem: Problem) -> PlannedSession:
        own = problem.pairs[self.pair]
        start = paris(self.local)
        return PlannedSession(
            self.pair,
            self.index,
            own.mentor,
            self.mentee or own.mentee,
            start,
            start + timedelta(minutes=self.minutes),
        )


@dataclass(frozen=True)
class Case:
    rule: RuleName
    breaking: tuple[Placed, ...]
    keeping: tuple[Placed, ...]
    document: dict[str, Any] = field(default_factory=dict)  # fields over the base scenario


def two_pairs(**fields: Any) -> dict[str, Any]:
    """m1 coaches e1 (p1) and e2 (p2); two weeks from Monday 4 January 2027, in Paris."""
    people = fields.pop("people", [mentor("m1"), executive("e1"), executive("e2")])
    return scenario(
        people=people,
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
        horizon=fields.pop("horizon", {"start": "2027-01-04", "weeks": 2}),
        **fields,
    )


def booked(start: str, **fields: Any) -> dict[str, Any]:
    return {"pair": "p1", "index": 0, "start": start, **fields}


CASES = [
    Case(
        RuleName.KNOWN_SESSION,
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p1", 0, "2027-01-06 10:00")),
        (Placed("p1", 0, "2027-01-05 10:00"),),
    ),
    Case(
        RuleName.PEOPLE,
        (Placed("p1", 0, "2027-01-05 10:00", mentee="e2"),),
        (Placed("p1", 0, "2027-01-05 10:00"),),
    ),
    Case(
        RuleName.ON_GRID,
        (Placed("p1", 0, "2027-01-05 10:05"),),
        (Placed("p1", 0, "2027-01-05 10:00"),),
    ),
    Case(
        RuleName.DURATION,
        (Placed("p1", 0, "2027-01-05 10:00", minutes=60),),
        (Placed("p1", 0, "2027-01-05 10:00"),),
    ),
    Case(
        RuleName.INSIDE_HORIZON,
        (Placed("p1", 1, "2027-01-14 10:00"),),  # inside its period, after the horizon's end
        (Placed("p1", 1, "2027-01-12 10:00"),),
        {"horizon": {"start": "2027-01-04", "end": "2027-01-13"}},
    ),
    Case(
        RuleName.INSIDE_PERIOD,
        (Placed("p1", 0, "2027-01-12 10:00"),),
        (Placed("p1", 0, "2027-01-08 10:00"),),
    ),
    Case(
        RuleName.NOTICE_WINDOW,
        (Placed("p1", 0, "2027-01-05 10:00"),),
        (Placed("p1", 0, "2027-01-06 10:00"),),
        {"now": "2027-01-04T09:00:00"},  # nothing new before Wednesday 09:00
    ),
    Case(
        RuleName.FROZEN,
        (Placed("p1", 0, "2027-01-07 10:00"),),
        (Placed("p1", 0, "2027-01-04 14:00"),),
        {"now": "2027-01-04T09:00:00", "current": [booked("2027-01-04T14:00:00")]},
    ),
    Case(
        RuleName.LEFT_START,
        (Placed("p1", 0, "2027-01-06 10:00"),),
        (Placed("p1", 0, "2027-01-06 11:00"),),
        {
            "now": "2027-01-01T09:00:00",
            "current": [booked("2027-01-06T10:00:00", status="cancelled")],
        },
    ),
    Case(
        RuleName.DECLINED_TIME,
        (Placed("p1", 0, "2027-01-06 15:00"),),  # the day e1 declined 10:00 on, hours later
        (Placed("p1", 0, "2027-01-07 10:00"),),
        {
            "declined": [
                {"pair": "p1", "index": 0, "start": "2027-01-06T10:00:00", "by": "executive"}
            ]
        },
    ),
    Case(
        RuleName.MAX_MOVES,
        (Placed("p1", 0, "2027-01-07 10:00"),),
        (Placed("p1", 0, "2027-01-06 10:00"),),
        {
            "now": "2027-01-01T09:00:00",
            "rules": {"max_moves_per_session": 1},
            "current": [booked("2027-01-06T10:00:00", moves=1)],
        },
    ),
    Case(
        RuleName.WORKING_HOURS,
        (Placed("p1", 0, "2027-01-05 08:00"),),
        (Placed("p1", 0, "2027-01-05 09:00"),),
    ),
    Case(
        RuleName.HOLIDAY,
        (Placed("p1", 0, "2027-01-06 10:00"),),
        (Placed("p1", 0, "2027-01-07 10:00"),),
        {"holidays": [{"date": "2027-01-06", "name": "Epiphany"}]},
    ),
    Case(
        RuleName.OUT_OF_OFFICE,
        (Placed("p1", 0, "2027-01-07 10:00"),),
        (Placed("p1", 0, "2027-01-06 10:00"),),
        {
            "people": [
                mentor("m1"),
                executive("e1", out_of_office=[{"from": "2027-01-07", "to": "2027-01-07"}]),
                executive("e2"),
            ]
        },
    ),
    Case(
        RuleName.AVAILABLE_FROM,
        (Placed("p1", 0, "2027-01-05 10:00"),),
        (Placed("p1", 0, "2027-01-06 10:00"),),
        {"people": [mentor("m1", available_from="2027-01-06"), executive("e1"), executive("e2")]},
    ),
    Case(
        RuleName.BUSY_TIME,
        (Placed("p1", 0, "2027-01-05 10:15"),),
        (Placed("p1", 0, "2027-01-05 11:00"),),
        {
            "people": [
                mentor("m1"),
                executive("e1", busy=[{"start": "2027-01-05T10:00", "end": "2027-01-05T11:00"}]),
                executive("e2"),
            ]
        },
    ),
    Case(
        RuleName.DOUBLE_BOOKING,
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p2", 0, "2027-01-05 10:30")),
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p2", 0, "2027-01-05 10:45")),
    ),
    Case(
        RuleName.MIN_GAP,
        (Placed("p1", 0, "2027-01-08 10:00"), Placed("p1", 1, "2027-01-11 10:00")),
        (Placed("p1", 0, "2027-01-08 10:00"), Placed("p1", 1, "2027-01-12 10:00")),
        {"rules": {"min_gap_days": 4}},
    ),
    Case(
        RuleName.DAILY_CAP,
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p2", 0, "2027-01-05 14:00")),
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p2", 0, "2027-01-06 14:00")),
        {"rules": {"max_sessions_per_day": 1}},
    ),
    Case(
        RuleName.WEEKLY_CAP,
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p2", 0, "2027-01-07 10:00")),
        (Placed("p1", 0, "2027-01-05 10:00"), Placed("p2", 1, "2027-01-12 10:00")),
        {"rules": {"max_sessions_per_week": 1}},
    ),
]


def test_every_rule_has_a_case() -> None:
    assert sorted(case.rule for case in CASES) == sorted(RuleName)


def problem_for(case: Case) -> Problem:
    return problem_of(two_pairs(**case.document))


def candidate_of(
    data: CandidateSet, placed: Placed, problem: Problem
) -> tuple[SessionCandidates, int] | None:
    """The session's candidate at this start, if the candidates hold it at all: a start
    off the grid or off the pair's length or people has none."""
    session = placed.session(problem)
    own = problem.pairs[placed.pair]
    if (session.mentor, session.mentee) != own.people or placed.minutes != own.duration_minutes:
        return None
    found = next(s for s in data.sessions if s.request.key == (placed.pair, placed.index))
    cell = data.grid.cell_starting_at(session.start)
    hits = np.flatnonzero(found.starts == cell) if cell is not None else []
    if found.frozen:  # its one candidate is its booked start, wherever that lies
        booking = found.request.booking
        assert booking is not None
        return (found, 0) if session.start == booking.start else None
    return (found, int(hits[0])) if len(hits) else None


def model_admits(problem: Problem, plan: tuple[Placed, ...]) -> bool:
    """The bare model with these sessions forced to these starts has a solution."""
    data = build_candidates(problem)
    model, variables = build_model(data, data.sessions)
    for placed in plan:
        found = candidate_of(data, placed, problem)
        if found is None:
            return False
        session, choice = found
        model.add(variables.choices(session)[choice] == 1)
    return cp_model.CpSolver().solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def greedy_blockers(problem: Problem, plan: tuple[Placed, ...]) -> set[str] | None:
    """What the greedy's ledger says against booking these starts in order (None: one is
    not even a candidate)."""
    data = build_candidates(problem)
    ledger, found = Ledger(data), set()
    for placed in plan:
        candidate = candidate_of(data, placed, problem)
        if candidate is None:
            return None
        found |= {b.rule for b in ledger.blockers(*candidate)}
        ledger.book(*candidate)
    return found


def validator_rules(problem: Problem, plan: tuple[Placed, ...]) -> set[str]:
    return {v.rule for v in validate_plan(problem, [p.session(problem) for p in plan])}


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case.rule))
def test_the_validator_names_the_broken_rule_and_accepts_the_kept_one(case: Case) -> None:
    problem = problem_for(case)
    assert case.rule in validator_rules(problem, case.breaking)
    assert validator_rules(problem, case.keeping) == set()


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case.rule))
def test_the_bare_model_refuses_a_plan_forced_to_break_the_rule(case: Case) -> None:
    problem = problem_for(case)
    assert model_admits(problem, case.keeping)
    assert not model_admits(problem, case.breaking)


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case.rule))
def test_the_greedy_refuses_the_same_plan_for_the_same_rule(case: Case) -> None:
    problem = problem_for(case)
    assert greedy_blockers(problem, case.keeping) == set()
    refused = greedy_blockers(problem, case.breaking)
    unit = next(r for r in HARD_RULES if r.name == case.rule)
    if isinstance(unit.greedy, ByConstruction):
        assert refused is None  # not a candidate at all
    else:
        assert refused is not None and case.rule in refused
