"""Every unplaced session says why, with the week and the people."""

import pytest

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
    assert reason.suggestion is None  # no change tried gives it another start


def test_a_declined_session_is_offered_another_mentor_never_its_declined_time() -> None:
    reason = only_reason(
        scenario(
            now="2027-01-01T09:00:00",
            people=[
                mentor(working_hours={"mon": ["09:00-09:45"]}),
                mentor("m2", working_hours={"mon-tue": ["09:00-09:45"]}),
                executive(),
            ],
            current=[
                {"pair": "p1", "index": 0, "start": "2027-01-04T09:00:00", "status": "declined"}
            ],
        )
    )
    assert reason.code == "only_start_left"
    # m2 has Monday 09:00 too, but that is the declined time (and day): Tuesday only.
    assert reason.suggestion == "another mentor, m2, would have 1 possible start with e1"


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


@pytest.mark.parametrize(
    ("m2_days", "expected"),
    [
        # m2 is planned apart from p1 (they share nobody); its session with e2 takes one
        # of its two possible starts, so one is left for e1.
        ("mon-tue", "another mentor, m2, would have 1 possible start with e1"),
        # m2's calendar alone would give e1 a start, but the plan gave it to p2.
        ("mon", None),
    ],
)
def test_another_mentor_of_the_programme_is_suggested_beside_that_mentors_sessions(
    m2_days: str, expected: str | None
) -> None:
    reason = only_reason(
        scenario(
            people=[
                mentor(out_of_office=[{"from": "2027-01-04", "to": "2027-01-08"}]),
                mentor("m2", working_hours={m2_days: ["09:00-09:45"]}),
                executive(),
                executive("e2"),
            ],
            pairs=[pair(), pair("p2", "m2", "e2")],
        )
    )
    assert reason.suggestion == expected
    if expected is not None:
        assert reason.reason.endswith(f"; {expected}")


def test_slots_taken_by_another_pair_get_a_checked_suggestion() -> None:
    plan = plan_of(
        scenario(
            people=[
                mentor(working_hours={"mon": ["09:00-09:45"]}),
                mentor("m2", working_hours={"mon-tue": ["14:00-15:00"]}),
                executive("e1"),
                executive("e2"),
            ],
            pairs=[pair("p1", "m1", "e1", priority="high"), pair("p2", "m1", "e2")],
        )
    )
    (unplaced,) = plan.unplaced
    assert (unplaced.pair, unplaced.code) == ("p2", "slots_taken")
    # m2 has two 45-minute starts on each of two days, and no session yet.
    assert unplaced.suggestion == "another mentor, m2, would have 4 possible starts with e2"


def test_a_cap_that_took_the_starts_is_named_with_the_cap_that_would_place_it() -> None:
    plan = plan_of(
        scenario(
            rules={"max_sessions_per_day": 1},
            people=[
                mentor(working_hours={"mon": ["09:00-12:00"]}),
                executive("e1"),
                executive("e2"),
            ],
            pairs=[pair("p1", "m1", "e1", priority="high"), pair("p2", "m1", "e2")],
        )
    )
    (unplaced,) = plan.unplaced
    assert unplaced.code == "slots_taken_or_capped"  # p1's own time is taken, the rest capped
    # Starts every quarter hour from 09:00 to 11:15 (Paris, UTC+1), but those overlapping
    # p1's session: a higher cap frees only the starts the cap alone took.
    (taken,) = (s.start.hour * 60 + s.start.minute + 60 for s in plan.sessions)
    free = sum(1 for start in range(9 * 60, 11 * 60 + 30, 15) if abs(start - taken) >= 45)
    assert free >= 5
    assert unplaced.suggestion == (
        f"one more session a day for m1 (a daily cap of 2) would give {free} possible starts"
    )


def test_no_suggestion_when_no_change_gives_a_start() -> None:
    reason = only_reason(
        scenario(
            people=[mentor(out_of_office=[{"from": "2027-01-04", "to": "2027-01-08"}]), executive()]
        )
    )
    assert reason.reason.endswith("Mon to Fri (2027-01-04 to 2027-01-08)")


def test_the_cap_named_is_the_one_that_binds_even_when_another_pair_sets_it() -> None:
    plan = plan_of(
        scenario(
            rules={"max_sessions_per_day": 3},
            people=[
                mentor(working_hours={"mon": ["09:00-12:00"]}),
                executive("e1"),
                executive("e2"),
            ],
            pairs=[
                pair("p1", "m1", "e1", priority="high", max_sessions_per_day=1),
                pair("p2", "m1", "e2"),
            ],
        )
    )
    (unplaced,) = plan.unplaced
    # p2's own cap is 3, but p1's session there allows m1 one session that day.
    assert unplaced.suggestion is not None
    assert unplaced.suggestion.startswith("one more session a day for m1 (a daily cap of 2)")
