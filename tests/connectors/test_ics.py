"""ICS calendar files: recurrences and their exceptions, zones, all-day and floating times."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from connectors.ics import IcsError, read_ics, utc_window
from connectors.scenarios import load_problem
from scheduler.errors import ScenarioError
from scheduler.plan_format import plan_to_dict
from tests.builders import checked_plan, local_starts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calendars"
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def busy(tz: ZoneInfo = PARIS) -> list[tuple[str, str, str]]:
    """(local start, local end, status) in `tz`, over March and April 2027."""
    blocks = read_ics(
        FIXTURES / "executive.ics", tz, *utc_window(date(2027, 3, 1), date(2027, 4, 30))
    ).busy
    return [
        (
            b.start.astimezone(tz).strftime("%m-%d %H:%M"),
            b.end.astimezone(tz).strftime("%m-%d %H:%M"),
            b.status,
        )
        for b in blocks
    ]


def test_a_weekly_series_keeps_local_time_across_dst_with_its_exceptions() -> None:
    mondays = [
        b for b in busy() if b[0][:5] in ("03-01", "03-08", "03-15", "03-22", "03-29", "04-05")
    ]
    assert mondays == [
        ("03-01 10:00", "03-01 11:00", "busy"),
        ("03-08 10:00", "03-08 11:00", "busy"),
        # 03-15 is an EXDATE; 03-22 was moved to the afternoon; 04-05 was cancelled
        ("03-22 14:00", "03-22 15:00", "busy"),
        ("03-29 10:00", "03-29 11:00", "busy"),  # after the change to summer time
    ]


def test_all_day_floating_utc_and_statuses() -> None:
    blocks = busy()
    assert ("03-10 00:00", "03-11 00:00", "busy") in blocks  # all-day, opaque
    assert ("03-09 00:00", "03-10 00:00", "free") in blocks  # a transparent birthday is free
    assert ("03-11 15:00", "03-11 16:00", "busy") in blocks  # floating: the person's time
    assert ("03-12 09:00", "03-12 10:30", "busy") in blocks  # 08:00Z with a duration
    assert ("03-16 16:00", "03-16 17:00", "tentative") in blocks
    assert not any(b[0].startswith("03-17") for b in blocks)  # cancelled
    assert ("03-30 09:00", "03-30 18:00", "oof") in blocks  # Outlook's zone name and OOF


def test_floating_and_all_day_times_follow_the_persons_zone() -> None:
    blocks = busy(NEW_YORK)
    assert ("03-11 15:00", "03-11 16:00", "busy") in blocks
    assert ("03-10 00:00", "03-11 00:00", "busy") in blocks
    assert ("03-01 04:00", "03-01 05:00", "busy") in blocks  # a Paris meeting seen from New York


def test_nothing_but_free_busy_is_kept() -> None:
    blocks = read_ics(
        FIXTURES / "executive.ics", PARIS, *utc_window(date(2027, 3, 1), date(2027, 3, 8))
    ).busy
    assert all(
        set(vars(b) if hasattr(b, "__dict__") else b.__slots__) <= {"start", "end", "status"}
        for b in blocks
    )
    assert blocks[0].start == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_a_broken_file_names_the_file_and_the_line() -> None:
    with pytest.raises(IcsError, match=r"broken\.ics: line 5: .*2027031"):
        read_ics(FIXTURES / "broken.ics", PARIS, *utc_window(date(2027, 3, 1), date(2027, 4, 1)))


def scenario_file(tmp_path: Path, calendar: str) -> Path:
    (tmp_path / "cal").mkdir(exist_ok=True)
    for name in ("executive.ics", "broken.ics", "skippable-parts.ics", "tz-one.ics"):
        (tmp_path / "cal" / name).write_bytes((FIXTURES / name).read_bytes())
    path = tmp_path / "scenario.yaml"
    path.write_text(f"""version: 1
timezone: Europe/Paris
horizon: {{start: 2027-03-08, weeks: 1}}
people:
  - {{id: m1, role: mentor, working_hours: {{mon-fri: ["09:00-12:00"]}}}}
  - id: e1
    role: executive
    calendar: {{ics: cal/{calendar}}}
    working_hours: {{mon-fri: ["10:00-12:00"]}}
pairs: [{{id: p1, mentor: m1, mentee: e1}}]
""")
    return path


def test_a_scenario_reads_the_calendar_relative_to_its_file_and_plans_around_it(
    tmp_path: Path,
) -> None:
    problem = load_problem(scenario_file(tmp_path, "executive.ics"))
    plan = checked_plan(problem)
    # Monday 10:00-11:00 is the board sync: the earliest common start is 11:00.
    assert local_starts(problem, plan, "e1") == ["2027-03-08 11:00"]


def test_a_broken_calendar_is_a_validation_error_of_the_scenario(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_problem(scenario_file(tmp_path, "broken.ics"))
    (error,) = [str(e) for e in raised.value.errors]
    assert error.startswith("people[1].calendar.ics (line 8): ")
    assert "broken.ics: line 5:" in error


def test_what_a_calendar_file_skipped_reaches_the_problem_and_the_plan(tmp_path: Path) -> None:
    problem = load_problem(scenario_file(tmp_path, "skippable-parts.ics"))
    alarm = _line_of("skippable-parts.ics", "TRIGGER:-PT15MIN")
    assert len(problem.input_warnings) == 7
    assert all(w.startswith("people[1].calendar.ics (line 8): ") for w in problem.input_warnings)
    assert any(
        f"skippable-parts.ics: line {alarm}: alarm (VALARM of line" in w
        for w in problem.input_warnings
    )
    plan = plan_to_dict(problem, checked_plan(problem))
    assert plan["input_warnings"] == list(problem.input_warnings)
    assert plan["warnings"] == []  # those stay the frozen sessions' own


def test_every_problem_of_a_refused_calendar_is_an_error_of_its_field(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_problem(scenario_file(tmp_path, "tz-one.ics"))
    (error,) = [str(e) for e in raised.value.errors]
    line = _line_of("tz-one.ics", 'DTSTART;TZID=" 1":20270302T100000')
    assert error.startswith(f"people[1].calendar.ics (line 8): {tmp_path / 'cal' / 'tz-one.ics'}")
    assert f"tz-one.ics: line {line}: event UID crm-activity-88412" in error


def _line_of(name: str, text: str) -> int:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return lines.index(text) + 1
