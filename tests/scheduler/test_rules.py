"""One hard rule at a time, on the smallest instance that makes it bite.

Each test plans for real (CP-SAT), runs the independent validator on the plan (inside
`plan_of`), and checks where the session went or why it could not be placed.
"""

from typing import Any

from tests.builders import executive, local_starts, mentor, pair, plan_of, problem_of, scenario

MONDAY_9_TO_10 = {"mon": ["09:00-10:00"]}


def one_pair(
    mentor_fields: dict[str, Any] | None = None,
    executive_fields: dict[str, Any] | None = None,
    pair_fields: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return scenario(
        people=[mentor(**(mentor_fields or {})), executive(**(executive_fields or {}))],
        pairs=[pair(**(pair_fields or {}))],
        **fields,
    )


def starts(document: dict[str, Any], person: str = "e1", **params: Any) -> list[str]:
    problem = problem_of(document)
    return local_starts(problem, plan_of(document, **params), person)


def unplaced_codes(document: dict[str, Any]) -> list[str]:
    return [u.code for u in plan_of(document).unplaced]


def test_working_hours_of_both_people_hold() -> None:
    document = one_pair(
        {"working_hours": {"mon": ["09:00-10:00"]}}, {"working_hours": {"mon": ["09:30-11:00"]}}
    )
    assert starts(document) == []
    assert unplaced_codes(document) == ["no_common_working_hours"]
    document = one_pair(
        {"working_hours": {"mon": ["09:00-10:00"]}}, {"working_hours": {"mon": ["09:15-11:00"]}}
    )
    assert starts(document) == ["2027-01-04 09:15"]


def test_busy_time_blocks() -> None:
    blocked = one_pair(
        {"working_hours": MONDAY_9_TO_10},
        {
            "working_hours": MONDAY_9_TO_10,
            "busy": [{"start": "2027-01-04T09:00", "end": "2027-01-04T09:30"}],
        },
    )
    assert starts(blocked) == []
    assert unplaced_codes(blocked) == ["no_common_free_time"]
    room = one_pair(
        {"working_hours": MONDAY_9_TO_10},
        {
            "working_hours": MONDAY_9_TO_10,
            "busy": [{"start": "2027-01-04T09:45", "end": "2027-01-04T10:00"}],
        },
    )
    assert starts(room) == ["2027-01-04 09:00"]


def test_busy_statuses_free_and_working_elsewhere_do_not_block_but_oof_does() -> None:
    def with_status(status: str) -> list[str]:
        busy = [{"start": "2027-01-04T09:00", "end": "2027-01-04T10:00", "status": status}]
        return starts(
            one_pair(
                {"working_hours": MONDAY_9_TO_10}, {"working_hours": MONDAY_9_TO_10, "busy": busy}
            )
        )

    assert with_status("free") == ["2027-01-04 09:00"]
    assert with_status("workingElsewhere") == ["2027-01-04 09:00"]
    assert with_status("oof") == []
    assert with_status("busy") == []


def test_tentative_time_follows_the_rule() -> None:
    def with_rule(rule: str) -> list[str]:
        busy = [{"start": "2027-01-04T09:00", "end": "2027-01-04T10:00", "status": "tentative"}]
        return starts(
            one_pair(
                {"working_hours": MONDAY_9_TO_10},
                {"working_hours": MONDAY_9_TO_10, "busy": busy},
                rules={"tentative": rule},
            )
        )

    assert with_rule("block") == []
    assert with_rule("avoid") == ["2027-01-04 09:00"]
    assert with_rule("allow") == ["2027-01-04 09:00"]


def test_avoid_prefers_time_that_is_not_tentative() -> None:
    busy = [{"start": "2027-01-04T09:00", "end": "2027-01-04T10:00", "status": "tentative"}]
    document = one_pair(
        {"working_hours": {"mon": ["09:00-12:00"]}},
        {"working_hours": {"mon": ["09:00-12:00"]}, "busy": busy},
    )
    (start,) = starts(document)
    assert start >= "2027-01-04 10:00"


def test_buffer_keeps_distance_from_busy_time_and_touching_is_no_overlap() -> None:
    def with_buffer(minutes: int) -> list[str]:
        busy = [{"start": "2027-01-04T10:00", "end": "2027-01-04T11:00"}]
        return starts(
            one_pair(
                {"working_hours": MONDAY_9_TO_10},
                {"working_hours": {"mon": ["09:00-12:00"]}, "busy": busy},
                rules={"buffer_minutes": minutes},
            )
        )

    assert with_buffer(15) == ["2027-01-04 09:00"]  # 09:45 + 15 touches 10:00
    assert with_buffer(20) == []


def test_holidays_apply_to_everyone_or_to_their_regions() -> None:
    def with_holiday(holiday: dict[str, Any], region: str | None = None) -> list[str]:
        executive_fields: dict[str, Any] = {"working_hours": MONDAY_9_TO_10}
        if region:
            executive_fields["region"] = region
        return starts(
            one_pair({"working_hours": MONDAY_9_TO_10}, executive_fields, holidays=[holiday])
        )

    assert with_holiday({"date": "2027-01-04", "name": "Founders' Day"}) == []
    assert with_holiday({"date": "2027-01-04", "regions": ["us"]}, region="fr") == [
        "2027-01-04 09:00"
    ]
    assert with_holiday({"date": "2027-01-04", "regions": ["us"]}) == ["2027-01-04 09:00"]
    assert with_holiday({"date": "2027-01-04", "regions": ["fr"]}, region="fr") == []


def test_out_of_office_days_are_whole_local_days() -> None:
    document = one_pair(
        {"working_hours": {"mon-tue": ["09:00-10:00"]}},
        {
            "working_hours": {"mon-tue": ["09:00-10:00"]},
            "out_of_office": [{"from": "2027-01-04", "to": "2027-01-04"}],
        },
    )
    assert starts(document) == ["2027-01-05 09:00"]
    document["people"][1]["out_of_office"] = [{"from": "2027-01-04", "to": "2027-01-05"}]
    assert starts(document) == []
    assert unplaced_codes(document) == ["days_off"]


def test_mentor_available_from() -> None:
    document = one_pair(
        {"working_hours": {"mon-tue": ["09:00-10:00"]}, "available_from": "2027-01-05"},
        {"working_hours": {"mon-tue": ["09:00-10:00"]}},
    )
    assert starts(document) == ["2027-01-05 09:00"]
    document["people"][0]["available_from"] = "2027-01-06"
    assert unplaced_codes(document) == ["mentor_not_available"]


def test_no_double_booking_across_pairs_buffers_included() -> None:
    def shared_mentor(buffer: int) -> tuple[list[str], list[str]]:
        document = scenario(
            people=[
                mentor(working_hours={"mon": ["09:00-10:30"]}),
                executive("e1"),
                executive("e2"),
            ],
            pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
            rules={"buffer_minutes": buffer},
        )
        plan = plan_of(document)
        return local_starts(problem_of(document), plan, "m1"), [u.code for u in plan.unplaced]

    assert shared_mentor(0) == (["2027-01-04 09:00", "2027-01-04 09:45"], [])
    assert shared_mentor(15) == (["2027-01-04 09:00"], ["slots_taken"])


def test_daily_cap_per_person() -> None:
    document = scenario(
        people=[
            mentor(working_hours={"mon-tue": ["09:00-12:00"]}, max_sessions_per_day=1),
            executive("e1"),
            executive("e2"),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    assert starts(document, "m1") == ["2027-01-04 09:00", "2027-01-05 09:00"]
    document["people"][0]["working_hours"] = {"mon": ["09:00-12:00"]}
    (unplaced,) = plan_of(document).unplaced
    assert "daily cap of 1 reached for m1 on 2027-01-04" in unplaced.reason


def test_weekly_cap_from_the_rules() -> None:
    document = scenario(
        people=[mentor(), executive("e1"), executive("e2"), executive("e3")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2"), pair("p3", "m1", "e3")],
        rules={"max_sessions_per_week": 2},
    )
    plan = plan_of(document)
    assert len(plan.sessions) == 2
    (unplaced,) = plan.unplaced
    assert "weekly cap of 2 reached for m1 in ISO week 2027-W01" in unplaced.reason


def test_a_pair_cap_holds_beside_the_person_cap() -> None:
    # Periods run Wednesday to Tuesday, so two sessions of a pair can share an ISO week.
    base = scenario(
        horizon={"start": "2027-01-06", "weeks": 2},
        people=[
            mentor(working_hours={"mon": ["09:00-10:00"], "wed": ["09:00-10:00"]}),
            executive(
                working_hours={"mon": ["09:00-10:00"], "wed": ["09:00-10:00"]},
                out_of_office=[
                    {"from": "2027-01-06", "to": "2027-01-06"},
                    {"from": "2027-01-18", "to": "2027-01-18"},
                ],
            ),
        ],
        pairs=[pair(min_gap_days=1)],
    )
    assert starts(base) == ["2027-01-11 09:00", "2027-01-13 09:00"]  # one ISO week
    base["pairs"][0]["max_sessions_per_week"] = 1
    assert len(starts(base)) == 1


def test_min_gap_days_between_neighbouring_sessions() -> None:
    def with_gap(days: int) -> list[str]:
        document = scenario(
            horizon={"start": "2027-01-04", "weeks": 2},
            people=[
                mentor(),
                executive(
                    out_of_office=[
                        {"from": "2027-01-04", "to": "2027-01-07"},
                        {"from": "2027-01-12", "to": "2027-01-15"},
                    ]
                ),
            ],
            pairs=[pair(min_gap_days=days)],
        )
        return starts(document)

    assert [s[:10] for s in with_gap(3)] == ["2027-01-08", "2027-01-11"]
    assert len(with_gap(4)) == 1


def test_sessions_stay_in_their_period_and_the_horizon() -> None:
    document = scenario(horizon={"start": "2027-01-04", "weeks": 2}, pairs=[pair(sessions=3)])
    plan = plan_of(document)
    assert sorted(s.index for s in plan.sessions) == [0, 1]
    assert [(u.index, u.code) for u in plan.unplaced] == [(2, "outside_horizon")]


def test_sessions_start_on_the_grid() -> None:
    document = one_pair(
        {"working_hours": {"mon": ["09:30-11:00"]}},
        {},
        grid_minutes=60,
        rules={"duration_minutes": 60},
    )
    assert starts(document) == ["2027-01-04 10:00"]


def test_high_priority_wins_the_only_slot() -> None:
    document = scenario(
        people=[mentor(working_hours=MONDAY_9_TO_10), executive("e1"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2", priority="high")],
    )
    plan = plan_of(document)
    assert [s.pair for s in plan.sessions] == ["p2"]
    assert [(u.pair, u.code, u.blocking_pairs) for u in plan.unplaced] == [
        ("p1", "slots_taken", ("p2",))
    ]


def test_a_programme_with_nothing_to_place_is_planned_empty() -> None:
    document = scenario(pairs=[pair(start="2027-02-01")])  # starts after the one-week horizon
    plan = plan_of(document)
    assert plan.sessions == () and plan.unplaced == ()
    assert plan.solver.status == "OPTIMAL"


def two_pairs_on_one_monday(**caps: object) -> dict[str, Any]:
    """A mentor free only on Monday morning, with two executives; caps as given."""
    people = [mentor(working_hours={"mon": ["09:00-12:00"]}), executive("e1"), executive("e2")]
    if "person" in caps:
        people[0]["max_sessions_per_day"] = caps["person"]
    pairs = [pair("p1", "m1", "e1"), pair("p2", "m1", "e2")]
    for pair_doc, key in ((pairs[0], "p1"), (pairs[1], "p2")):
        if key in caps:
            pair_doc["max_sessions_per_day"] = caps[key]
    return scenario(people=people, pairs=pairs, rules={"max_sessions_per_day": 1})


def test_a_cap_set_on_pairs_wins_over_the_rules() -> None:
    assert len(plan_of(two_pairs_on_one_monday(p1=2, p2=2)).sessions) == 2


def test_a_pair_left_on_the_rules_cap_still_limits_the_day_it_shares() -> None:
    assert len(plan_of(two_pairs_on_one_monday(p1=2)).sessions) == 1


def test_when_the_person_and_the_pair_both_set_a_cap_both_hold() -> None:
    assert len(plan_of(two_pairs_on_one_monday(p1=2, p2=2, person=1)).sessions) == 1
    assert (
        len(plan_of(two_pairs_on_one_monday(person=2)).sessions) == 2
    )  # the person's replaces the rules'
