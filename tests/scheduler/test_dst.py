"""Daylight saving time: Europe and the US change clocks on different dates."""

from tests.builders import executive, local_starts, mentor, pair, plan_of, problem_of, scenario


def weekly_plan(timezone: str, start: str, weeks: int, working: str = "09:00-09:45") -> list[str]:
    document = scenario(
        timezone=timezone,
        horizon={"start": start, "weeks": weeks},
        people=[
            mentor(working_hours={"mon": [working]}),
            executive(working_hours={"mon": [working]}),
        ],
        pairs=[pair()],
    )
    return local_starts(problem_of(document), plan_of(document), "e1")


def test_a_weekly_slot_keeps_its_local_time_across_the_european_change() -> None:
    # Europe springs forward on 2027-03-28 and falls back on 2027-10-31.
    assert weekly_plan("Europe/Paris", "2027-03-22", 3) == [
        "2027-03-22 09:00",
        "2027-03-29 09:00",
        "2027-04-05 09:00",
    ]
    assert weekly_plan("Europe/Paris", "2027-10-25", 2) == ["2027-10-25 09:00", "2027-11-01 09:00"]


def test_a_weekly_slot_keeps_its_local_time_across_the_us_change() -> None:
    # The US springs forward on 2027-03-14 and falls back on 2027-11-07.
    assert weekly_plan("America/New_York", "2027-03-08", 2) == [
        "2027-03-08 09:00",
        "2027-03-15 09:00",
    ]
    assert weekly_plan("America/New_York", "2027-11-01", 2) == [
        "2027-11-01 09:00",
        "2027-11-08 09:00",
    ]


def test_utc_instants_move_by_the_change_while_local_times_stay() -> None:
    document = scenario(
        timezone="Europe/Paris",
        horizon={"start": "2027-03-22", "weeks": 2},
        people=[
            mentor(working_hours={"mon": ["09:00-09:45"]}),
            executive(working_hours={"mon": ["09:00-09:45"]}),
        ],
    )
    plan = plan_of(document)
    assert [s.start.strftime("%H:%M") for s in plan.sessions] == ["08:00", "07:00"]


def cross_atlantic(start: str, weeks: int) -> tuple[list[str], list[str]]:
    """A New York mentor (09:00-17:00) and a Paris executive free only 14:00-15:00.

    Paris 14:00 is New York 08:00, except in the weeks when only the US has changed clocks,
    when it is 09:00: only then does the pair have a common hour.
    """
    document = scenario(
        timezone="Europe/Paris",
        horizon={"start": start, "weeks": weeks},
        people=[
            mentor(timezone="America/New_York", working_hours={"mon-fri": ["09:00-17:00"]}),
            executive(working_hours={"mon-fri": ["14:00-15:00"]}),
        ],
    )
    problem = problem_of(document)
    plan = plan_of(document)
    return local_starts(problem, plan, "e1"), local_starts(problem, plan, "m1")


def test_spring_weeks_when_only_the_us_has_changed() -> None:
    paris, new_york = cross_atlantic("2027-03-08", 4)
    assert paris == ["2027-03-15 14:00", "2027-03-22 14:00"]
    assert new_york == ["2027-03-15 09:00", "2027-03-22 09:00"]


def test_autumn_week_when_only_europe_has_changed_back() -> None:
    paris, new_york = cross_atlantic("2027-10-25", 3)
    assert paris == ["2027-11-01 14:00"]
    assert new_york == ["2027-11-01 09:00"]


def test_the_weeks_without_a_common_hour_say_so() -> None:
    document = scenario(
        timezone="Europe/Paris",
        horizon={"start": "2027-03-08", "weeks": 1},
        people=[
            mentor(timezone="America/New_York", working_hours={"mon-fri": ["09:00-17:00"]}),
            executive(working_hours={"mon-fri": ["14:00-15:00"]}),
        ],
    )
    (unplaced,) = plan_of(document).unplaced
    assert unplaced.code == "no_common_working_hours"
    assert "America/New_York" in unplaced.reason and "Europe/Paris" in unplaced.reason


def test_working_hours_over_the_missing_hour_are_shorter() -> None:
    # On 2027-03-28 in Paris, 01:00-04:00 lasts two real hours: room for 2 one-hour sessions.
    document = scenario(
        timezone="Europe/Paris",
        horizon={"start": "2027-03-28", "weeks": 1},
        rules={"duration_minutes": 60, "max_sessions_per_day": 5},
        people=[
            mentor(working_hours={"sun": ["01:00-04:00"]}),
            executive("e1", working_hours={"sun": ["01:00-04:00"]}),
            executive("e2", working_hours={"sun": ["01:00-04:00"]}),
            executive("e3", working_hours={"sun": ["01:00-04:00"]}),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2"), pair("p3", "m1", "e3")],
    )
    plan = plan_of(document)
    assert len(plan.sessions) == 2
    assert sorted(local_starts(problem_of(document), plan, "m1")) == [
        "2027-03-28 01:00",
        "2027-03-28 03:00",
    ]


def test_a_busy_block_written_inside_the_missing_hour_cancels_no_other_busy_time() -> None:
    # 02:30-03:10 does not exist as written on 2027-03-28 in Paris; it must not erase the
    # real meeting 03:00-06:00 that follows it.
    document = scenario(
        timezone="Europe/Paris",
        horizon={"start": "2027-03-28", "weeks": 1},
        people=[
            mentor(working_hours={"sun": ["01:00-08:00"]}),
            executive(
                working_hours={"sun": ["01:00-08:00"]},
                busy=[
                    {"start": "2027-03-28T02:30", "end": "2027-03-28T03:10"},
                    {"start": "2027-03-28T03:00", "end": "2027-03-28T06:00"},
                    {"start": "2027-03-28T06:45", "end": "2027-03-28T08:00"},
                ],
            ),
        ],
    )
    assert local_starts(problem_of(document), plan_of(document), "e1") == ["2027-03-28 01:00"]


def test_a_stable_slot_keeps_local_time_across_the_change_and_a_replan_keeps_it() -> None:
    from scheduler.plan_format import instant_text

    for timezone, start in (("Europe/Paris", "2027-03-22"), ("America/New_York", "2027-03-08")):
        document = scenario(
            timezone=timezone,
            horizon={"start": start, "weeks": 3},
            people=[
                mentor(),
                executive(busy=[{"start": f"{start}T09:00", "end": f"{start}T12:00"}]),
            ],
        )
        problem = problem_of(document)
        plan = plan_of(document)
        local = local_starts(problem, plan, "e1")
        assert len({moment[11:] for moment in local}) == 1, local  # one local time every week
        assert len({s.start.strftime("%H:%M") for s in plan.sessions}) == 2  # two UTC times
        current = [
            {"pair": s.pair, "index": s.index, "start": instant_text(s.start)}
            for s in plan.sessions
        ]
        again = plan_of({**document, "now": "2027-03-01T00:00:00", "current": current})
        assert not any(s.moved for s in again.sessions)


def sunday_to_thursday_programme() -> dict[str, object]:
    """Four weeks from Sunday 14 March 2027 in Israel, where the week runs Sunday to
    Thursday and clocks go forward on Friday 26 March (Europe follows on the 28th).

    e1 (Jerusalem) is busy Monday to Thursday every week, so Sunday is their only day;
    their mentor works the same week in Riyadh, which keeps UTC+3 all year. e2
    (Jerusalem) meets a mentor in London, whose week is Monday to Friday."""
    busy_weekdays = [f"2027-{start}T00:00/2027-{end}T00:00" for start, end in WEEKS_MON_TO_FRI]
    return scenario(
        timezone="Asia/Jerusalem",
        horizon={"start": "2027-03-14", "weeks": 4},
        people=[
            mentor("m1", timezone="Asia/Riyadh", working_hours={"sun-thu": ["09:00-17:00"]}),
            executive("e1", working_hours={"sun-thu": ["09:00-17:00"]}, busy=busy_weekdays),
            mentor("m2", timezone="Europe/London", working_hours={"mon-fri": ["09:00-17:00"]}),
            executive("e2", working_hours={"Sun-Thu": ["09:00-17:00"]}),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )


WEEKS_MON_TO_FRI = [("03-15", "03-19"), ("03-22", "03-26"), ("03-29", "04-02"), ("04-05", "04-09")]


def test_a_sunday_to_thursday_week_is_planned_on_its_own_days_across_the_changes() -> None:
    document = sunday_to_thursday_programme()
    problem = problem_of(document)
    plan = plan_of(document)  # the validator checks every session against working hours
    assert local_starts(problem, plan, "e1") == [
        "2027-03-14 09:00",
        "2027-03-21 09:00",
        "2027-03-28 09:00",
        "2027-04-04 09:00",
    ]
    # The local time stays while the instant moves with the Israeli change.
    p1 = sorted(s.start for s in plan.sessions if s.pair == "p1")
    assert [s.strftime("%H:%M") for s in p1] == ["07:00", "07:00", "06:00", "06:00"]
    jerusalem = problem.people["e1"].tz
    weekdays = {s.start.astimezone(jerusalem).strftime("%a") for s in plan.sessions}
    assert weekdays <= {"Sun", "Mon", "Tue", "Wed", "Thu"}
    assert len([s for s in plan.sessions if s.pair == "p2"]) == 4
