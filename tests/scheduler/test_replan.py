"""The incremental re-plan (a running service) gives what a full re-plan gives, and leaves
the groups the change did not reach exactly as they were."""

import json
from copy import deepcopy
from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scheduler.domain import Plan, PlannedSession
from scheduler.parameters import SolverParameters
from scheduler.plan_format import PlanDocument, instant_text, plan_from_dict, plan_to_dict
from scheduler.replan import plan_with_state, replan, replan_from_plan
from scheduler.solve import solve
from scheduler.validation import validate_plan
from tests.builders import executive, mentor, pair, problem_of, scenario
from tests.strategies import programmes

PARAMS = SolverParameters(time_limit_seconds=10, processes=1, strict=True)


def with_booked(document: dict[str, Any], plan: Plan) -> dict[str, Any]:
    current = [
        {"pair": s.pair, "index": s.index, "start": instant_text(s.start), "moves": s.moves}
        for s in plan.sessions
    ]
    return {**document, "now": "2027-01-01T00:00:00", "current": current}


def busy_over(document: dict[str, Any], person_id: str, session: PlannedSession) -> dict[str, Any]:
    """The scenario with a new meeting of `person_id` over `session`."""
    changed = deepcopy(document)
    person = next(p for p in changed["people"] if p["id"] == person_id)
    busy = {"start": instant_text(session.start), "end": instant_text(session.end)}
    person["busy"] = [*person.get("busy", []), busy]
    return changed


def two_groups() -> dict[str, Any]:
    return scenario(
        horizon={"start": "2027-03-08", "weeks": 3},
        people=[mentor("m1"), executive("e1"), mentor("m2"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )


def test_only_the_reached_group_is_re_planned_and_the_rest_is_carried_over() -> None:
    document = two_groups()
    first, state = plan_with_state(problem_of(document), PARAMS)
    hit = next(s for s in first.sessions if s.key == ("p1", 1))
    changed = deepcopy(document)
    changed["people"][1]["busy"] = [
        {"start": instant_text(hit.start), "end": instant_text(hit.end)}
    ]
    problem = problem_of(with_booked(changed, first))
    again, _ = replan(state, problem, {"e1"}, PARAMS)
    assert validate_plan(problem, again.sessions) == []
    assert [s.key for s in again.sessions if s.moved] == [("p1", 1)]
    untouched = {s.key: s.start for s in first.sessions if s.pair == "p2"}
    assert {s.key: s.start for s in again.sessions if s.pair == "p2"} == untouched
    assert any("untouched by the change" in note for note in again.solver.notes)


@given(programmes(uniform_priority=True), st.data())
def test_incremental_and_full_re_plans_agree_on_placement_and_validity(
    document: dict[str, Any], data: st.DataObject
) -> None:
    first, state = plan_with_state(problem_of(document), PARAMS)
    if not first.sessions:
        return
    hit = data.draw(st.sampled_from(first.sessions))
    problem = problem_of(with_booked(busy_over(document, hit.mentee, hit), first))
    incremental, _ = replan(state, problem, {hit.mentee}, PARAMS)
    full = solve(problem, PARAMS)
    assert validate_plan(problem, incremental.sessions) == []
    assert len(incremental.sessions) == len(full.sessions)
    assert sum(s.moved for s in incremental.sessions) == sum(s.moved for s in full.sessions)


@given(programmes(uniform_priority=True), st.data())
def test_a_re_plan_from_the_stored_plan_is_the_re_plan_from_a_kept_state(
    document: dict[str, Any], data: st.DataObject
) -> None:
    """What a worker without the programme in memory computes from the stored plan (read
    back from its document) is exactly what a planner that kept the state computes."""
    original = problem_of(document)
    first, state = plan_with_state(original, PARAMS)
    if not first.sessions:
        return
    hit = data.draw(st.sampled_from(first.sessions))
    problem = problem_of(with_booked(busy_over(document, hit.mentor, hit), first))
    kept, _ = replan(state, problem, {hit.mentor}, PARAMS)
    stored = plan_from_dict(problem, plan_to_dict(original, first))
    cold = replan_from_plan(problem, stored, {hit.mentor}, PARAMS)
    assert cold.sessions == kept.sessions
    assert cold.unplaced == kept.unplaced
    assert validate_plan(problem, cold.sessions) == []


def test_a_decline_moves_the_declined_session_alone_without_being_told_of_it() -> None:
    document = two_groups()
    first = solve(problem_of(document), PARAMS)
    declined = next(s for s in first.sessions if s.key == ("p2", 0))
    booked = with_booked(document, first)
    for entry in booked["current"]:
        if (entry["pair"], entry["index"]) == declined.key:
            entry["status"] = "declined"
    problem = problem_of(booked)
    again = replan_from_plan(problem, plan_from_dict(problem, plan_to_dict(problem, first)), ())
    assert validate_plan(problem, again.sessions) == []
    moved = [s for s in again.sessions if s.moved]
    assert [s.key for s in moved] == [declined.key]
    assert moved[0].start != declined.start
    assert {s.key: s.start for s in again.sessions if s.pair == "p1"} == {
        s.key: s.start for s in first.sessions if s.pair == "p1"
    }


def test_a_decline_learnt_as_a_declined_entry_moves_that_session_alone() -> None:
    """A decline of an earlier plan written into `declined` (no status) over the session's
    booked day: the incremental re-plan finds it without being told."""
    document = two_groups()
    first = solve(problem_of(document), PARAMS)
    hit = next(s for s in first.sessions if s.key == ("p2", 1))
    earlier = hit.start - timedelta(hours=1)  # the same day, not the same time
    decline = {"pair": "p2", "index": 1, "start": instant_text(earlier), "by": "executive"}
    problem = problem_of({**with_booked(document, first), "declined": [decline]})
    again = replan_from_plan(problem, plan_from_dict(problem, plan_to_dict(problem, first)), ())
    assert validate_plan(problem, again.sessions) == []
    assert [s.key for s in again.sessions if s.moved] == [("p2", 1)]
    moved = next(s for s in again.sessions if s.key == ("p2", 1))
    assert moved.start.date() != hit.start.date()


@given(programmes())
def test_a_plan_document_reads_back_as_the_plan_it_was_written_from(
    document: dict[str, Any],
) -> None:
    problem = problem_of(document)
    plan = solve(problem, PARAMS)
    assert plan_from_dict(problem, plan_to_dict(problem, plan)) == plan


@given(programmes())
def test_the_typed_plan_document_gives_back_the_document_it_read(
    document: dict[str, Any],
) -> None:
    """What the service stores after reading a plan as `PlanDocument` is what was written."""
    problem = problem_of(document)
    written = plan_to_dict(problem, solve(problem, PARAMS))
    assert PlanDocument.read(written).data() == json.loads(json.dumps(written))


def test_a_carried_unplaced_session_has_its_suggestion_checked_again_against_the_new_plan() -> None:
    """p1's group is not re-planned, but the mentor it is pointed to is now busier: its
    suggestion is computed again (once, not appended) against the whole new plan."""
    all_week = {"start": "2027-01-04T00:00", "end": "2027-01-09T00:00"}
    document = scenario(
        people=[
            mentor("m1", out_of_office=[{"from": "2027-01-04", "to": "2027-01-08"}]),
            executive("e1"),
            mentor("m2", working_hours={"mon-tue": ["09:00-09:45"]}),
            executive("e2", busy=[all_week]),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )
    first, state = plan_with_state(problem_of(document), PARAMS)
    before = next(u for u in first.unplaced if u.pair == "p1")
    assert before.suggestion == "another mentor, m2, would have 2 possible starts with e1"
    changed = deepcopy(document)
    changed["people"][3]["busy"] = []
    problem = problem_of(with_booked(changed, first))
    again, _ = replan(state, problem, {"e2"}, PARAMS)
    assert [s.pair for s in again.sessions] == ["p2"]
    after = next(u for u in again.unplaced if u.pair == "p1")
    assert after.suggestion == "another mentor, m2, would have 1 possible start with e1"
    assert after.reason.count("another mentor") == 1
    stored = plan_from_dict(problem, plan_to_dict(problem, first))
    cold = replan_from_plan(problem, stored, {"e2"}, PARAMS)
    assert cold.unplaced == again.unplaced
