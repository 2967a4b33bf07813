"""Re-planning: frozen sessions stay, the fewest sessions move, and each says why."""

from copy import deepcopy
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from scheduler.candidates import build_candidates
from scheduler.domain import Plan, PlannedSession
from scheduler.plan_format import instant_text
from scheduler.validation import check_plan, validate_plan
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


def booked(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"pair": s.pair, "index": s.index, "start": instant_text(s.start), "moves": s.moves}
        for s in plan.sessions
    ]


def three_weeks(**fields: Any) -> dict[str, Any]:
    return scenario(horizon={"start": "2027-01-04", "weeks": 3}, **fields)


def starts(plan: Plan) -> dict[tuple[str, int], str]:
    return {s.key: instant_text(s.start) for s in plan.sessions}


def test_a_re_plan_without_change_moves_nothing() -> None:
    document = three_weeks()
    first = plan_of(document)
    again = plan_of({**document, "now": "2027-01-01T09:00:00", "current": booked(first)})
    assert starts(again) == starts(first)
    assert not any(s.moved for s in again.sessions)


def test_a_new_busy_block_moves_exactly_that_session_and_says_why() -> None:
    document = three_weeks(
        people=[mentor(), executive("e1"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    first = plan_of(document)
    hit = next(s for s in first.sessions if s.key == ("p1", 1))
    changed = deepcopy(document)
    changed["people"][1]["busy"] = [
        {"start": instant_text(hit.start), "end": instant_text(hit.end)}
    ]
    again = plan_of({**changed, "now": "2027-01-01T09:00:00", "current": booked(first)})
    moved = [s for s in again.sessions if s.moved]
    assert [s.key for s in moved] == [("p1", 1)]
    assert moved[0].moves == 1
    assert moved[0].moved_because is not None and moved[0].moved_because.startswith(
        "busy_time: overlaps busy time of executive e1"
    )
    assert moved[0].start.isocalendar()[1] == hit.start.isocalendar()[1]  # same week


def test_sessions_inside_the_notice_window_stay_even_when_they_now_conflict() -> None:
    document = three_weeks()
    first = plan_of(document)
    session0 = next(s for s in first.sessions if s.index == 0)
    changed = deepcopy(document)
    changed["people"][1]["busy"] = [
        {"start": instant_text(session0.start), "end": instant_text(session0.end)}
    ]
    replanned = {**changed, "now": "2027-01-04T08:00:00", "current": booked(first)}
    problem = problem_of(replanned)
    again = plan_of(replanned)
    kept = next(s for s in again.sessions if s.index == 0)
    assert kept.start == session0.start and kept.frozen and not kept.moved
    assert len(again.warnings) == 1 and "busy_time" in again.warnings[0]
    assert check_plan(problem, again.sessions).violations == []


def test_nothing_new_is_placed_inside_the_notice_window() -> None:
    # now is Monday 09:00 with 48 hours' notice: the first session goes no earlier than Wednesday.
    plan = plan_of(three_weeks(now="2027-01-04T09:00:00"))
    first = min(plan.sessions, key=lambda s: s.start)
    assert instant_text(first.start) >= "2027-01-06T08:00:00Z"


def released(status: str) -> tuple[PlannedSession, PlannedSession]:
    """Session 1 of a three-week plan, and where the re-plan puts it after `status`."""
    document = three_weeks()
    first = plan_of(document)
    current = booked(first)
    current[1]["status"] = status
    again = plan_of({**document, "now": "2027-01-01T09:00:00", "current": current})
    (moved,) = [s for s in again.sessions if s.moved]
    return first.sessions[1], moved


def test_a_declined_session_leaves_its_start_and_day_and_stays_in_its_week() -> None:
    before, moved = released("declined")
    assert moved.index == 1
    assert moved.moved_because == (
        "the session was declined at 2027-01-11 08:00 UTC by an attendee; it had to leave its "
        "start, and that time and that local day of both mentor m1 and executive e1 are not "
        "offered to it again (declined_time, after_decline: other_day)"
    )
    assert moved.start.isocalendar()[1] == before.start.isocalendar()[1]
    assert moved.start.date() != before.start.date()


def test_a_cancelled_session_only_leaves_its_start() -> None:
    before, moved = released("cancelled")
    assert moved.moved_because == "the session was cancelled; it had to leave its start"
    assert moved.start.date() == before.start.date()  # the same day stays open


def test_a_session_moved_too_often_is_left_for_a_person() -> None:
    document = three_weeks(rules={"max_moves_per_session": 2})
    first = plan_of(document)
    current = booked(first)
    current[1]["moves"] = 2
    current[1]["status"] = "cancelled"
    again = plan_of({**document, "now": "2027-01-01T09:00:00", "current": current})
    (unplaced,) = again.unplaced
    assert unplaced.code == "max_moves_reached"
    assert "moved 2 times already (max_moves_per_session 2)" in unplaced.reason


def test_current_sessions_must_exist() -> None:
    import pytest

    from scheduler.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"current\[0\].index: pair p1 needs no session 9"):
        problem_of(
            three_weeks(current=[{"pair": "p1", "index": 9, "start": "2027-01-05T09:00:00"}])
        )


def test_the_validator_checks_the_rebooking_rules() -> None:
    document = three_weeks()
    first = plan_of(document)
    current = booked(first)
    current[2]["status"] = "declined"
    problem = problem_of({**document, "now": "2027-01-04T08:00:00", "current": current})
    rules = {v.rule for v in validate_plan(problem, first.sessions)}
    assert rules == {"left_start", "declined_time"}
    early = PlannedSession(
        "p1",
        1,
        "m1",
        "e1",
        first.sessions[0].start.replace(day=5),
        first.sessions[0].end.replace(day=5),
    )
    assert "notice_window" in {v.rule for v in validate_plan(problem, [first.sessions[0], early])}
    assert "frozen" in {v.rule for v in validate_plan(problem, first.sessions[1:])}


# --- properties ------------------------------------------------------------------------


def replan(
    document: dict[str, Any], plan: Plan, now: str = "2027-03-01T00:00:00"
) -> dict[str, Any]:
    return {**document, "now": now, "current": booked(plan)}


@given(programmes(uniform_priority=True))
def test_re_planning_an_unchanged_programme_moves_nothing(document: dict[str, Any]) -> None:
    first = checked_plan(problem_of(document))
    again = checked_plan(problem_of(replan(document, first)))
    assert not any(s.moved for s in again.sessions)
    assert starts(again) == starts(first)


@given(programmes(uniform_priority=True), st.data())
def test_frozen_sessions_never_move(document: dict[str, Any], data: st.DataObject) -> None:
    first = checked_plan(problem_of(document))
    assume(first.sessions)
    now = data.draw(
        st.sampled_from(["2027-03-09T12:00:00", "2027-03-15T00:00:00", "2027-03-23T18:00:00"])
    )
    target = data.draw(st.sampled_from(first.sessions))
    changed = _busy_over(document, target)
    problem = problem_of(replan(changed, first, now))
    again = checked_plan(problem)  # validator: no violation beyond frozen warnings
    frozen = {r.key: r.booking.start for r in problem.sessions if r.frozen and r.booking}
    assert {s.key: s.start for s in again.sessions if s.key in frozen} == frozen


@given(programmes(uniform_priority=True), st.data())
def test_one_busy_block_over_one_session_moves_exactly_that_session_when_one_move_suffices(
    document: dict[str, Any], data: st.DataObject
) -> None:
    first = checked_plan(problem_of(document))
    assume(first.sessions and first.solver.status == "OPTIMAL")
    target = data.draw(st.sampled_from(first.sessions))
    problem = problem_of(replan(_busy_over(document, target), first))
    others = [s for s in first.sessions if s.key != target.key]
    assume(_one_move_suffices(problem, others, target))
    # The fewest moves are proven by the search, not by the clock: a cap far past any
    # search here, so that a busy machine cannot cut it short (CI once did at 10 s).
    again = checked_plan(problem, time_limit_seconds=300.0)
    assert not again.solver.cut_by_wall_clock
    assert [s.key for s in again.sessions if s.moved] == [target.key]


def _busy_over(document: dict[str, Any], session: PlannedSession) -> dict[str, Any]:
    changed = deepcopy(document)
    person = next(p for p in changed["people"] if p["id"] == session.mentee)
    person["busy"] = [
        *person["busy"],
        {"start": instant_text(session.start), "end": instant_text(session.end)},
    ]
    return changed


def _one_move_suffices(problem: Any, others: list[PlannedSession], target: PlannedSession) -> bool:
    """Some start of the target session fits beside every other session as it is."""
    data = build_candidates(problem)
    session = next(s for s in data.sessions if s.request.key == target.key)
    for choice in range(len(session)):
        moved = PlannedSession(
            target.pair,
            target.index,
            target.mentor,
            target.mentee,
            data.start(session, choice),
            data.end(session, choice),
        )
        if moved.start != target.start and not validate_plan(problem, [*others, moved]):
            return True
    return False


def test_a_move_stays_in_its_week_before_any_earlier_start_in_another() -> None:
    """A biweekly session booked on Tuesday of its second week becomes impossible. An
    earlier start in the first week would suit the soft goals better, but a move inside the
    booked start's own week comes first: Friday of the second week."""
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 2},
        people=[
            mentor(),
            executive(
                working_hours={
                    "mon": ["09:00-10:00"],
                    "tue": ["09:00-10:00"],
                    "fri": ["15:00-16:00"],
                },
                busy=[
                    {"start": "2027-01-11T09:00", "end": "2027-01-11T10:00"},
                    {"start": "2027-01-12T09:00", "end": "2027-01-12T10:00"},
                ],
            ),
        ],
        pairs=[pair(cadence="biweekly")],
        now="2027-01-01T09:00:00",
        current=[{"pair": "p1", "index": 0, "start": "2027-01-12T09:00:00"}],
    )
    plan = plan_of(document)
    (session,) = plan.sessions
    assert session.moved and session.moves == 1
    assert local_starts(problem_of(document), plan, "e1") == ["2027-01-15 15:00"]


def test_a_booked_session_moves_to_let_a_new_one_in() -> None:
    """p1 is booked on Monday 09:00; p2's executive, new to the programme, is free only
    then, with the same mentor. Keeping every booked start would leave p2 out: p1 moves
    (within its week) and says why."""
    document = scenario(
        people=[
            mentor(),
            executive("e1", working_hours={"mon-tue": ["09:00-10:00"]}),
            executive("e2", working_hours={"mon": ["09:00-10:00"]}),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
        now="2027-01-01T09:00:00",
        current=[{"pair": "p1", "index": 0, "start": "2027-01-04T09:00:00"}],
    )
    plan = plan_of(document)
    assert plan.unplaced == ()
    moved = {s.pair: s for s in plan.sessions}
    assert local_starts(problem_of(document), plan, "e2") == ["2027-01-04 09:00"]
    assert moved["p1"].moved and moved["p1"].moved_because == (
        "its start was still free; it moved so that more sessions could be placed"
    )
