"""A programme planned in parts (on several machines) and assembled is the plan one
process makes: the same sessions, reasons and figures; only the timings differ."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from connectors.scenarios import (
    problem_from_data,
    replan_reading_calendars,
    with_suggestions_read,
)
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_from_dict, plan_to_dict
from scheduler.plan_parts import (
    pairs_reached,
    part_document,
    planned_pairs,
    released_people,
    split_pairs,
    without_calendars,
)
from scheduler.replan import replan_from_plan
from scheduler.solve import assembled, plan_all_groups, solve
from tests.builders import (
    coach,
    executive,
    mentor,
    pair,
    problem_of,
    scenario,
    supervised_programme,
)
from tests.scheduler.test_replan import busy_over, with_booked
from tests.strategies import programmes

PARAMS = SolverParameters(time_limit_seconds=10, processes=1, strict=True)


def timeless(plan: dict[str, Any]) -> dict[str, Any]:
    solver = {k: v for k, v in plan["solver"].items() if k not in ("seconds", "timings")}
    return {**plan, "solver": solver}


@given(programmes(), st.integers(min_value=1, max_value=4))
def test_a_plan_made_in_parts_is_the_plan_of_one_process(
    document: dict[str, Any], parts: int
) -> None:
    whole = problem_of(document)
    split = split_pairs(document["pairs"], parts)
    assert sorted(p for part in split for p in part) == sorted(p["id"] for p in document["pairs"])
    plans = [
        group
        for pairs in split
        for group in plan_all_groups(problem_of(part_document(document, pairs)), PARAMS)
    ]
    skeleton = problem_of(without_calendars(document))
    plans = with_suggestions_read(document, skeleton, plans)
    in_parts = plan_to_dict(skeleton, assembled(skeleton, plans, PARAMS, 0.0))
    assert timeless(in_parts) == timeless(plan_to_dict(whole, solve(whole, PARAMS)))


def test_people_linked_through_pairs_stay_in_one_part_and_parts_are_balanced() -> None:
    document = scenario(
        people=[mentor("m1"), mentor("m2"), mentor("m3")]
        + [executive(f"e{n}") for n in range(1, 6)],
        pairs=[
            pair("a", "m1", "e1"),
            pair("b", "m2", "e2"),
            pair("c", "m1", "e3"),  # m1's second executive: with "a"
            pair("d", "m3", "e4"),
            pair("e", "m2", "e5"),  # m2's second: with "b"
        ],
    )
    assert split_pairs(document["pairs"], 2) == [["a", "c", "d"], ["b", "e"]]
    assert split_pairs(document["pairs"], 9) == [["a", "c"], ["b", "e"], ["d"]]
    part = part_document(document, ["b", "e"])
    assert [p["id"] for p in part["people"]] == ["m2", "e2", "e5"]


@given(programmes(uniform_priority=True), st.data())
def test_a_re_plan_reading_only_the_reached_calendars_is_the_whole_re_plan(
    document: dict[str, Any], data: st.DataObject
) -> None:
    """A worker re-planning after a new busy time and a decline reads the calendars of the
    groups they reach only; the plan is the one made from every calendar."""
    first = solve(problem_of(document), PARAMS)
    if not first.sessions:
        return
    hit = data.draw(st.sampled_from(first.sessions))
    declined = data.draw(st.sampled_from(first.sessions))
    booked = with_booked(busy_over(document, hit.mentee, hit), first)
    for entry in booked["current"]:
        if (entry["pair"], entry["index"]) == declined.key:
            entry["status"] = "declined"
    stored = plan_to_dict(problem_of(document), first)
    whole = problem_from_data(booked)
    expected = replan_from_plan(whole, plan_from_dict(whole, stored), {hit.mentee}, PARAMS)
    assert declined.mentor in {hit.mentee} | released_people(booked)
    partial, got = replan_reading_calendars(booked, stored, {hit.mentee}, PARAMS)
    assert timeless(plan_to_dict(partial, got)) == timeless(plan_to_dict(whole, expected))


def test_an_untouched_groups_suggestion_is_checked_against_its_calendars_read_again() -> None:
    """A decline in one group; another group's unplaced session keeps the suggestion its
    calendars give (the worker reads them for it), not one made without them."""
    document = scenario(
        now="2027-01-01T09:00:00",
        people=[
            mentor("m1", working_hours={"mon": ["09:00-10:00"]}),
            executive(
                "e1",
                working_hours={"mon": ["09:00-10:00"]},
                busy=[{"start": "2027-01-04T09:35", "end": "2027-01-04T10:00"}],
            ),
            mentor("m2"),
            executive("e2"),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )
    first = solve(problem_of(document), PARAMS)
    (p2,) = first.sessions
    booked = with_booked(document, first)
    booked["current"][0]["status"] = "declined"
    stored = plan_to_dict(problem_of(document), first)
    partial, got = replan_reading_calendars(booked, stored, set(), PARAMS)
    (unplaced,) = [u for u in got.unplaced if u.pair == "p1"]
    assert unplaced.suggestion == "allowing 30 minutes instead of 45 would give 1 possible start"
    assert [s.key for s in got.sessions if s.moved] == [p2.key]
    whole = problem_from_data(booked)
    expected = replan_from_plan(whole, plan_from_dict(whole, stored), set(), PARAMS)
    assert timeless(plan_to_dict(partial, got)) == timeless(plan_to_dict(whole, expected))


def test_a_supervised_programme_in_parts_keeps_each_mentors_coach() -> None:
    document = supervised_programme(horizon={"start": "2027-01-04", "weeks": 5})
    document["people"].append(coach("c3"))  # spread over three coaches: one mentor each
    whole = problem_of(document)
    split = split_pairs(planned_pairs(document), 3)
    assert len(split) == 3
    assert all(any(p.startswith("check-in.") for p in part) for part in split)
    parts = [problem_of(part_document(document, pairs)) for pairs in split]
    coaches = {p.id: p.mentor for part in parts for p in part.pairs.values()}
    assert coaches == {p.id: p.mentor for p in whole.pairs.values()}
    plans = [group for part in parts for group in plan_all_groups(part, PARAMS)]
    skeleton = problem_of(without_calendars(document))
    plans = with_suggestions_read(document, skeleton, plans)
    in_parts = plan_to_dict(skeleton, assembled(skeleton, plans, PARAMS, 0.0))
    assert timeless(in_parts) == timeless(plan_to_dict(whole, solve(whole, PARAMS)))
    assert pairs_reached(planned_pairs(document), {"c3"}) == ["p3", "check-in.m3"]
