"""Every error a scenario can have is reported, all at once, with its path."""

from typing import Any

import pytest

from scheduler.errors import ScenarioError
from scheduler.scenario_checks import validate_scenario
from tests.builders import executive, mentor, pair, scenario


def errors_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        validate_scenario(document)
    return [str(error) for error in raised.value.errors]


def test_a_valid_scenario_applies_defaults() -> None:
    valid = validate_scenario(scenario())
    assert valid.grid_minutes == 15
    assert valid.rules.duration_minutes == 45
    assert valid.rules.min_notice_hours == 48
    assert valid.people[0].working_hours == {"mon-fri": ["09:00-18:00"]}


def test_unknown_person_names_the_pair_field() -> None:
    document = scenario(pairs=[pair(), pair("p2", "m7", "e1")])
    assert errors_of(document) == ["pairs[1].mentor: unknown person 'm7'"]


def test_duplicate_ids() -> None:
    people = [mentor(), executive(), mentor("m1"), executive("e2")]
    document = scenario(people=people, pairs=[pair(), pair("p1", "m1", "e2")])
    assert errors_of(document) == [
        "people[2].id: duplicate id 'm1' (first at people[0])",
        "pairs[1].id: duplicate id 'p1' (first at pairs[0])",
    ]


def test_two_pairs_of_one_mentor_and_mentee_are_an_error() -> None:
    """They would silently double the sessions: a pair meets more often by its cadence."""
    document = scenario(people=[mentor(), executive()], pairs=[pair(), pair("p2")])
    assert errors_of(document) == [
        "pairs[1]: the same mentor and mentee as pairs[0] ('p1'): one pair per mentor and "
        "mentee (set its cadence or sessions to meet more often)"
    ]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"now": "9999-12-31T23:59:59Z"}, "now: times must lie between the years 1971 and 2999"),
        ({"rules": {"min_notice_hours": 1e12}}, "rules.min_notice_hours: Input should be less"),
        ({"rules": {"max_sessions_per_week": 10**30}}, "rules.max_sessions_per_week: Input"),
        (
            {"current": [{"pair": "p1", "index": 0, "start": "0001-01-01T00:00:00+14:00"}]},
            "current[0].start: times must lie between the years 1971 and 2999",
        ),
    ],
)
def test_values_whose_arithmetic_would_overflow_are_refused(
    change: dict[str, Any], error: str
) -> None:
    errors = errors_of({**scenario(), **change})
    assert len(errors) == 1 and errors[0].startswith(error), errors


def test_swapped_roles_are_named() -> None:
    document = scenario(pairs=[pair("p1", "e1", "m1")])
    errors = errors_of(document)
    assert (
        "pairs[0].mentor: 'e1' is an executive, not a mentor (mentor and mentee swapped?)" in errors
    )
    assert (
        "pairs[0].mentee: 'm1' is a mentor, not an executive (mentor and mentee swapped?)" in errors
    )


def test_unknown_time_zone() -> None:
    document = scenario(people=[mentor(timezone="Europe/Pariss"), executive()])
    assert errors_of(document) == [
        "people[0].timezone: unknown time zone 'Europe/Pariss' (use an IANA name such as "
        "Europe/Paris, or a zone rule such as <+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3)"
    ]


def test_reversed_and_doubled_working_hours() -> None:
    document = scenario(
        people=[
            mentor(working_hours={"mon": ["18:00-09:00"]}),
            executive(working_hours={"mon-fri": ["09:00-17:00"], "tue": ["10:00-11:00"]}),
        ]
    )
    errors = errors_of(document)
    assert any(
        e.startswith("people[0].working_hours: range '18:00-09:00' ends before") for e in errors
    )
    assert any(e.startswith("people[1].working_hours: tue is named twice") for e in errors)


def test_a_day_named_twice_through_a_wrapped_range_names_the_field() -> None:
    hours = {"sun-thu": ["08:00-17:00"], "thu-fri": ["08:00-12:00"]}
    document = scenario(people=[mentor(), executive(working_hours=hours)])
    assert errors_of(document) == [
        "people[1].working_hours: thu is named twice (in 'thu-fri' and before)"
    ]
    wrapped = {"sun-thu": ["08:00-17:00"], "fri": ["08:00-12:00"]}
    validate_scenario(scenario(people=[mentor(), executive(working_hours=wrapped)]))


def test_duration_off_the_grid() -> None:
    document = scenario(
        grid_minutes=30, rules={"duration_minutes": 45}, pairs=[pair(duration_minutes=45)]
    )
    errors = errors_of(document)
    assert "pairs[0].duration_minutes: 45 is not a multiple of grid_minutes (30)" in errors
    assert "rules.duration_minutes: 45 is not a multiple of grid_minutes (30)" in errors


def test_unknown_keys_are_errors_with_their_path() -> None:
    document = scenario(rules={"duration_minute": 30}, pairs=[pair(cadense="weekly")])
    assert errors_of(document) == [
        "rules.duration_minute: unknown key (not in the scenario format)",
        "pairs[0].cadense: unknown key (not in the scenario format)",
    ]


def test_every_error_at_once_even_with_a_malformed_field() -> None:
    document = scenario(
        grid_minutes=7,
        people=[mentor(timezone="Mars/Base"), executive(available_from="2027-01-10")],
        pairs=[pair("p1", "m1", "e9")],
    )
    errors = errors_of(document)
    assert len(errors) == 4
    assert any(e.startswith("grid_minutes:") for e in errors)
    assert any(e.startswith("people[0].timezone:") for e in errors)
    assert (
        "people[1].available_from: only mentors have an available_from date (training); "
        "remove it here" in errors
    )
    assert "pairs[0].mentee: unknown person 'e9'" in errors


def test_horizon_must_be_known_and_consistent() -> None:
    assert errors_of(scenario(horizon={"start": "2027-01-04"})) == [
        "horizon: give horizon.weeks or horizon.end"
    ]
    assert errors_of(
        scenario(horizon={"start": "2027-01-04", "weeks": 2, "end": "2027-01-25"})
    ) == ["horizon: horizon.weeks (2) and horizon.end (2027-01-25) disagree"]
    assert errors_of(scenario(horizon={"start": "2027-01-04", "weeks": 105})) == [
        "horizon.weeks: Input should be less than or equal to 104"
    ]


def test_required_fields_and_wrong_types() -> None:
    document = scenario()
    del document["version"]
    document["people"][0]["role"] = "boss"
    document["pairs"][0]["priority"] = "urgent"
    errors = errors_of(document)
    assert "version: required" in errors
    assert any(
        e.startswith("people[0].role: Input should be 'executive', 'mentor' or 'coach'")
        for e in errors
    )
    assert any(
        e.startswith("pairs[0].priority: Input should be 'high', 'normal' or 'low'") for e in errors
    )


def test_graph_calendars_need_an_email() -> None:
    document = scenario(people=[mentor(calendar={"graph": True}), executive()])
    assert errors_of(document) == [
        "people[0].email: required: the calendar is read through Microsoft Graph"
    ]


def test_busy_times_and_out_of_office_must_be_ordered() -> None:
    document = scenario(
        people=[
            mentor(busy=[{"start": "2027-01-04T10:00", "end": "2027-01-04T09:00"}]),
            executive(out_of_office=[{"from": "2027-01-08", "to": "2027-01-05"}]),
        ]
    )
    assert errors_of(document) == [
        "people[0].busy[0]: end must be after start",
        "people[1].out_of_office[0]: 'to' is before 'from'",
    ]


def test_a_calendar_has_exactly_one_source() -> None:
    document = scenario(people=[mentor(calendar={}), executive()])
    assert errors_of(document) == ["people[0].calendar: give exactly one of ics, graph or generate"]


def test_current_sessions_name_known_pairs() -> None:
    document = scenario(current=[{"pair": "p9", "index": 0, "start": "2027-01-05T10:00:00Z"}])
    assert "current[0].pair: unknown pair 'p9'" in errors_of(document)


def test_a_document_that_is_not_a_mapping() -> None:
    assert errors_of(["version", 1]) == ["(document): a scenario is a mapping of keys"]  # type: ignore[arg-type]


def test_odd_values_get_field_errors_not_crashes() -> None:
    document = scenario(
        timezone="Europe",
        people=[mentor(out_of_office=[{"from": "2027-01-01", "to": "9999-12-31"}]), executive()],
        pairs=[pair(duration_minutes=50.0, start="0001-01-01")],
    )
    errors = errors_of(document)
    assert any(e.startswith("timezone: unknown time zone 'Europe'") for e in errors)
    assert any(
        e.startswith("people[0].out_of_office[0].to: Input should be less than") for e in errors
    )
    assert any(e.startswith("pairs[0].start: Input should be greater than") for e in errors)
    assert "pairs[0].duration_minutes: 50.0 is not a multiple of grid_minutes (15)" in errors


def test_the_default_duration_is_checked_only_where_it_is_used() -> None:
    own_durations = scenario(grid_minutes=30, pairs=[pair(duration_minutes=60)])
    assert validate_scenario(own_durations).grid_minutes == 30
    default_used = scenario(grid_minutes=30)
    assert errors_of(default_used) == [
        "pairs[0].duration_minutes: the default duration (45) is not a multiple of "
        "grid_minutes (30); set duration_minutes here or in rules"
    ]


def test_variations_are_checked_and_errors_name_the_variation_and_path() -> None:
    document = scenario(
        variations=[
            {"name": "longer", "set": {"pairs.p1.duration_minutes": 60}},
            {"name": "typo", "set": {"pairs.p9.duration_minutes": 60}},
            {"name": "bad value", "set": {"people.m1.timezone": "Mars/Base"}},
        ]
    )
    errors = errors_of(document)
    assert errors[0].startswith(
        "variations[1].set['pairs.p9.duration_minutes']: variation 'typo': "
        "no item with id 'p9' here (known: p1)"
    )
    assert errors[1].startswith("variations[2] 'bad value': people[0].timezone: unknown time zone")
    assert len(errors) == 2


@pytest.mark.parametrize("version", [True, 1.0, "1"])
def test_the_version_is_the_number_itself(version: Any) -> None:
    """Before: `true` and `1.0` passed, as they equal 1."""
    assert errors_of({**scenario(), "version": version}) == ["version: the version is the number 1"]


def reporting_errors(people: list[dict[str, Any]], managers: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        validate_scenario(scenario(people, [], managers=managers))
    return [str(error) for error in raised.value.errors]


def test_reporting_lines_name_each_loop_member_unknown_bosses_and_shared_ids() -> None:
    people = [executive("e1", reports_to="a"), mentor("m1", reports_to="nobody")]
    managers = [
        {"id": "a", "reports_to": "b"},  # leads into the loop, is not on it
        {"id": "b", "reports_to": "c"},
        {"id": "c", "reports_to": "b"},
        {"id": "e1"},
    ]
    assert reporting_errors(people, managers) == [
        "managers[3].id: 'e1' is already people[0]",
        "people[1].reports_to: unknown person 'nobody' (add them to people, or to managers "
        "if they take part in no session)",
        "managers[1].reports_to: the reporting line of 'b' comes back to them",
        "managers[2].reports_to: the reporting line of 'c' comes back to them",
    ]


def test_a_reporting_line_of_many_thousand_managers_is_walked_once() -> None:
    # Each manager's line walked on its own would take 20,000 x 20,000 / 2 steps.
    managers = [{"id": f"l{n}", "reports_to": f"l{n + 1}"} for n in range(20_000)]
    managers.append({"id": "l20000", "reports_to": "l19990"})  # the top ten loop
    errors = reporting_errors([executive("e1", reports_to="l0")], managers)
    assert errors == [
        f"managers[{n}].reports_to: the reporting line of 'l{n}' comes back to them"
        for n in range(19_990, 20_001)
    ]
