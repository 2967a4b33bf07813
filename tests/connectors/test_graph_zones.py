"""Graph's statuses and time zones as real answers write them, read by the real client
(real msal, real HTTPS) from the local stand-in: capitalised statuses, custom Outlook
zones with daylight time (a southern one and Microsoft's own Pacific sample), and zones
Tandem cannot read."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connectors.graph.custom_zones import UnknownZoneError, custom_zone
from connectors.graph.meetings import event_times
from connectors.graph.statuses import attendee_response
from connectors.graph.zone_agreement import first_disagreement
from connectors.graph.zones import graph_working_hours
from connectors.scenarios import load_problem
from connectors.snapshot import snapshot
from scheduler.errors import ScenarioError
from scheduler.solve import solve
from scheduler.zone_text import zone_named
from tests.connectors.test_graph import client_for
from tests.graph_standin import Meeting, StandIn, running

Served = tuple[StandIn, dict[str, str]]
SOUTH, NORTH = "south@contoso.example", "north@contoso.example"
ADELAIDE, LOS_ANGELES = ZoneInfo("Australia/Adelaide"), ZoneInfo("America/Los_Angeles")
CUSTOM = "#microsoft.graph.customTimeZone"
# A hand-made southern zone, +9:30 with daylight time +10:30 from the first Sunday of
# October 02:00 to the first Sunday of April 03:00: Adelaide's rules, as Windows writes them.
SOUTHERN_CUSTOM_ZONE = {
    "@odata.type": CUSTOM,
    "bias": -570,
    "name": "Customized Time Zone",
    "standardOffset": {
        "time": "03:00:00.0000000",
        "dayOccurrence": 1,
        "dayOfWeek": "sunday",
        "month": 4,
        "year": 0,
    },
    "daylightOffset": {
        "daylightBias": -60,
        "time": "02:00:00.0000000",
        "dayOccurrence": 1,
        "dayOfWeek": "sunday",
        "month": 10,
        "year": 0,
    },
}
# The custom zone of Microsoft's getSchedule sample (Pacific time).
NORTHERN_CUSTOM_ZONE = {
    "@odata.type": CUSTOM,
    "bias": 480,
    "name": "Customized Time Zone",
    "standardOffset": {
        "time": "02:00:00.0000000",
        "dayOccurrence": 1,
        "dayOfWeek": "sunday",
        "month": 11,
        "year": 0,
    },
    "daylightOffset": {
        "daylightBias": -60,
        "time": "02:00:00.0000000",
        "dayOccurrence": 2,
        "dayOfWeek": "sunday",
        "month": 3,
        "year": 0,
    },
}


def changed(zone: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`zone` with some fields, or some fields of its offsets, replaced."""
    merged = dict(zone)
    for key, value in changes.items():
        merged[key] = {**zone[key], **value} if isinstance(value, dict) else value
    return merged


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[Served]:
    with running(tmp_path) as served:
        yield served


@pytest.fixture
def mailboxes(graph: Served, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """The stand-in, with its settings in the environment, where Tandem reads them."""
    state, environment = graph
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return state


def monday_morning(zone: dict[str, Any]) -> dict[str, Any]:
    """Working hours of one hour, Monday 08:00-09:00, in `zone`."""
    return {
        "daysOfWeek": ["monday"],
        "startTime": "08:00:00.0000000",
        "endTime": "09:00:00.0000000",
        "timeZone": zone,
    }


# Statuses


def test_capitalised_statuses_as_in_microsofts_sample_block_time(graph: Served) -> None:
    """Shaped like Microsoft's getSchedule sample: times in Pacific Standard Time and the
    statuses capitalised as answers in the wild write them."""
    state, environment = graph
    meetings = [
        Meeting(datetime(2027, 3, 15, 19), datetime(2027, 3, 15, 21), status="Busy"),
        Meeting(datetime(2027, 3, 16, 16), datetime(2027, 3, 16, 17), status="Tentative"),
        Meeting(datetime(2027, 3, 17, 15), datetime(2027, 3, 18, 1), status="Oof"),
        Meeting(datetime(2027, 3, 18, 16), datetime(2027, 3, 18, 17), status="WorkingElsewhere"),
        Meeting(datetime(2027, 3, 18, 18), datetime(2027, 3, 18, 19), status="Free"),
        Meeting(datetime(2027, 3, 19, 16), datetime(2027, 3, 19, 17), status="Unknown"),
    ]
    state.calendars[NORTH] = meetings
    state.item_zones[NORTH] = ("Pacific Standard Time", LOS_ANGELES)
    state.working_hours[NORTH] = monday_morning(NORTHERN_CUSTOM_ZONE)
    start = datetime(2027, 3, 15, tzinfo=UTC)
    found = client_for(environment).schedules([NORTH], start, start + timedelta(days=7))[NORTH]
    assert found.error is None
    assert [(b.start, b.end, b.status) for b in found.busy] == [
        (m.start.replace(tzinfo=UTC), m.end.replace(tzinfo=UTC), status)
        for m, status in zip(
            [meetings[0], meetings[1], meetings[2], meetings[5]],
            ["busy", "tentative", "oof", "busy"],
            strict=True,
        )
    ]


def test_an_unknown_status_blocks_and_is_logged_once(
    graph: Served, caplog: pytest.LogCaptureFixture
) -> None:
    state, environment = graph
    state.calendars[SOUTH] = [
        Meeting(datetime(2027, 3, day, 9), datetime(2027, 3, day, 10), status="AwayFromDesk")
        for day in (2, 3)
    ] + [
        Meeting(datetime(2027, 5, 10, 9), datetime(2027, 5, 10, 10), status="AwayFromDesk"),
        Meeting(datetime(2027, 5, 11, 9), datetime(2027, 5, 11, 10), status="Focus\u2028Time"),
    ]
    start = datetime(2027, 3, 1, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="connectors.graph.statuses"):
        client = client_for(environment)
        found = client.schedules([SOUTH], start, start + timedelta(days=100))[SOUTH]
        client.schedules([SOUTH], start, start + timedelta(days=100))
    assert len(state.requests) == 4  # two windows, read twice
    assert [b.status for b in found.busy] == ["busy"] * 4  # fail closed
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "Graph sent the schedule item status 'AwayFromDesk', which Tandem does not know; "
        "the time counts as busy",
        "Graph sent the schedule item status 'Focus\\u2028Time', which Tandem does not know; "
        "the time counts as busy",
    ]
    assert all(SOUTH not in m and "Confidential" not in m for m in messages)


# Custom zones: item times


def test_item_times_in_a_custom_zone_are_read_across_its_clock_changes(graph: Served) -> None:
    """Items given in the mailbox's own custom zone, by its name. Adelaide's daylight time
    ends on 4 April 2027 (03:00 +10:30, 3 April 16:30 UTC) and starts on 3 October (02:00
    +09:30, 2 October 16:30 UTC); Pacific time changes on 14 March and 7 November."""
    state, environment = graph
    south = [  # 10:00-11:00 local: before and after each change
        Meeting(datetime(2027, 4, 2, 23, 30), datetime(2027, 4, 3, 0, 30)),  # +10:30
        Meeting(datetime(2027, 4, 5, 0, 30), datetime(2027, 4, 5, 1, 30)),  # +09:30
        Meeting(datetime(2027, 10, 1, 0, 30), datetime(2027, 10, 1, 1, 30)),  # +09:30
        Meeting(datetime(2027, 10, 3, 23, 30), datetime(2027, 10, 4, 0, 30)),  # +10:30
    ]
    north = [  # 10:00-11:00 local
        Meeting(datetime(2027, 3, 12, 18), datetime(2027, 3, 12, 19)),  # -08:00
        Meeting(datetime(2027, 3, 15, 17), datetime(2027, 3, 15, 18)),  # -07:00
        Meeting(datetime(2027, 11, 5, 17), datetime(2027, 11, 5, 18)),  # -07:00
        Meeting(datetime(2027, 11, 8, 18), datetime(2027, 11, 8, 19)),  # -08:00
    ]
    for address, meetings, zone, oracle in (
        (SOUTH, south, SOUTHERN_CUSTOM_ZONE, ADELAIDE),
        (NORTH, north, NORTHERN_CUSTOM_ZONE, LOS_ANGELES),
    ):
        state.calendars[address] = meetings
        state.working_hours[address] = monday_morning(zone)
        state.item_zones[address] = ("Customized Time Zone", oracle)
    start = datetime(2027, 3, 1, tzinfo=UTC)
    found = client_for(environment).schedules([SOUTH, NORTH], start, start + timedelta(weeks=40))
    for address, meetings in ((SOUTH, south), (NORTH, north)):
        assert found[address].error is None
        assert [(b.start, b.end) for b in found[address].busy] == [
            (m.start.replace(tzinfo=UTC), m.end.replace(tzinfo=UTC)) for m in meetings
        ]
    assert all(r["body"]["startTime"]["timeZone"] == "UTC" for r in state.requests)


def test_item_times_in_a_zone_tandem_cannot_read_are_an_error_naming_the_mailbox(
    graph: Served,
) -> None:
    state, environment = graph
    state.calendars[SOUTH] = [Meeting(datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 10))]
    state.item_zones[SOUTH] = ("Mars Standard Time", ADELAIDE)
    state.calendars[NORTH] = [Meeting(datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 10))]
    start = datetime(2027, 3, 1, tzinfo=UTC)
    found = client_for(environment).schedules([SOUTH, NORTH], start, start + timedelta(days=7))
    assert found[SOUTH].error == (
        "Graph gave times in time zone 'Mars Standard Time', neither a Windows or IANA name "
        "nor the mailbox's own custom zone"
    )
    assert found[NORTH].error is None and len(found[NORTH].busy) == 1


# Custom zones: working hours, planned

SCENARIO = """version: 1
timezone: Australia/Adelaide  # the horizon starts at midnight there
horizon: {start: 2027-03-01, weeks: 40}
rules: {duration_minutes: 60}
people:
  - {id: m1, role: mentor, working_hours: {mon-sun: ["00:00-24:00"]}}
  - {id: m2, role: mentor, working_hours: {mon-sun: ["00:00-24:00"]}}
  - {id: south, role: executive, email: south@contoso.example, calendar: {graph: true}}
  - {id: north, role: executive, email: north@contoso.example, calendar: {graph: true}}
pairs:
  - {id: ps, mentor: m1, mentee: south}
  - {id: pn, mentor: m2, mentee: north}
"""


def scenario_text(**fields: str) -> str:
    """SCENARIO with more fields for some people: `south="timezone: Australia/Darwin"`."""
    text = SCENARIO
    for person, extra in fields.items():
        text = text.replace(f"{{id: {person}, role:", f"{{id: {person}, {extra}, role:")
    return text


def mondays_in_custom_zones(state: StandIn, tmp_path: Path, text: str = SCENARIO) -> Path:
    """Both executives work one hour a week, Monday 08:00-09:00 in their custom zone: the
    one-hour sessions can only start then."""
    for address, zone in ((SOUTH, SOUTHERN_CUSTOM_ZONE), (NORTH, NORTHERN_CUSTOM_ZONE)):
        state.calendars[address] = []
        state.working_hours[address] = monday_morning(zone)
    path = tmp_path / "custom.yaml"
    path.write_text(text)
    return path


def session_starts(path: Path) -> dict[str, list[datetime]]:
    plan = solve(load_problem(path))
    assert not plan.unplaced
    starts: dict[str, list[datetime]] = {}
    for session in sorted(plan.sessions, key=lambda s: s.start):
        starts.setdefault(session.pair, []).append(session.start.astimezone(UTC))
    return starts


def test_working_hours_in_custom_zones_are_planned_across_both_clock_changes(
    mailboxes: StandIn, tmp_path: Path
) -> None:
    starts = session_starts(mondays_in_custom_zones(mailboxes, tmp_path))
    hand_computed = {
        "ps": [  # Monday 08:00 in Adelaide's rules
            datetime(2027, 3, 28, 21, 30, tzinfo=UTC),  # +10:30
            datetime(2027, 4, 4, 22, 30, tzinfo=UTC),  # +09:30
            datetime(2027, 9, 26, 22, 30, tzinfo=UTC),  # +09:30
            datetime(2027, 10, 3, 21, 30, tzinfo=UTC),  # +10:30
        ],
        "pn": [  # Monday 08:00 in Pacific rules
            datetime(2027, 3, 8, 16, tzinfo=UTC),  # -08:00
            datetime(2027, 3, 15, 15, tzinfo=UTC),  # -07:00
            datetime(2027, 11, 1, 15, tzinfo=UTC),  # -07:00
            datetime(2027, 11, 8, 16, tzinfo=UTC),  # -08:00
        ],
    }
    for pair, oracle in (("ps", ADELAIDE), ("pn", LOS_ANGELES)):
        assert set(hand_computed[pair]) <= set(starts[pair])
        assert len(starts[pair]) == 40
        local = {(s.astimezone(oracle).strftime("%a %H:%M")) for s in starts[pair]}
        assert local == {"Mon 08:00"}


def test_a_snapshot_carries_the_custom_zones_rule_and_plans_the_same_offline(
    mailboxes: StandIn, graph: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = mondays_in_custom_zones(mailboxes, tmp_path)
    online = session_starts(scenario)
    written = tmp_path / "snapshot.yaml"
    written.write_text(snapshot(scenario))
    text = written.read_text()
    assert "timezone: <+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3" in text
    assert "timezone: <-08>8<-07>7,M3.2.0/2,M11.1.0/2" in text
    for name in graph[1]:
        monkeypatch.delenv(name)  # offline
    assert session_starts(written) == online


# Zones Tandem cannot read

UNREADABLE = {
    "named": {"name": "Mars Standard Time"},
    "one year only": changed(SOUTHERN_CUSTOM_ZONE, {"standardOffset": {"year": 2027}}),
}


@pytest.mark.parametrize("zone", list(UNREADABLE))
@pytest.mark.parametrize("timezone", [None, "Australia/Adelaide"])
def test_working_hours_in_a_zone_tandem_cannot_read_are_a_field_error(
    mailboxes: StandIn, tmp_path: Path, zone: str, timezone: str | None
) -> None:
    """Even with the person's timezone in the scenario: that says where the person is,
    not which zone the mailbox's hours are written in."""
    text = scenario_text(south=f"timezone: {timezone}") if timezone else SCENARIO
    path = mondays_in_custom_zones(mailboxes, tmp_path, text)
    mailboxes.working_hours[SOUTH] = monday_morning(UNREADABLE[zone])
    with pytest.raises(ScenarioError) as refused:
        load_problem(path)
    (error,) = refused.value.errors
    assert error.path == "people[2].working_hours"
    assert error.message.startswith(
        "the mailbox of south@contoso.example states working hours in a time zone Tandem "
        "cannot read ("
    )
    assert error.message.endswith(
        "give this person's working_hours and timezone in the scenario (a timezone alone "
        "does not say which zone the mailbox means)"
    )
    assert {"named": "'Mars Standard Time'", "one year only": "year 2027"}[zone] in error.message


def test_stated_working_hours_need_no_mailbox_zone(mailboxes: StandIn, tmp_path: Path) -> None:
    text = scenario_text(south='working_hours: {mon: ["21:00-22:00"]}')
    path = mondays_in_custom_zones(mailboxes, tmp_path, text)
    mailboxes.working_hours[SOUTH] = monday_morning({"name": "Mars Standard Time"})
    problem = load_problem(path)
    assert problem.people["south"].tz is ADELAIDE  # the scenario's zone, as stated
    assert problem.people["south"].working_hours == {0: ((21 * 60, 22 * 60),)}


def test_a_person_placed_in_another_clock_than_the_mailbox_is_a_field_error(
    mailboxes: StandIn, tmp_path: Path
) -> None:
    text = scenario_text(north="timezone: America/Vancouver", south="timezone: Australia/Darwin")
    path = mondays_in_custom_zones(mailboxes, tmp_path, text)
    with pytest.raises(ScenarioError) as refused:
        load_problem(path)
    (error,) = refused.value.errors  # Vancouver keeps Pacific time: the same clock
    assert error.path == "people[2].working_hours"
    assert error.message == (
        "the mailbox of south@contoso.example states working hours in "
        "<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3, but the scenario puts this person in "
        "Australia/Darwin, whose clock differs from 2027-02-27T00:00:00Z; give this "
        "person's working_hours in the scenario, or leave out their timezone"
    )


# The pieces


def test_a_custom_zone_becomes_its_rule() -> None:
    northern = custom_zone(NORTHERN_CUSTOM_ZONE)
    assert northern.text == "<-08>8<-07>7,M3.2.0/2,M11.1.0/2"
    assert northern.zone is zone_named(northern.text)
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
    assert first_disagreement(northern.zone, LOS_ANGELES, first, last) is None
    southern = custom_zone(SOUTHERN_CUSTOM_ZONE)
    assert first_disagreement(southern.zone, ADELAIDE, first, last) is None
    no_daylight = changed(SOUTHERN_CUSTOM_ZONE, {"daylightOffset": {"month": 0}})
    assert custom_zone(no_daylight).text == "<+0930>-9:30"
    assert custom_zone({"@odata.type": CUSTOM, "bias": 300}).text == "<-05>5"
    midnight = changed(SOUTHERN_CUSTOM_ZONE, {"standardOffset": {"time": "23:59:59.9990000"}})
    assert custom_zone(midnight).text == "<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/24"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"standardOffset": {"month": 0}}, "daylight time starts but never ends"),
        ({"bias": "480"}, "bias '480' is not a whole number"),
        ({"standardOffset": {"dayOfWeek": "caturday"}}, "dayOfWeek 'caturday' is not a weekday"),
        ({"standardOffset": {"dayOccurrence": 6}}, "occurrence 6 is not 1-5"),
        ({"standardOffset": {"time": "2 o'clock"}}, "is not hh:mm:ss"),
    ],
)
def test_a_custom_zone_that_does_not_fit_says_what(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(UnknownZoneError, match=problem):
        custom_zone(changed(NORTHERN_CUSTOM_ZONE, change))


def test_named_and_fixed_mailbox_zones() -> None:
    named = graph_working_hours(monday_morning({"name": "W. Europe Standard Time"}))
    assert named.hours == {"mon": ["08:00-09:00"]}
    assert named.zone is not None and named.zone.text == "Europe/Berlin"
    unknown = graph_working_hours(monday_morning({"name": "Mars Standard Time"}))
    assert unknown.hours == {"mon": ["08:00-09:00"]} and unknown.zone is None
    assert unknown.zone_problem == "time zone 'Mars Standard Time' is not a Windows or IANA name"
    # A custom zone is read by its rules, never by its name: without them it is unknown.
    bare = graph_working_hours(monday_morning({"@odata.type": CUSTOM, "name": "UTC"}))
    assert bare.zone is None
    assert bare.zone_problem == "custom time zone 'UTC': bias 'None' is not a whole number"


def test_clocks_that_differ_for_half_an_hour_are_told_apart() -> None:
    """Changes at 01:15 and 01:45 UTC: hourly samples agree on both sides of them."""
    one = zone_named("<+01>-1<+02>-2,M3.5.0/2:15,M10.5.0/3")
    other = zone_named("<+01>-1<+02>-2,M3.5.0/2:45,M10.5.0/3")
    first, last = datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    assert first_disagreement(one, other, first, last) == datetime(2027, 3, 28, 1, 15, tzinfo=UTC)
    assert first_disagreement(one, zone_named("Europe/Berlin"), first, last) == datetime(
        2027, 3, 28, 1, tzinfo=UTC
    )
    paris = zone_named("Europe/Paris")
    assert first_disagreement(paris, zone_named("Europe/Berlin"), first, last) is None


def test_attendee_answers_are_read_whatever_their_case(caplog: pytest.LogCaptureFixture) -> None:
    assert attendee_response("Declined") == "declined"
    assert attendee_response("TENTATIVELYACCEPTED") == "tentativelyAccepted"
    with caplog.at_level(logging.WARNING, logger="connectors.graph.statuses"):
        assert attendee_response("Perhaps") == "Perhaps"  # no decline
        assert attendee_response("Perhaps") == "Perhaps"
    assert [r.getMessage() for r in caplog.records] == [
        "Graph sent the attendee response 'Perhaps', which Tandem does not know; it is not "
        "read as a decline"
    ]


def test_a_meeting_organised_in_a_ruled_zone_goes_in_utc() -> None:
    """No zone name says a custom zone's rule: the meeting keeps its instants, in UTC."""
    start = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)
    ruled = event_times(start, start + timedelta(hours=1), custom_zone(SOUTHERN_CUSTOM_ZONE).text)
    assert ruled["start"] == {"dateTime": "2027-04-05T00:30:00", "timeZone": "UTC"}
    named = event_times(start, start + timedelta(hours=1), "Australia/Adelaide")
    assert named["start"] == {
        "dateTime": "2027-04-05T10:00:00",
        "timeZone": "Cen. Australia Standard Time",
    }
