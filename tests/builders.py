"""Small scenarios for tests, written as the documents users write."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from scheduler.domain import Plan, Problem
from scheduler.parameters import SolverParameters
from scheduler.problem import build_problem
from scheduler.scenario_checks import validate_scenario
from scheduler.solve import solve
from scheduler.validation import validate_plan

MONDAY = "2027-01-04"


def person(person_id: str, role: str = "mentor", **fields: Any) -> dict[str, Any]:
    return {"id": person_id, "role": role, **fields}


def executive(person_id: str = "e1", **fields: Any) -> dict[str, Any]:
    return person(person_id, "executive", **fields)


def mentor(person_id: str = "m1", **fields: Any) -> dict[str, Any]:
    return person(person_id, "mentor", **fields)


def pair(
    pair_id: str = "p1", mentor_id: str = "m1", mentee_id: str = "e1", **fields: Any
) -> dict[str, Any]:
    return {"id": pair_id, "mentor": mentor_id, "mentee": mentee_id, **fields}


def scenario(
    people: list[dict[str, Any]] | None = None,
    pairs: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "version": 1,
        "name": "test",
        "timezone": "Europe/Paris",
        "horizon": {"start": MONDAY, "weeks": 1},
        "people": people if people is not None else [mentor(), executive()],
        "pairs": pairs if pairs is not None else [pair()],
    }
    document.update(deepcopy(fields))
    return document


def problem_of(document: dict[str, Any]) -> Problem:
    return build_problem(validate_scenario(document))


def checked_plan(problem: Problem, **params: Any) -> Plan:
    """Solve and run the independent validator: every plan a test sees is valid."""
    settings = {"time_limit_seconds": 10.0, "processes": 1, "strict": True, **params}
    plan = solve(problem, SolverParameters(**settings))
    violations = validate_plan(problem, plan.sessions)
    assert violations == [], [str(v) for v in violations]
    return plan


def plan_of(document: dict[str, Any], **params: Any) -> Plan:
    return checked_plan(problem_of(document), **params)


def local_starts(problem: Problem, plan: Plan, person_id: str) -> list[str]:
    """Session starts as the person's local `YYYY-MM-DD HH:MM`."""
    tz = problem.people[person_id].tz
    return sorted(
        s.start.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        for s in plan.sessions
        if person_id in (s.mentor, s.mentee)
    )


def coach(person_id: str = "c1", **fields: Any) -> dict[str, Any]:
    return person(person_id, "coach", **fields)


def supervised_programme(
    supervision: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """Two coaches, three mentors each with one executive, twelve weeks from Monday 4 January
    2027 (in January, February and March)."""
    people = [
        coach("c1", email="c1@example.com"),
        coach("c2", email="c2@example.com"),
        *(mentor(f"m{n}", email=f"m{n}@example.com") for n in (1, 2, 3)),
        *(executive(f"e{n}", email=f"e{n}@example.com") for n in (1, 2, 3)),
    ]
    pairs = [pair(f"p{n}", f"m{n}", f"e{n}") for n in (1, 2, 3)]
    document = scenario(
        people, pairs, horizon={"start": "2027-01-04", "weeks": 12}, supervision=supervision or {}
    )
    document.update(fields)
    return document
