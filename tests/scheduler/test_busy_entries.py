"""Busy lists read column-wise: the same times as pydantic reads one by one, the compact
form, errors with their place, and wall-clock times across clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from scheduler.busy_entries import read_busy_entries
from scheduler.errors import ScenarioError
from scheduler.instant_columns import parse_instants
from tests.builders import executive, mentor, problem_of, scenario

DATETIME = TypeAdapter(datetime)
PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")
STATUSES = "'busy', 'tentative', 'oof', 'workingElsewhere' or 'free'"


def as_pydantic_reads(text: str) -> tuple[int, int, bool, int] | None:
    """Whole seconds since 1970, microseconds, naive, year as written."""
    try:
        moment = DATETIME.validate_python(text)
    except ValidationError:
        return None
    naive = moment.tzinfo is None
    wall = moment if naive else moment.astimezone(UTC).replace(tzinfo=None)
    whole = (wall.replace(microsecond=0) - datetime(1970, 1, 1)).total_seconds()
    return int(whole), moment.microsecond, naive, moment.year


moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 12, 31))
offsets = st.one_of(
    st.just(None),
    st.just(UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)


@st.composite
def written_times(draw: st.DrawFn) -> str:
    """Times as files write them: minutes or seconds, `Z`, an offset or none, `T` or a
    space, sometimes fractions; and some that are no time at all."""
    moment = draw(moments).replace(microsecond=draw(st.sampled_from([0, 0, 0, 500000])))
    zone = draw(offsets)
    text = moment.replace(tzinfo=zone).isoformat(sep=draw(st.sampled_from(["T", " "])))
    if draw(st.booleans()) and moment.second == 0 and moment.microsecond == 0:
        text = text.replace(":00", "", 1) if zone is None else text[:16] + text[19:]
    if zone is UTC and draw(st.booleans()):
        text = text.replace("+00:00", "Z")
    mangled = draw(st.sampled_from(["", "", "", "x", "13", ":99"]))
    return text + mangled


@given(st.lists(written_times(), max_size=20))
def test_column_reading_agrees_with_pydantic_on_every_text(texts: list[str]) -> None:
    found = parse_instants(texts)
    for position, text in enumerate(texts):
        expected = as_pydantic_reads(text)
        if expected is None:
            assert found.bad[position], text
        else:
            assert not found.bad[position], text
            read = (found.seconds, found.micro, found.naive, found.year)
            assert tuple(int(column[position]) for column in read) == expected, text


def test_the_shapes_read_by_columns() -> None:
    texts = [
        "2027-01-04T09:00",
        "2027-01-04T09:00:30",
        "2027-01-04T09:00Z",
        "2027-01-04T09:00:30Z",
        "2027-01-04T09:00+01:00",
        "2027-01-04T09:00:30-05:30",
        "2027-01-04 09:00",
    ]
    found = parse_instants(texts)
    base = int((datetime(2027, 1, 4, 9) - datetime(1970, 1, 1)).total_seconds())
    assert list(found.bad) == [False] * 7
    assert list(found.naive) == [True, True, False, False, False, False, True]
    assert set(found.year.tolist()) == {2027}
    assert list(found.seconds) == [
        base,
        base + 30,
        base,
        base + 30,
        base - 3600,
        base + 30 + 5 * 3600 + 1800,
        base,
    ]


def test_the_long_and_the_compact_form_give_the_same_busy_times() -> None:
    long = [
        {"start": "2027-01-04T09:00", "end": "2027-01-04T10:00"},
        {"start": "2027-01-05T14:00Z", "end": "2027-01-05T15:30Z", "status": "tentative"},
    ]
    compact = ["2027-01-04T09:00/2027-01-04T10:00", "2027-01-05T14:00Z/2027-01-05T15:30Z tentative"]
    mixed = [long[0], compact[1]]
    read = [read_busy_entries(entries, "people[0].busy") for entries in (long, compact, mixed)]
    assert all(errors == [] for _, errors in read)
    in_paris = [entries.in_utc(PARIS) for entries, _ in read]
    assert in_paris[0] == in_paris[1] == in_paris[2]
    first, second = list(in_paris[0])
    assert (first.start, first.status) == (datetime(2027, 1, 4, 8, tzinfo=UTC), "busy")
    assert (second.end, second.status) == (datetime(2027, 1, 5, 15, 30, tzinfo=UTC), "tentative")


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (
            {"start": "2027-01-04T10:00", "end": "2027-01-04T09:00"},
            "people[0].busy[1]: end must be after start",
        ),
        ("2027-01-04T10:00/2027-01-04T09:00", "people[0].busy[1]: end must be after start"),
        ({"start": "2027-01-04T10:00"}, "people[0].busy[1].end: required"),
        (
            {"start": "2027-01-04T10:00", "end": "2027-01-04T11:00", "where": "x"},
            "people[0].busy[1].where: unknown key (not in the scenario format)",
        ),
        (
            {"start": "2027-01-04T10:00", "end": "2027-01-04T11:00", "status": "away"},
            f"people[0].busy[1].status: Input should be {STATUSES}",
        ),
        (
            "2027-01-04T10:00/2027-01-04T11:00 away",
            f"people[0].busy[1]: Input should be {STATUSES}",
        ),
        (
            "2027-01-04T10:00 to 11:00",
            "people[0].busy[1]: '2027-01-04T10:00 to 11:00' is not a busy time as "
            "'START/END [status]'",
        ),
        (
            {"start": "2027-02-30T10:00", "end": "2027-03-01T11:00"},
            "people[0].busy[1].start: Input should be a valid datetime",
        ),
        (
            {"start": "2027-01-04T10:00Z", "end": "2027-01-04T11:00"},
            "people[0].busy[1]: start and end must both carry an offset, or neither",
        ),
        (
            {"start": "1950-01-04T10:00", "end": "1950-01-04T11:00"},
            "people[0].busy[1]: times must lie between the years 1971 and 2999",
        ),
        (
            42,
            "people[0].busy[1]: a busy time is a mapping {start, end, status} or a text "
            "'START/END [status]'",
        ),
    ],
)
def test_a_wrong_busy_time_is_named_with_its_place(entry: object, error: str) -> None:
    good = {"start": "2027-01-04T08:00", "end": "2027-01-04T08:30"}
    document = scenario(people=[mentor(busy=[good, entry, good]), executive()])
    with pytest.raises(ScenarioError) as raised:
        problem_of(document)
    assert [str(e) for e in raised.value.errors] == [error]


def test_a_busy_list_that_is_no_list() -> None:
    with pytest.raises(ScenarioError, match=r"people\[0\].busy: Input should be a valid list"):
        problem_of(scenario(people=[mentor(busy="all day"), executive()]))


@pytest.mark.parametrize(
    ("tz", "day", "clock", "utc"),
    [
        # Europe springs forward on 28 March 2027 at 02:00: 02:30 does not exist (-> 03:30).
        (PARIS, "2027-03-28", "02:30", "2027-03-28T01:30"),
        (PARIS, "2027-03-28", "09:00", "2027-03-28T07:00"),
        (PARIS, "2027-03-27", "09:00", "2027-03-27T08:00"),
        # ... and falls back on 31 October 2027: 02:30 happens twice (the first one).
        (PARIS, "2027-10-31", "02:30", "2027-10-31T00:30"),
        # The US springs forward on 14 March 2027 and falls back on 7 November 2027.
        (NEW_YORK, "2027-03-14", "02:30", "2027-03-14T07:30"),
        (NEW_YORK, "2027-03-14", "12:00", "2027-03-14T16:00"),
        (NEW_YORK, "2027-11-07", "01:30", "2027-11-07T05:30"),
        (NEW_YORK, "2027-11-08", "09:00", "2027-11-08T14:00"),
    ],
)
def test_wall_clock_times_become_utc_as_zoneinfo_reads_them(
    tz: ZoneInfo, day: str, clock: str, utc: str
) -> None:
    entries, errors = read_busy_entries([f"{day}T{clock}/{day}T23:00"], "busy")
    assert errors == []
    (block,) = list(entries.in_utc(tz))
    assert block.start == datetime.fromisoformat(utc).replace(tzinfo=UTC)
    written = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=tz)
    assert block.start == written.astimezone(UTC)  # zoneinfo's own reading, fold=0


def test_a_block_inside_a_spring_forward_gap_holds_no_time() -> None:
    entries, _ = read_busy_entries(["2027-03-28T02:30/2027-03-28T03:10"], "busy")
    assert len(entries.in_utc(PARIS)) == 0


def test_many_lists_read_as_one_table_keep_each_persons_times_and_errors() -> None:
    from scheduler.busy_entries import read_busy_lists

    good = [
        "2027-01-04T08:00:00Z/2027-01-04T09:00:00Z",
        "2027-01-05T10:00:00Z/2027-01-05T11:00:00Z oof",
    ]
    other = ["2027-01-06T08:00:00Z/2027-01-06T08:30:00Z"]
    wrong = [good[0], "2027-01-07T10:00:00Z/2027-01-07T09:00:00Z"]
    found, errors = read_busy_lists({0: good, 1: other, 2: wrong})
    assert [str(e) for e in errors] == ["people[2].busy[1]: end must be after start"]
    assert set(found) == {0, 1}
    first = list(found[0].in_utc(PARIS))
    assert [b.status for b in first] == ["busy", "oof"]
    assert first[1].start == datetime(2027, 1, 5, 10, tzinfo=UTC)
    (alone,) = list(found[1].in_utc(PARIS))
    assert alone.end == datetime(2027, 1, 6, 8, 30, tzinfo=UTC)


def test_lists_whose_texts_split_differently_are_read_entry_by_entry() -> None:
    from scheduler.busy_entries import read_busy_lists

    utc = ["2027-01-04T08:00:00Z/2027-01-04T09:00:00Z"]
    offset = ["2027-01-04T09:00+01:00/2027-01-04T10:30+01:00 tentative"]
    local = ["2027-01-04T09:00/2027-01-04T10:00"]
    found, errors = read_busy_lists({0: utc, 1: offset, 2: local})
    assert errors == []
    starts = {index: entries.in_utc(PARIS)[0] for index, entries in found.items()}
    assert (
        starts[0].start == starts[1].start == starts[2].start == datetime(2027, 1, 4, 8, tzinfo=UTC)
    )
    assert (starts[1].end, starts[1].status) == (
        datetime(2027, 1, 4, 9, 30, tzinfo=UTC),
        "tentative",
    )


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        # Years far off the calendar are refused by the year written, not crashed on.
        ("0001-01-01T00:00+01:00", "2027-01-04T10:00+01:00", "times must lie between"),
        ("9999-12-31T23:59:00.000-01:00", "2027-01-04T10:00Z", "times must lie between"),
        ("3000-01-01T00:30+01:00", "3000-01-01T01:30+01:00", "times must lie between"),
        # A fraction of a second counts: the end is after the start.
        ("2027-01-04T09:00:00.200", "2027-01-04T09:00:00.700", None),
        ("2027-01-04T09:00:00.700", "2027-01-04T09:00:00.200", "end must be after start"),
        # The years written, not their UTC ones, are what the format limits.
        ("2999-12-31T20:00-02:00", "2999-12-31T23:00-02:00", None),
        ("1971-01-01T00:10+01:00", "1971-01-01T00:40+01:00", None),
        # A NUL is no part of a time, wherever it is.
        ("2027-01-04T09:00\x00", "2027-01-04T10:00", "Input should be a valid datetime"),
    ],
)
def test_times_at_the_edges_are_read_as_pydantic_reads_them(
    start: str, end: str, error: str | None
) -> None:
    found, errors = read_busy_entries([{"start": start, "end": end}], "busy")
    if error is None:
        assert errors == []
        assert len(found.starts) == 1
    else:
        assert len(errors) == 1 and error in errors[0].message


def test_an_end_with_a_fraction_of_a_second_is_rounded_up() -> None:
    found, _ = read_busy_entries(["2027-01-04T09:00:00Z/2027-01-04T09:30:00Z"], "busy")
    fraction, _ = read_busy_entries(
        [{"start": "2027-01-04T09:00:00.5Z", "end": "2027-01-04T09:30:00.5Z"}], "busy"
    )
    (whole,), (rounded,) = found.in_utc(PARIS), fraction.in_utc(PARIS)
    assert rounded.start == whole.start  # down
    assert rounded.end == whole.end + timedelta(seconds=1)  # up: a block never shrinks


def test_the_compact_form_refuses_a_space_inside_a_time_in_any_company() -> None:
    spaced = "2027-01-04 09:00/2027-01-04 10:00"
    _, errors_alone = read_busy_entries([spaced], "busy")
    _, errors_with_others = read_busy_entries(
        ["2027-01-04T08:00:00Z/2027-01-04T09:00:00Z", spaced], "busy"
    )
    assert [e.path for e in errors_alone] == ["busy[0]"]
    assert [e.path for e in errors_with_others] == ["busy[1]"]


def test_a_scenario_made_without_the_reader_still_refuses_a_wrong_busy_list() -> None:
    """A scenario validated by pydantic alone (not through `validate_scenario`, whose
    schema only checks the compact form's shape) has its busy lists read when the problem
    is built: a wrong one is an error, never dropped."""
    from scheduler.problem import build_problem
    from scheduler.scenario import Scenario

    document = scenario(people=[mentor(busy=["2027-01-04T09:00/soon"]), executive()])
    with pytest.raises(ScenarioError, match=r"people\[0\].busy\[0\].end: Input should be"):
        build_problem(Scenario.model_validate(document))
