"""A declined session is never offered the declined time again (widened by its pair's
buffer), by default not that local day of the person who declined either, and the plan
remembers its declines so that later re-plans keep away from them too."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scheduler.candidates import build_candidates
from scheduler.domain import Plan, PlannedSession, Problem
from scheduler.errors import ScenarioError
from scheduler.plan_format import plan_to_dict, replanning_keys
from scheduler.validation import validate_plan
from tests.builders import (
    checked_plan,
    executive,
    local_starts,
    mentor,
    pair,
    plan_of,
    problem_of,
    scenario,
)
from tests.strategies import programmes

NOW = "2027-01-01T09:00:00"
MON_TUE = {"mon-tue": ["09:00-11:00"]}


def week_of_the_11th(**fields: Any) -> dict[str, Any]:
    """One session (index 1) in the week of Monday 11 January 2027, Paris; both people
    work Monday and Tuesday 09:00-11:00."""
    return scenario(
        horizon={"start": "2027-01-11", "weeks": 1},
        people=[mentor(working_hours=MON_TUE), executive(working_hours=MON_TUE)],
        pairs=[pair(start="2027-01-04", **fields.pop("pair_fields", {}))],
        **fields,
    )


def replanned(document: dict[str, Any], made_from: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """`document` re-planned from `plan` (made from `made_from`) as `tandem plan --current`
    does: through the plan's document, which carries the declines it remembers."""
    keys = replanning_keys(plan_to_dict(problem_of(made_from), plan))
    return {**document, **keys, "now": NOW}


def declined_now(document: dict[str, Any], by: str) -> dict[str, Any]:
    """The re-planning document with its one booked session declined by `by`."""
    (entry,) = document["current"]
    return {**document, "current": [{**entry, "status": "declined", "declined_by": by}]}


def test_the_new_time_leaves_the_declined_time_and_the_executives_day() -> None:
    document = week_of_the_11th()
    first = plan_of(document)
    assert local_starts(problem_of(document), first, "e1") == ["2027-01-11 09:00"]
    again = plan_of(declined_now(replanned(document, document, first), "executive"))
    (moved,) = again.sessions
    assert local_starts(problem_of(document), again, "e1") == ["2027-01-12 09:00"]
    assert moved.moved_because is not None
    assert moved.moved_because.startswith(
        "the session was declined at 2027-01-11 08:00 UTC by executive e1"
    )
    assert "that local day of executive e1" in moved.moved_because


def test_other_time_keeps_the_day_but_not_the_declined_time_widened_by_the_buffer() -> None:
    # 09:00-09:45 declined; with a 15-minute buffer no start before 10:00 is far enough.
    fields = {"pair_fields": {"after_decline": "other_time", "buffer_minutes": 15}}
    document = week_of_the_11th(rules={"after_decline": "other_day"}, **fields)
    first = plan_of(document)
    again = plan_of(declined_now(replanned(document, document, first), "executive"))
    assert local_starts(problem_of(document), again, "e1") == ["2027-01-11 10:00"]
    (moved,) = again.sessions
    assert moved.moved_because is not None
    assert "that time is not offered to it again" in moved.moved_because


def test_a_decline_re_planned_twice_never_goes_back_to_the_declined_time() -> None:
    """Decline, re-plan; then the executive's calendar changes over the new time and the
    programme is re-planned from the second plan: the first declined time (Monday 09:00,
    the earliest start, which every re-plan would otherwise take) stays refused."""
    document = week_of_the_11th()
    first = plan_of(document)
    second_document = declined_now(replanned(document, document, first), "executive")
    second = plan_of(second_document)
    assert local_starts(problem_of(document), second, "e1") == ["2027-01-12 09:00"]
    busy = [{"start": "2027-01-12T09:00", "end": "2027-01-12T09:45"}]
    changed = {
        **document,
        "people": [mentor(working_hours=MON_TUE), executive(working_hours=MON_TUE, busy=busy)],
    }
    third_document = replanned(changed, second_document, second)
    assert third_document["declined"] == [
        {"pair": "p1", "index": 1, "start": "2027-01-11T08:00:00Z", "by": "executive"}
    ]
    third = plan_of(third_document)  # the validator checks `declined_time` on it
    assert local_starts(problem_of(document), third, "e1") == ["2027-01-12 09:45"]
    (moved,) = third.sessions
    assert moved.moves == 2 and moved.moved_because is not None
    assert moved.moved_because.startswith("busy_time: ")
    assert plan_to_dict(problem_of(third_document), third)["sessions"][0]["declined"] == [
        {"start": "2027-01-11T08:00:00Z", "by": "executive"}
    ]


def test_a_second_decline_adds_to_the_first() -> None:
    document = week_of_the_11th()
    first = plan_of(document)
    second_document = declined_now(replanned(document, document, first), "executive")
    second = plan_of(second_document)
    third_document = declined_now(replanned(document, second_document, second), "mentor")
    third = plan_of(third_document)
    # Monday (executive) and Tuesday (mentor) are both left: no day remains.
    assert third.sessions == ()
    (unplaced,) = third.unplaced
    assert unplaced.code == "only_declined_time_left"
    assert "declined at 2027-01-11 08:00 UTC by executive e1" in unplaced.reason
    assert "declined at 2027-01-12 08:00 UTC by mentor m1" in unplaced.reason
    # The unplaced session keeps both declines for the next re-plan.
    (kept,) = plan_to_dict(problem_of(third_document), third)["unplaced"]
    assert kept["declined"] == [
        {"start": "2027-01-11T08:00:00Z", "by": "executive"},
        {"start": "2027-01-12T08:00:00Z", "by": "mentor"},
    ]
    fourth_document = replanned(document, third_document, third)
    assert fourth_document["current"] == []
    assert plan_of(fourth_document).unplaced[0].code == "only_declined_time_left"


# --- who declined, and whose day is left ---------------------------------------------------


def tokyo_and_paris(by: str | None) -> Problem:
    """A mentor in Tokyo (UTC+9) and an executive in Paris (UTC+1), both working around the
    clock; the session was declined at Monday 11 January 22:00 UTC, which is Monday in
    Paris but Tuesday in Tokyo."""
    always = {"mon-fri": ["00:00-24:00"]}
    declined = {"pair": "p1", "index": 1, "start": "2027-01-11T22:00:00Z"}
    return problem_of(
        scenario(
            horizon={"start": "2027-01-11", "weeks": 1},
            people=[
                mentor(timezone="Asia/Tokyo", working_hours=always),
                executive(working_hours=always),
            ],
            pairs=[pair(start="2027-01-04")],
            declined=[{**declined, **({"by": by} if by else {})}],
        )
    )


def session_at(utc: str) -> PlannedSession:
    start = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    return PlannedSession("p1", 1, "m1", "e1", start, start + timedelta(minutes=45))


@pytest.mark.parametrize(
    ("by", "paris_monday", "tokyo_tuesday"),
    [("executive", True, False), ("mentor", False, True), (None, True, True)],
)
def test_the_day_left_is_the_declining_persons_and_both_when_not_known(
    by: str | None, paris_monday: bool, tokyo_tuesday: bool
) -> None:
    problem = tokyo_and_paris(by)
    # Monday 10:00 UTC: Monday in Paris, Monday in Tokyo (19:00).
    # Tuesday 12:00 UTC: Tuesday in Paris, Tuesday in Tokyo (21:00).
    for utc, refused in (("2027-01-11T10:00", paris_monday), ("2027-01-12T12:00", tokyo_tuesday)):
        rules = {v.rule for v in validate_plan(problem, [session_at(utc)])}
        assert rules == ({"declined_time"} if refused else set()), (utc, rules)
        (candidates,) = build_candidates(problem).sessions
        cell = build_candidates(problem).grid.cell_starting_at(session_at(utc).start)
        assert (cell in candidates.starts.tolist()) is not refused, utc


def test_the_validator_names_the_person_and_the_declined_time() -> None:
    problem = tokyo_and_paris("mentor")
    (day,) = validate_plan(problem, [session_at("2027-01-12T02:00")])
    assert str(day) == (
        "p1#1: declined_time: starts on 2027-01-12, the local day of mentor m1 on which the "
        "session was declined (2027-01-11T22:00Z; after_decline: other_day)"
    )
    (overlap,) = validate_plan(problem, [session_at("2027-01-11T21:30")])
    assert str(overlap) == (
        "p1#1: declined_time: overlaps the time the session was declined at "
        "(2027-01-11T22:00Z to 2027-01-11T22:45Z, buffer 0 min)"
    )


# --- the scenario's keys ---------------------------------------------------------------------


def errors_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        problem_of(document)
    return [str(e) for e in raised.value.errors]


def test_declines_name_known_sessions_and_declined_by_needs_a_decline() -> None:
    start = "2027-01-11T09:00:00"
    assert errors_of(week_of_the_11th(declined=[{"pair": "p9", "index": 1, "start": start}])) == [
        "declined[0].pair: unknown pair 'p9'"
    ]
    assert errors_of(week_of_the_11th(declined=[{"pair": "p1", "index": 7, "start": start}])) == [
        "declined[0].index: pair p1 needs no session 7"
    ]
    booked = {"pair": "p1", "index": 1, "start": start, "declined_by": "executive"}
    assert errors_of(week_of_the_11th(now=NOW, current=[booked])) == [
        "current[0]: declined_by goes with status: declined"
    ]
    wrong = {"pair": "p1", "index": 1, "start": start, "by": "ceo"}
    assert errors_of(week_of_the_11th(declined=[wrong]))[0].startswith("declined[0].by: ")
    assert errors_of(week_of_the_11th(rules={"after_decline": "same_day"}))[0].startswith(
        "rules.after_decline: "
    )


# --- properties ------------------------------------------------------------------------------


@given(programmes(uniform_priority=True), st.data())
def test_a_declined_session_never_returns_to_its_declined_time_in_later_re_plans(
    document: dict[str, Any], data: st.DataObject
) -> None:
    """Any session of any plan, declined by anyone: the re-plan and the re-plan after it
    (from the plan documents, as `--current` reads them) keep it off the declined time."""
    first = checked_plan(problem_of(document))
    assume(first.sessions)
    target = data.draw(st.sampled_from(first.sessions))
    by = data.draw(st.sampled_from([None, "mentor", "executive"]))
    second_document = replanned(document, document, first)
    for entry in second_document["current"]:
        if (entry["pair"], entry["index"]) == target.key:
            entry.update(status="declined", **({"declined_by": by} if by else {}))
    second = checked_plan(problem_of(second_document))  # the validator checks declined_time
    third_document = replanned(document, second_document, second)
    third = checked_plan(problem_of(third_document))
    length = target.end - target.start
    for plan in (second, third):
        for s in plan.sessions:
            if s.key == target.key:
                assert not (s.start < target.start + length and s.end > target.start)
