"""Calendar files as Outlook, Exchange, Lotus Notes, Google and CRM tools export them: zones
that must not leak between files, display-name zones, parts to skip with a warning, and
files whose busy time cannot be known (refused, naming the line, the BEGIN line and UID)."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from connectors.ics import IcsError, IcsReading, read_ics, utc_window

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendars"
PARIS = ZoneInfo("Europe/Paris")
WINDOW = utc_window(date(2027, 3, 1), date(2027, 4, 15))


def read(name: str, tz: ZoneInfo = PARIS) -> IcsReading:
    return read_ics(FIXTURES / name, tz, *WINDOW)


def refused(name: str) -> list[str]:
    with pytest.raises(IcsError) as raised:
        read(name)
    return raised.value.problems


def line_of(name: str, text: str, after: int = 0) -> int:
    """The number of the first line of the fixture that is exactly `text` (after `after`)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if n > after and line == text)


def weekly(first: date, weeks: int, at: time, zone: ZoneInfo | timezone) -> list[datetime]:
    """The UTC instants of `at` local time, once a week: an oracle independent of the reader."""
    return [
        datetime.combine(first + timedelta(weeks=k), at, tzinfo=zone).astimezone(UTC)
        for k in range(weeks)
    ]


def starts(reading: IcsReading, status: str = "busy") -> list[datetime]:
    return [b.start for b in reading.busy if b.status == status]


REYKJAVIK = ("outlook-custom-zone-reykjavik.ics", ZoneInfo("Atlantic/Reykjavik"))
ADELAIDE = ("outlook-custom-zone-adelaide.ics", ZoneInfo("Australia/Adelaide"))


@pytest.mark.parametrize(("first", "then"), [(REYKJAVIK, ADELAIDE), (ADELAIDE, REYKJAVIK)])
def test_two_outlook_customized_time_zones_of_one_name_each_govern_their_own_file(
    first: tuple[str, ZoneInfo], then: tuple[str, ZoneInfo]
) -> None:
    """Both files call their zone `Customized Time Zone`: UTC+0 in Reykjavik, Adelaide's
    +09:30/+10:30 in the other. Each is read right whichever came first in the process,
    also when icalendar itself parsed the other file before (its cache is per process,
    by name, first one wins)."""
    icalendar.Calendar.from_ical((FIXTURES / first[0]).read_bytes())  # as other code may
    for name, zone in (first, then):
        reading = read(name)
        assert starts(reading) == weekly(date(2027, 3, 2), 6, time(9), zone)
        assert reading.warnings == []
    assert ADELAIDE[1].utcoffset(datetime(2027, 4, 6, 9)) == timedelta(hours=9.5)


def test_the_customized_zone_also_places_the_oof_block() -> None:
    name, zone = ADELAIDE
    (oof,) = [b for b in read(name).busy if b.status == "oof"]
    assert (oof.start, oof.end) == (
        datetime(2027, 3, 5, 13, tzinfo=zone).astimezone(UTC),
        datetime(2027, 3, 5, 17, tzinfo=zone).astimezone(UTC),
    )


def test_exchange_display_names_without_a_vtimezone_map_to_their_iana_zones() -> None:
    """`(UTC-05:00) Eastern Time (US & Canada)`, the `(GMT +01:00) ...` form and the bare
    list of cities, as Exchange 2010 and 2013 write them, with no VTIMEZONE at all."""
    reading = read("exchange-2010-display-names.ics")
    new_york, berlin = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
    assert [(b.start, b.status) for b in reading.busy] == [
        (datetime(2027, 3, 16, 9, tzinfo=new_york).astimezone(UTC), "busy"),
        (datetime(2027, 3, 17, 14, tzinfo=berlin).astimezone(UTC), "tentative"),
        (datetime(2027, 3, 30, 14, tzinfo=berlin).astimezone(UTC), "busy"),
    ]
    assert reading.warnings == []


def test_an_exchange_display_name_with_its_vtimezone_keeps_local_time_across_dst() -> None:
    reading = read("exchange-2013-display-name-vtimezone.ics")
    assert starts(reading) == weekly(date(2027, 3, 1), 4, time(9), ZoneInfo("America/New_York"))


def test_the_files_own_vtimezone_governs_a_zone_name_even_when_the_table_knows_it() -> None:
    """Exchange 2007 wrote the US rules of before 2007 (daylight time from the first
    Sunday of April). RFC 5545 and Outlook read the file's definition: on 16 March the
    meeting is at 09:00 UTC-5, where the name's IANA zone would say UTC-4."""
    (block,) = read("exchange-2007-stale-zone.ics").busy
    assert block.start == datetime(2027, 3, 16, 9, tzinfo=timezone(timedelta(hours=-5)))
    assert block.start != datetime(2027, 3, 16, 9, tzinfo=ZoneInfo("America/New_York"))


def test_an_unknown_tzid_is_refused_naming_the_file_the_line_and_the_tzid() -> None:
    """The tool wrote the same TZID on an all-day event's dates: a date has no zone, so
    that event is no problem. The TZID is reported once, at its first use."""
    (problem,) = refused("tz-one.ics")
    dtstart = line_of("tz-one.ics", 'DTSTART;TZID=" 1":20270302T100000')
    begin = line_of("tz-one.ics", "BEGIN:VEVENT")
    assert problem.startswith(f"{FIXTURES / 'tz-one.ics'}: line {dtstart}: ")
    assert f"UID crm-activity-88412 (VEVENT of line {begin})" in problem
    assert "time zone ' 1' (DTSTART TZID) has no VTIMEZONE in the file" in problem


def test_a_tzid_on_dates_is_ignored_the_day_is_the_persons(tmp_path: Path) -> None:
    text = (FIXTURES / "tz-one.ics").read_text(encoding="utf-8")
    events = text.split("BEGIN:VEVENT\n")
    all_day = next(event for event in events if "VALUE=DATE" in event)
    path = tmp_path / "all-day.ics"
    path.write_text(f"{events[0]}BEGIN:VEVENT\n{all_day}END:VCALENDAR\n", encoding="utf-8")
    tokyo = ZoneInfo("Asia/Tokyo")
    (day,) = read_ics(path, tokyo, *WINDOW).busy
    assert (day.start, day.end) == (
        datetime(2027, 3, 3, tzinfo=tokyo).astimezone(UTC),
        datetime(2027, 3, 4, tzinfo=tokyo).astimezone(UTC),
    )


def test_parts_that_cannot_matter_are_skipped_with_a_warning_naming_their_line() -> None:
    name = "skippable-parts.ics"
    reading = read(name)
    by_line = {int(w.split(": line ")[1].split(":")[0]): w for w in reading.warnings}
    skipped = [
        ("BEGIN:VTIMEZONE", "TZID 'W. Europe' (VTIMEZONE): skipped: no event needs it"),
        ("2. Budget", "skipped a line that is no property (a broken fold?)"),
        ("TRIGGER:-PT15MIN", f"alarm (VALARM of line {line_of(name, 'BEGIN:VALARM')}): skipped"),
        ("BEGIN:VFREEBUSY", "free/busy block UID fb-4B1F0A2E9C3D5E6F (VFREEBUSY): skipped"),
        ("DURATION:PT1W", "its DURATION 'PT1W' read as 'P1W'"),
        ("RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO, TU", "spaces in its RRULE ignored"),
        ("SEQUENCE:", "its SEQUENCE cannot be read: skipped"),
    ]
    assert by_line.keys() == {line_of(name, text) for text, _ in skipped}
    for text, says in skipped:
        assert says in by_line[line_of(name, text)]
    # ... and every busy time of the file is read all the same.
    mondays_and_tuesdays = [datetime(2027, 3, d, 13, tzinfo=UTC) for d in (8, 9, 15, 16)]
    assert starts(reading) == sorted(
        [datetime(2027, 3, 2, 8, tzinfo=UTC), *mondays_and_tuesdays, _paris_midnight(15)]
    )
    week = next(b for b in reading.busy if b.start == _paris_midnight(15))
    assert week.end == _paris_midnight(22)


def _paris_midnight(day: int) -> datetime:
    return datetime(2027, 3, day, tzinfo=PARIS).astimezone(UTC)


def test_a_file_whose_busy_time_cannot_be_known_is_refused_with_each_component() -> None:
    name = "unknowable.ics"
    problems = refused(name)

    def begin_of(uid: str) -> int:
        """The BEGIN:VEVENT line of the event with that UID: the last one before it."""
        lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
        return max(
            n for n in range(1, line_of(name, f"UID:{uid}")) if lines[n - 1] == "BEGIN:VEVENT"
        )

    expected = [
        (
            "planning-offsite-2027@contoso.example",
            "BEGIN:VEVENT",
            "event without a start (DTSTART)",
        ),
        (
            "0p9o8i7u6y5t4r3e2w1q@google.com",
            "DTEND;TZID=Europe/Lisbon:20270310T140000",
            "event that ends (DTEND) before it starts (DTSTART)",
        ),
        (
            "5t6y7u8i9o0p1q2w3e4r@google.com",
            "DTEND:20270312T170000Z",
            "its start (DTSTART) is a date and its end (DTEND) a date-time",
        ),
        ("hand-edited-1@contoso.example", "DURATION:-PT1H", "event of negative length (DURATION)"),
        (
            "hand-edited-2@contoso.example",
            "RRULE:FREQ=DAILY;INTERVAL=0",
            "its recurrence rule (RRULE) 'FREQ=DAILY;INTERVAL=0' cannot be read: its INTERVAL "
            "must be 1 or more",
        ),
        ("hand-edited-3@contoso.example", "BEGIN:VEVENT", "its recurrence cannot be expanded"),
    ]
    assert len(problems) == len(expected)
    for problem, (uid, failing, reason) in zip(problems, expected, strict=True):
        begin = begin_of(uid)
        line = begin if failing == "BEGIN:VEVENT" else line_of(name, failing)
        component = f"(VEVENT of line {begin})" if line != begin else "(VEVENT)"
        assert problem.startswith(f"{FIXTURES / name}: line {line}: event UID {uid} {component}: ")
        assert reason in problem
    subjects = ["Planning offsite", "Press interview", "Strategy day", "Call with auditors"]
    assert not any(subject in problem for subject in subjects for problem in problems)


def test_an_all_day_event_ending_on_its_start_day_blocks_that_day_in_the_persons_zone() -> None:
    for tz in (PARIS, ZoneInfo("Asia/Tokyo")):
        blocks = read("google-x-wr-timezone.ics", tz).busy
        day = [b for b in blocks if b.end - b.start == timedelta(days=1)]
        assert [(b.start, b.end) for b in day] == [
            (
                datetime(2027, 3, 4, tzinfo=tz).astimezone(UTC),
                datetime(2027, 3, 5, tzinfo=tz).astimezone(UTC),
            )
        ]


def test_x_wr_timezone_governs_floating_times_and_utc_series() -> None:
    """Google writes X-WR-TIMEZONE: a floating 09:00 is 09:00 in New York whoever reads
    it, and a weekly series written in UTC keeps 09:00 New York across its DST change."""
    new_york = ZoneInfo("America/New_York")
    for tz in (PARIS, ZoneInfo("Asia/Tokyo")):
        timed = [
            b.start
            for b in read("google-x-wr-timezone.ics", tz).busy
            if b.end - b.start < timedelta(days=1)
        ]
        assert timed == [
            datetime(2027, 3, 3, 9, tzinfo=new_york).astimezone(UTC),
            *weekly(date(2027, 3, 8), 2, time(9), new_york),
        ]


def test_a_used_vtimezone_that_cannot_be_read_is_a_problem_at_the_line_using_it(
    tmp_path: Path,
) -> None:
    text = (FIXTURES / "skippable-parts.ics").read_text(encoding="utf-8")
    used = text.replace("DTSTART:20270302T080000Z", "DTSTART;TZID=W. Europe:20270302T090000")
    path = tmp_path / "used.ics"
    path.write_text(used, encoding="utf-8")
    with pytest.raises(IcsError) as raised:
        read_ics(path, PARIS, *WINDOW)
    (problem,) = raised.value.problems
    definition = line_of("skippable-parts.ics", "BEGIN:VTIMEZONE")
    use = line_of("skippable-parts.ics", "DTSTART:20270302T080000Z")
    assert problem.startswith(f"{path}: line {use}: event UID 4B1F0A2E9C3D5E6F00C1258A004F2E11")
    assert (
        f"time zone 'W. Europe' (DTSTART TZID) is defined by the VTIMEZONE of line {definition}, "
        "which cannot be read (mandatory DTSTART not found)"
    ) in problem


def test_begin_and_end_that_do_not_nest_are_refused_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.ics"
    path.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VCALENDAR\n", encoding="utf-8")
    with pytest.raises(IcsError, match=r"cut\.ics: line 4: END:VCALENDAR where VEVENT of line 2"):
        read_ics(path, PARIS, *WINDOW)
