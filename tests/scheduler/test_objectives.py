"""Soft goals: once every placeable session is placed, wishes and a steady slot win."""

from tests.builders import executive, local_starts, mentor, pair, plan_of, problem_of, scenario


def test_preferred_weekdays_and_hours_in_the_mentees_local_time() -> None:
    document = scenario(
        people=[
            mentor(timezone="America/New_York", working_hours={"mon-fri": ["03:00-18:00"]}),
            executive(),
        ],
        pairs=[pair(preferred={"weekdays": ["thu"], "between": "12:00-14:00"})],
    )
    assert local_starts(problem_of(document), plan_of(document), "e1") == ["2027-01-07 12:00"]


def test_a_stable_weekly_slot_beats_an_earlier_start() -> None:
    # The executive is away on the first Monday: every session moves to Tuesday 09:00,
    # rather than Tuesday once and Monday after.
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(), executive(out_of_office=[{"from": "2027-01-04", "to": "2027-01-04"}])],
    )
    assert local_starts(problem_of(document), plan_of(document), "e1") == [
        "2027-01-05 09:00",
        "2027-01-12 09:00",
        "2027-01-19 09:00",
    ]


def test_earliest_start_when_nothing_else_matters() -> None:
    document = scenario()
    assert local_starts(problem_of(document), plan_of(document), "e1") == ["2027-01-04 09:00"]


def test_a_mentors_sessions_spread_over_the_week() -> None:
    document = scenario(
        people=[mentor(), executive("e1"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    days = {start[:10] for start in local_starts(problem_of(document), plan_of(document), "m1")}
    assert len(days) == 2


def test_soft_penalties_are_reported_by_goal() -> None:
    plan = plan_of(scenario(pairs=[pair(preferred={"weekdays": ["sat"]})]))
    assert plan.solver.soft_penalty_by_goal["preferred_time"] == 1000  # no Saturday to be had
    assert plan.solver.soft_penalty == sum(plan.solver.soft_penalty_by_goal.values())
