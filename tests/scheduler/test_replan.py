"""The incremental re-plan (a running service) gives what a full re-plan gives, and leaves
the groups the change did not reach exactly as they were."""

from copy import deepcopy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scheduler.domain import Plan
from scheduler.parameters import SolverParameters
from scheduler.plan_format import instant_text
from scheduler.replan import plan_with_state, replan
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
    from scheduler.solve import solve

    first, state = plan_with_state(problem_of(document), PARAMS)
    if not first.sessions:
        return
    hit = data.draw(st.sampled_from(first.sessions))
    changed = deepcopy(document)
    person = next(p for p in changed["people"] if p["id"] == hit.mentee)
    person["busy"] = [
        *person["busy"],
        {"start": instant_text(hit.start), "end": instant_text(hit.end)},
    ]
    problem = problem_of(with_booked(changed, first))
    incremental, _ = replan(state, problem, {hit.mentee}, PARAMS)
    full = solve(problem, PARAMS)
    assert validate_plan(problem, incremental.sessions) == []
    assert len(incremental.sessions) == len(full.sessions)
    assert sum(s.moved for s in incremental.sessions) == sum(s.moved for s in full.sessions)
