"""The independent validator catches each hard rule, by name, on hand-made plans."""

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.domain import PlannedSession, Problem
from scheduler.validation import RULES, validate_plan
from tests.builders import executive, mentor, pair, problem_of, scenario


@pytest.fixture(scope="module")
def problem() -> Problem:
    return problem_of(
        scenario(
            horizon={"start": "2027-01-04", "weeks": 2},
            holidays=[{"date": "2027-01-06", "name": "Epiphany"}],
            rules={
                "buffer_minutes": 10,
                "max_sessions_per_day": 1,
                "max_sessions_per_week": 2,
                "min_gap_days": 4,
            },
            people=[
                mentor("m1", available_from="2027-01-05"),
                executive(
                    "e1",
                    busy=[{"start": "2027-01-05T10:00", "end": "2027-01-05T11:00"}],
                    out_of_office=[{"from": "2027-01-07", "to": "2027-01-07"}],
                ),
                executive("e2"),
                executive("e3"),
            ],
            pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2"), pair("p3", "m1", "e3")],
        )
    )


def paris(text: str) -> datetime:
    """`2027-01-05 09:00` in Paris (UTC+1 in January) as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - timedelta(hours=1)


def session(
    pair_id: str, index: int, local: str, minutes: int = 45, **fields: str
) -> PlannedSession:
    start = paris(local)
    people = {"p1": "e1", "p2": "e2", "p3": "e3"}
    return PlannedSession(
        pair_id,
        index,
        fields.get("mentor", "m1"),
        fields.get("mentee", people[pair_id]),
        start,
        start + timedelta(minutes=minutes),
    )


def rules_broken(problem: Problem, *sessions: PlannedSession) -> set[str]:
    return {violation.rule for violation in validate_plan(problem, list(sessions))}


def test_a_valid_plan_has_no_violation(problem: Problem) -> None:
    assert (
        rules_broken(
            problem, session("p1", 0, "2027-01-05 09:00"), session("p1", 1, "2027-01-12 09:00")
        )
        == set()
    )


@pytest.mark.parametrize(
    ("local", "minutes", "rule"),
    [
        ("2027-01-05 09:05", 45, "on_grid"),
        ("2027-01-05 09:00", 60, "duration"),
        ("2027-01-05 08:00", 45, "working_hours"),
        ("2027-01-05 17:30", 45, "working_hours"),
        ("2027-01-06 09:00", 45, "holiday"),
        ("2027-01-07 09:00", 45, "out_of_office"),
        ("2027-01-05 10:15", 45, "busy_time"),
        ("2027-01-05 11:00", 45, "busy_time"),  # inside the 10-minute buffer
        ("2027-01-04 09:00", 45, "available_from"),
        ("2027-01-12 09:00", 45, "inside_period"),  # session 0 belongs to the first week
        ("2027-01-09 09:00", 45, "working_hours"),  # a Saturday
    ],
)
def test_one_session_breaking_one_rule(
    problem: Problem, local: str, minutes: int, rule: str
) -> None:
    assert rule in rules_broken(problem, session("p1", 0, local, minutes))


def test_a_session_outside_the_horizon(problem: Problem) -> None:
    assert "inside_horizon" in rules_broken(problem, session("p1", 0, "2027-01-18 09:00"))


def test_double_booking_with_buffers(problem: Problem) -> None:
    first = session("p1", 0, "2027-01-05 09:00")
    assert "double_booking" in rules_broken(problem, first, session("p2", 0, "2027-01-05 09:30"))
    assert "double_booking" in rules_broken(problem, first, session("p2", 0, "2027-01-05 09:45"))


def test_min_gap_between_neighbours(problem: Problem) -> None:
    broken = rules_broken(
        problem, session("p1", 0, "2027-01-08 09:00"), session("p1", 1, "2027-01-11 09:00")
    )
    assert broken == {"min_gap"}


def test_daily_and_weekly_caps(problem: Problem) -> None:
    daily = rules_broken(
        problem, session("p1", 0, "2027-01-05 09:00"), session("p2", 0, "2027-01-05 14:00")
    )
    assert daily == {"daily_cap"}
    weekly = rules_broken(
        problem,
        session("p1", 0, "2027-01-05 09:00"),
        session("p2", 0, "2027-01-08 14:00"),
        session("p3", 0, "2027-01-06 14:00"),
    )
    assert "weekly_cap" in weekly


def test_sessions_the_programme_does_not_know(problem: Problem) -> None:
    unknown = PlannedSession(
        "p9", 0, "m1", "e1", paris("2027-01-05 09:00"), paris("2027-01-05 09:45")
    )
    assert rules_broken(problem, unknown) == {"known_session"}
    assert "known_session" in rules_broken(problem, session("p1", 5, "2027-01-05 09:00"))
    twice = session("p1", 0, "2027-01-05 09:00")
    assert "known_session" in rules_broken(problem, twice, twice)


def test_sessions_are_one_on_one_with_the_pairs_people(problem: Problem) -> None:
    assert "people" in rules_broken(problem, session("p1", 0, "2027-01-05 09:00", mentee="e2"))


def test_violations_name_their_rule_and_session(problem: Problem) -> None:
    (violation,) = validate_plan(problem, [session("p1", 0, "2027-01-07 09:00")])
    assert str(violation) == "p1#0: out_of_office: executive e1 is out of office on 2027-01-07"
    assert violation.rule in RULES


def test_busy_time_behind_a_long_absence_and_many_short_blocks() -> None:
    """An absence of weeks makes every session's neighbourhood long: the validator sweeps
    instead of scanning, and still finds the block (or no block) that overlaps."""
    quarters = [
        {"start": f"2027-01-{day:02d}T{hour:02d}:00", "end": f"2027-01-{day:02d}T{hour:02d}:15"}
        for day in range(4, 16)
        for hour in range(9, 18)
    ]
    away = {"start": "2026-12-01T00:00", "end": "2027-01-12T12:00", "status": "oof"}
    problem = problem_of(
        scenario(
            horizon={"start": "2027-01-04", "weeks": 2},
            people=[mentor("m1", busy=[away, *quarters]), executive("e1"), executive("e2")],
            pairs=[pair("p1", "m1", "e1")],
        )
    )
    (violation,) = validate_plan(problem, [session("p1", 1, "2027-01-12 10:15")])
    assert violation.rule == "busy_time" and "oof time of mentor m1" in violation.message
    assert rules_broken(problem, session("p1", 1, "2027-01-14 09:15")) == set()
    assert rules_broken(problem, session("p1", 1, "2027-01-14 09:45")) == {"busy_time"}
