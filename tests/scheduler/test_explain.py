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
