"""Every unplaced session says why, with the week and the people."""

from scheduler.domain import Unplaced
from tests.builders import executive, mentor, pair, plan_of, scenario


def only_reason(document: dict) -> Unplaced:  # type: ignore[type-arg]
    (unplaced,) = plan_of(document).unplaced
    return unplaced


def test_out_of_office_names_the_days() -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(),
                executive(
                    working_hours={"mon-wed": ["09:00-18:00"]},
                    out_of_office=[{"from": "2027-01-04", "to": "2027-01-06"}],
                ),
            ],
        )
    )
    assert reason.reason == (
        "week of 2027-01-04: no working day in common: the executive e1 is out of office "
        "Mon to Wed (2027-01-04 to 2027-01-06)"
    )
    assert reason.people == ("m1", "e1")


def test_holiday_is_named() -> None:
    reason = only_reason(
        scenario(
            holidays=[{"date": "2027-01-04", "name": "Founders' Day"}],
            people=[mentor(working_hours={"mon": ["09:00-18:00"]}), executive()],
        )
    )
    assert reason.code == "days_off"
    assert "Mon 2027-01-04 is a holiday (Founders' Day) for the mentor m1" in reason.reason


def test_mentor_in_training() -> None:
    reason = only_reason(scenario(people=[mentor(available_from="2027-01-11"), executive()]))
    assert (
        reason.reason
        == "week of 2027-01-04: mentor m1 is not yet available (training until 2027-01-11)"
    )


def test_busy_calendars_give_each_persons_busy_share() -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(
                    working_hours={"mon": ["09:00-11:00"]},
                    busy=[{"start": "2027-01-04T09:00", "end": "2027-01-04T10:00"}],
                ),
                executive(
                    working_hours={"mon": ["09:00-11:00"]},
                    busy=[{"start": "2027-01-04T10:00", "end": "2027-01-04T11:00"}],
                ),
            ]
        )
    )
    assert reason.code == "no_common_free_time"
    assert "executive e1 50%, mentor m1 50%" in reason.reason


def test_slots_taken_by_other_pairs_name_them() -> None:
    plan = plan_of(
        scenario(
            people=[
                mentor(working_hours={"mon": ["09:00-09:45"]}),
                executive("e1"),
                executive("e2"),
            ],
            pairs=[pair("p1", "m1", "e1", priority="high"), pair("p2", "m1", "e2")],
        )
    )
    (unplaced,) = plan.unplaced
    assert unplaced.reason == (
        "week of 2027-01-04: the only 1 free start(s) of both people are taken by the sessions "
        "of p1 (m1)"
    )
    assert unplaced.blocking_pairs == ("p1",)


def test_a_biweekly_pair_names_its_period() -> None:
    reason = only_reason(
        scenario(
            horizon={"start": "2027-01-04", "weeks": 2},
            people=[mentor(available_from="2027-02-01"), executive()],
            pairs=[pair(cadence="biweekly")],
        )
    )
    assert reason.reason.startswith(
        "period 2027-01-04 to 2027-01-17: mentor m1 is not yet available"
    )


def test_working_hours_that_never_meet_name_both_zones() -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(timezone="Asia/Singapore", working_hours={"mon-fri": ["09:00-12:00"]}),
                executive(timezone="America/New_York", working_hours={"mon-fri": ["09:00-12:00"]}),
            ]
        )
    )
    assert reason.code == "no_common_working_hours"
    assert reason.reason == (
        "week of 2027-01-04: the working hours of mentor m1 (Asia/Singapore) and executive e1 "
        "(America/New_York) never overlap for 45 minutes"
    )


def test_busy_time_names_the_buffer_and_the_days_off_too() -> None:
    reason = only_reason(
        scenario(
            rules={"buffer_minutes": 15},
            holidays=[{"date": "2027-01-05", "name": "Founders' Day"}],
            people=[
                mentor(working_hours={"mon-tue": ["09:00-11:00"]}),
                executive(
                    working_hours={"mon-tue": ["09:00-11:00"]},
                    busy=[{"start": "2027-01-04T09:30", "end": "2027-01-04T10:30"}],
                ),
            ],
        )
    )
    assert reason.reason == (
        "week of 2027-01-04: no common free time inside both working hours (busy share of "
        "working time: executive e1 50%, mentor m1 0%, with 15-minute buffers); also Tue "
        "2027-01-05 is a holiday (Founders' Day) for the executive e1; Tue 2027-01-05 is a "
        "holiday (Founders' Day) for the mentor m1; moving the executive e1's busy time Mon "
        "2027-01-04 09:30-10:30 (local time) would give 6 possible starts"
    )


def test_a_period_outside_the_horizon_says_so() -> None:
    reason = only_reason(scenario(pairs=[pair(sessions=2)]))
    assert reason.code == "outside_horizon"
    assert reason.reason == (
        "period 1 (2027-01-11 to 2027-01-17) lies outside the horizon (2027-01-04 to 2027-01-10)"
    )


def test_a_period_ending_inside_the_notice_window_says_until_when() -> None:
    reason = only_reason(scenario(now="2027-01-09T12:00:00"))
    assert reason.code == "inside_notice_window"
    assert reason.reason == (
        "week of 2027-01-04: the period ends inside the notice window (nothing new before "
        "2027-01-11 11:00 UTC)"
    )


def test_a_declined_session_whose_only_free_start_was_its_own() -> None:
    reason = only_reason(
        scenario(
            now="2027-01-01T09:00:00",
            people=[mentor(working_hours={"mon": ["09:00-09:45"]}), executive()],
            current=[
                {"pair": "p1", "index": 0, "start": "2027-01-04T09:00:00", "status": "declined"}
            ],
        )
    )
    assert reason.code == "only_start_left"
    assert reason.reason == (
        "week of 2027-01-04: the only start both people have free is the one the session was "
        "declined at (2027-01-04 08:00 UTC)"
    )


def test_a_period_cut_by_the_horizon_says_how_much_of_it_is_inside() -> None:
    reason = only_reason(
        scenario(
            people=[mentor(available_from="2027-01-11"), executive()],
            pairs=[pair(cadence="monthly", start="2027-01-04")],
        )
    )
    assert reason.reason.startswith(
        "period 2027-01-04 to 2027-01-31 (only 5 working days of this month are inside the "
        "horizon, which ends on 2027-01-10): mentor m1 is not yet available"
    )


def test_the_busy_share_counts_minutes_not_grid_cells() -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(
                    working_hours={"mon": ["09:00-11:00"]},
                    busy=[{"start": "2027-01-04T09:00", "end": "2027-01-04T11:00"}],
                ),
                executive(
                    working_hours={"mon": ["09:00-11:00"]},
                    busy=[{"start": "2027-01-04T09:00", "end": "2027-01-04T09:05"}],
                ),
            ]
        )
    )
    # 5 of 120 minutes; the 15-minute cell it touches would make it 13%.
    assert "executive e1 4%, mentor m1 100%" in reason.reason


def test_shorter_sessions_are_suggested_when_the_candidates_find_a_start() -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(working_hours={"mon": ["09:00-10:00"]}),
                executive(
                    working_hours={"mon": ["09:00-10:00"]},
                    busy=[{"start": "2027-01-04T09:35", "end": "2027-01-04T10:00"}],
                ),
            ]
        )
    )
    assert reason.reason.endswith("; allowing 30 minutes instead of 45 would give 1 possible start")


def test_a_weekly_meeting_of_the_executive_is_named_by_its_time() -> None:
    weekly = [
        {"start": f"2027-01-{day}T09:00", "end": f"2027-01-{day}T10:00"} for day in ("04", "11")
    ]
    plan = plan_of(
        scenario(
            horizon={"start": "2027-01-04", "weeks": 2},
            people=[
                mentor(working_hours={"mon": ["09:00-10:00"]}),
                executive(working_hours={"mon": ["09:00-10:00"]}, busy=weekly),
            ],
        )
    )
    assert plan.unplaced[0].reason.endswith(
        "; moving the executive e1's busy time Mon 2027-01-04 09:00-10:00 (local time), which "
        "recurs weekly, would give 2 possible starts"
    )


def test_another_mentor_is_suggested_when_no_smaller_change_places_the_session() -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(out_of_office=[{"from": "2027-01-04", "to": "2027-01-08"}]),
                mentor("m2", working_hours={"mon-tue": ["09:00-09:45"]}),
                executive(),
            ],
            # Other mentors are looked for among the people planned together with the pair.
            pairs=[pair(), pair("p2", "m2", "e1")],
        )
    )
    assert reason.reason.endswith("; another mentor, m2, would have 2 possible starts with e1")


def test_no_suggestion_when_no_change_gives_a_start() -> None:
    reason = only_reason(
        scenario(
            people=[mentor(out_of_office=[{"from": "2027-01-04", "to": "2027-01-08"}]), executive()]
        )
    )
    assert reason.reason.endswith("Mon to Fri (2027-01-04 to 2027-01-08)")
