"""Supervised mentors: each mentor of a pair meets a coach in check-ins, planned under the
same hard rules as the sessions (the coach's busy time and caps too)."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from scheduler.comparison import comparison_rows, summarise
from scheduler.errors import ScenarioError
from scheduler.parameters import SoftWeights
from scheduler.plan_file_check import check_plan_file
from scheduler.plan_format import PlanDocument, plan_to_dict, replanning_keys
from scheduler.scenario_checks import validate_scenario
from scheduler.supervision import scenario_assignment
from scheduler.validation import validate_plan
from tests.builders import (
    checked_plan,
    mentor,
    pair,
    plan_of,
    problem_of,
    scenario,
    supervised_programme,
)

MENTORS = ("m1", "m2", "m3")


def person_entry(document: dict[str, Any], person_id: str) -> dict[str, Any]:
    return next(p for p in document["people"] if p["id"] == person_id)


def check_ins(plan: Any) -> list[Any]:
    return [s for s in plan.sessions if s.pair.startswith("check-in.")]


def errors_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        validate_scenario(document)
    return [str(error) for error in raised.value.errors]


def test_explicit_coaches_stay_and_the_others_are_spread_fewest_mentors_first() -> None:
    explicit = validate_scenario(
        supervised_programme({"assign": [{"coach": "c2", "mentors": ["m3"]}]})
    )
    # m1 to c1 (c2 has m3 already); m2: both coaches have one, the tie goes by id to c1.
    assert scenario_assignment(explicit) == {"m1": "c1", "m2": "c1", "m3": "c2"}
    spread = validate_scenario(supervised_programme())
    assert scenario_assignment(spread) == {"m1": "c1", "m2": "c2", "m3": "c1"}
    only_c2 = validate_scenario(supervised_programme({"coaches": ["c2"]}))
    assert set(scenario_assignment(only_c2).values()) == {"c2"}


def test_each_mentor_meets_their_coach_once_a_month_for_30_minutes() -> None:
    document = supervised_programme({"assign": [{"coach": "c2", "mentors": ["m3"]}]})
    problem = problem_of(document)
    plan = checked_plan(problem)
    assert plan.unplaced == ()
    found = {(s.mentor, s.mentee, s.start.month) for s in check_ins(plan)}
    coach_of = {"m1": "c1", "m2": "c1", "m3": "c2"}
    assert found == {(coach_of[m], m, month) for m in MENTORS for month in (1, 2, 3)}
    assert len(check_ins(plan)) == 9
    assert all(s.end - s.start == timedelta(minutes=30) for s in check_ins(plan))
    written = plan_to_dict(problem, plan)
    kinds = {(s["pair"].startswith("check-in."), s["kind"]) for s in written["sessions"]}
    assert kinds == {(True, "supervision"), (False, "mentoring")}


def test_the_cadence_and_duration_of_check_ins_are_the_sections() -> None:
    plan = plan_of(supervised_programme({"cadence": "biweekly", "duration_minutes": 45}))
    assert len(check_ins(plan)) == 3 * 6
    assert all(s.end - s.start == timedelta(minutes=45) for s in check_ins(plan))


def test_no_scenario_without_supervision_gets_check_ins() -> None:
    document = supervised_programme()
    del document["supervision"]
    plan = plan_of(document)
    assert check_ins(plan) == []


def test_no_check_in_before_the_mentors_available_from() -> None:
    document = supervised_programme()
    person_entry(document, "m2")["available_from"] = "2027-02-10"
    problem = problem_of(document)
    plan = checked_plan(problem)
    theirs = [s for s in check_ins(plan) if s.mentee == "m2"]
    tz = problem.people["m2"].tz
    assert [s.start.astimezone(tz).month for s in theirs] == [2, 3]
    assert min(s.start.astimezone(tz).date() for s in theirs) >= date(2027, 2, 10)


def test_a_forged_check_in_before_available_from_is_flagged() -> None:
    document = supervised_programme()
    person_entry(document, "m2")["available_from"] = "2027-02-10"
    problem = problem_of(document)
    plan = checked_plan(problem)
    first = next(s for s in check_ins(plan) if s.mentee == "m2")
    early = timedelta(days=7)
    forged = replace(first, start=first.start - early, end=first.end - early)
    sessions = [forged if s.key == first.key else s for s in plan.sessions]
    rules = {v.rule for v in validate_plan(problem, sessions) if v.pair == first.pair}
    assert "available_from" in rules


def test_check_ins_keep_clear_of_the_coachs_busy_time() -> None:
    document = supervised_programme({"coaches": ["c1"]})
    person_entry(document, "c1")["busy"] = [
        {"start": "2027-01-04T00:00", "end": "2027-01-16T00:00"},
        {"start": "2027-02-01T00:00", "end": "2027-02-06T00:00"},
    ]
    problem = problem_of(document)
    plan = checked_plan(problem)
    tz = problem.people["c1"].tz
    days = sorted(s.start.astimezone(tz).date() for s in check_ins(plan))
    assert len(days) == 9
    assert all(not date(2027, 1, 4) <= day < date(2027, 1, 16) for day in days)
    assert all(not date(2027, 2, 1) <= day < date(2027, 2, 6) for day in days)


def test_the_validator_flags_a_check_in_over_the_coachs_busy_time() -> None:
    document = supervised_programme()
    problem = problem_of(document)
    plan = checked_plan(problem)
    session = check_ins(plan)[0]
    busy = {"start": session.start.isoformat(), "end": session.end.isoformat()}
    person_entry(document, session.mentor)["busy"] = [busy]
    violations = validate_plan(problem_of(document), plan.sessions)
    assert [(v.pair, v.rule) for v in violations] == [(session.pair, "busy_time")]
    assert f"coach {session.mentor}" in violations[0].message


def test_the_coachs_daily_cap_leaves_a_check_in_unplaced() -> None:
    # One week, the coach works on Mondays only and holds two sessions a day at most.
    document = supervised_programme(
        {"coaches": ["c1"]}, horizon={"start": "2027-01-04", "weeks": 1}
    )
    person_entry(document, "c1").update(
        working_hours={"mon": ["09:00-18:00"]}, max_sessions_per_day=2
    )
    plan = plan_of(document)
    assert len(check_ins(plan)) == 2
    missing = [u for u in plan.unplaced if u.pair.startswith("check-in.")]
    assert len(missing) == 1
    assert "cap" in missing[0].reason
    assert len({s.start.date() for s in check_ins(plan)}) == 1
    person_entry(document, "c1")["max_sessions_per_day"] = 3
    assert len(check_ins(plan_of(document))) == 3


def test_check_ins_count_towards_the_mentors_caps() -> None:
    # The mentor may hold one session a day and works on Mondays only: one week, the
    # weekly session and the check-in cannot both be held.
    document = supervised_programme(
        {"coaches": ["c1"]}, horizon={"start": "2027-01-04", "weeks": 1}
    )
    person_entry(document, "m1").update(
        working_hours={"mon": ["09:00-18:00"]}, max_sessions_per_day=1
    )
    plan = plan_of(document)
    held = [s for s in plan.sessions if "m1" in (s.mentor, s.mentee)]
    assert len(held) == 1
    assert ["cap" in u.reason for u in plan.unplaced if "m1" in u.people] == [True]


def test_a_plan_file_keeps_the_kind_and_old_files_read_as_mentoring() -> None:
    document = supervised_programme()
    problem = problem_of(document)
    plan = checked_plan(problem)
    written = plan_to_dict(problem, plan)
    read = PlanDocument.read(written)
    assert {s.pair: s.kind for s in read.sessions}["check-in.m1"] == "supervision"
    assert PlanDocument.read(read.data()).data() == read.data()
    assert check_plan_file(problem, written) == []
    old = {**written, "sessions": [s for s in written["sessions"] if s["kind"] == "mentoring"]}
    for s in old["sessions"]:
        del s["kind"]
    assert {s.kind for s in PlanDocument.read(old).sessions} == {"mentoring"}
    wrong = {**written, "sessions": [dict(s, kind="mentoring") for s in written["sessions"]]}
    flagged = {(v.pair, v.rule) for v in check_plan_file(problem, wrong)}
    assert ("check-in.m1", "kind") in flagged
    assert all(rule == "kind" for _, rule in flagged)


def test_a_re_plan_keeps_the_check_ins() -> None:
    document = supervised_programme()
    problem = problem_of(document)
    first = checked_plan(problem)
    moved_session = next(s for s in first.sessions if s.key == ("p1", 3))
    again_document = {
        **document,
        **replanning_keys(plan_to_dict(problem, first)),
        "now": "2027-01-01T09:00:00",
    }
    person_entry(again_document, "e1")["busy"] = [
        {"start": moved_session.start.isoformat(), "end": moved_session.end.isoformat()}
    ]
    again = plan_of(again_document)
    before = {s.key: s.start for s in check_ins(first)}
    assert {s.key: s.start for s in check_ins(again)} == before
    assert [s.key for s in again.sessions if s.moved] == [("p1", 3)]


def test_check_ins_can_be_declined_and_move() -> None:
    document = supervised_programme()
    problem = problem_of(document)
    first = checked_plan(problem)
    declined = check_ins(first)[0]
    keys = replanning_keys(plan_to_dict(problem, first))
    for entry in keys["current"]:
        if (entry["pair"], entry["index"]) == declined.key:
            entry.update(status="declined", declined_by="mentor")
    again = plan_of({**document, **keys, "now": "2027-01-01T09:00:00"})
    moved = next(s for s in again.sessions if s.key == declined.key)
    assert moved.start != declined.start
    assert moved.moved_because is not None
    assert f"by coach {declined.mentor}" in moved.moved_because


@pytest.mark.parametrize(
    ("supervision", "expected"),
    [
        ({"coaches": ["m1"]}, ["supervision.coaches[0]: 'm1' is not a coach"]),
        ({"coaches": ["zz"]}, ["supervision.coaches[0]: unknown person 'zz'"]),
        ({"coaches": []}, ["supervision.coaches: list at least one coach"]),
        (
            {"assign": [{"coach": "m1", "mentors": ["m2"]}]},
            ["supervision.assign[0].coach: 'm1' is not a coach"],
        ),
        (
            {"coaches": ["c1"], "assign": [{"coach": "c2", "mentors": ["m2"]}]},
            ["supervision.assign[0].coach: 'c2' is not one of supervision.coaches"],
        ),
        (
            {
                "assign": [
                    {"coach": "c1", "mentors": ["e1", "m1"]},
                    {"coach": "c2", "mentors": ["m1"]},
                ]
            },
            [
                "supervision.assign[0].mentors[0]: 'e1' is not a mentor",
                "supervision.assign[1].mentors[0]: 'm1' is assigned already",
            ],
        ),
        (
            {"duration_minutes": 20},
            ["supervision.duration_minutes: 20 is not a multiple of grid_minutes (15)"],
        ),
        ({"cadence": "yearly"}, ["supervision.cadence: ", "supervision.cadence.constrained-int"]),
        ({"every": 2}, ["supervision.every: unknown key (not in the scenario format)"]),
    ],
)
def test_a_bad_supervision_section_names_the_field(
    supervision: dict[str, Any], expected: list[str]
) -> None:
    errors = errors_of(supervised_programme(supervision))
    assert len(errors) == len(expected), errors
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start), errors


def test_supervision_without_any_coach_is_an_error() -> None:
    document = scenario(supervision={})
    assert errors_of(document) == ["supervision: no coach: give people with role: coach"]


def test_a_coach_is_no_member_of_a_pair_and_check_in_ids_are_reserved() -> None:
    document = supervised_programme()
    document["pairs"].append(pair("p4", "c1", "e1"))
    document["pairs"].append(pair("check-in.m1", "m1", "e2"))
    errors = errors_of(document)
    assert errors[0].startswith("pairs[3].mentor: 'c1' is a coach")
    assert errors[1].startswith("pairs[4].id: 'check-in.m1' is the id of a mentor's")


def test_a_mentor_assigned_who_mentors_no_pair_is_an_error() -> None:
    document = supervised_programme({"assign": [{"coach": "c1", "mentors": ["m4"]}]})
    document["people"].append(mentor("m4"))
    assert errors_of(document) == [
        "supervision.assign[0].mentors[0]: 'm4' is the mentor of no pair"
    ]


def test_the_what_if_figures_show_each_coachs_load() -> None:
    document = supervised_programme({"coaches": ["c1"]})
    problem = problem_of(document)
    summary = summarise("base", problem, checked_plan(problem))
    assert summary.check_ins_by_coach == {"c1": 9, "c2": 0}
    rows = dict(comparison_rows([summary]))
    assert rows["check-ins: coach c1"] == ["9"] and rows["check-ins: coach c2"] == ["0"]


def test_each_months_check_in_comes_before_the_mentors_first_session_of_that_month() -> None:
    # Everyone is free all week: sessions and check-ins all want Monday 09:00, the start of
    # their periods (4 January, 1 February and 1 March 2027 are Mondays).
    problem = problem_of(supervised_programme())
    plan = checked_plan(problem)
    assert plan.unplaced == ()
    for check_in in check_ins(plan):
        month = check_in.start.astimezone(problem.people[check_in.mentee].tz).month
        own = [
            s.start
            for s in plan.sessions
            if s.mentor == check_in.mentee
            and s.start.astimezone(problem.people[check_in.mentee].tz).month == month
        ]
        assert check_in.start < min(own), (check_in, min(own))


def test_without_its_weight_the_check_in_may_come_second() -> None:
    problem = problem_of(supervised_programme())
    weights = replace(SoftWeights(), late_check_in=0)
    plan = checked_plan(problem, weights=weights)
    later = [
        c
        for c in check_ins(plan)
        if any(
            s.mentor == c.mentee and s.start < c.start and s.start.month == c.start.month
            for s in plan.sessions
        )
    ]
    assert later  # lateness alone puts some mentoring session first: the goal is what orders
