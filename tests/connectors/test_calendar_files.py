"""`calendar: {ics: PATH}` reads only regular files in the scenario's folder and below (or in
folders allowed by TANDEM_CALENDAR_FOLDERS), and an error never quotes a file's content.
Before: any path was read, and `/proc/self/environ` printed the environment's secrets in
the parse error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.scenarios import load_problem
from scheduler.errors import ScenarioError

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Tandem tests//EN\r
BEGIN:VEVENT\r
UID:one@tandem.test\r
DTSTAMP:20261201T000000Z\r
DTSTART:20270105T100000Z\r
DTEND:20270105T110000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


def scenario_with_calendar(folder: Path, path: str) -> Path:
    scenario = folder / "s.yaml"
    scenario.write_text(
        "version: 1\nhorizon: {start: 2027-01-04, weeks: 1}\npeople:\n"
        "  - {id: m1, role: mentor}\n"
        f"  - {{id: e1, role: executive, calendar: {{ics: '{path}'}}}}\n"
        "pairs:\n  - {id: p1, mentor: m1, mentee: e1}\n"
    )
    return scenario


def calendar_error(folder: Path, path: str) -> str:
    with pytest.raises(ScenarioError) as raised:
        load_problem(scenario_with_calendar(folder, path))
    [error] = raised.value.errors
    assert error.path.startswith("people[1].calendar.ics")
    return error.message


def test_a_calendar_in_the_folder_or_below_is_read(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "e1.ics").write_text(ICS)
    problem = load_problem(scenario_with_calendar(tmp_path, "calendars/e1.ics"))
    assert len(problem.people["e1"].busy) == 1


@pytest.mark.parametrize("path", ["/proc/self/environ", "/dev/zero", "/sys/kernel/notes"])
def test_system_files_are_refused_and_never_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setenv("TANDEM_TEST_SECRET", "hunter2-do-not-print")
    monkeypatch.setenv("TANDEM_CALENDAR_FOLDERS", "/")  # even where every folder is allowed
    message = calendar_error(tmp_path, path)
    assert "a system file" in message and "hunter2" not in message


def test_a_file_outside_the_folder_is_refused_unless_its_folder_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenarios, shared = tmp_path / "scenarios", tmp_path / "shared"
    scenarios.mkdir()
    shared.mkdir()
    (shared / "e1.ics").write_text(ICS)
    assert "outside the scenario's folder" in calendar_error(scenarios, "../shared/e1.ics")
    assert "outside the scenario's folder" in calendar_error(scenarios, str(shared / "e1.ics"))
    monkeypatch.setenv("TANDEM_CALENDAR_FOLDERS", str(shared))
    problem = load_problem(scenario_with_calendar(scenarios, "../shared/e1.ics"))
    assert len(problem.people["e1"].busy) == 1


def test_a_symlink_is_followed_only_inside_the_allowed_folders(tmp_path: Path) -> None:
    scenarios, outside = tmp_path / "scenarios", tmp_path / "outside"
    scenarios.mkdir()
    outside.mkdir()
    (outside / "secret.ics").write_text(ICS)
    (scenarios / "escape.ics").symlink_to(outside / "secret.ics")
    assert "outside the scenario's folder" in calendar_error(scenarios, "escape.ics")
    (scenarios / "real.ics").write_text(ICS)
    (scenarios / "alias.ics").symlink_to(scenarios / "real.ics")
    assert len(load_problem(scenario_with_calendar(scenarios, "alias.ics")).people["e1"].busy)


def test_a_fifo_or_a_folder_is_not_a_calendar(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.ics")  # reading it would wait forever
    assert "not a regular file" in calendar_error(tmp_path, "pipe.ics")
    (tmp_path / "folder.ics").mkdir()
    assert "not a regular file" in calendar_error(tmp_path, "folder.ics")


def test_a_calendar_past_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_MAX_FILE_MB", "1")
    (tmp_path / "big.ics").write_text(ICS + "X-FILL:" + "x" * 1_000_000 + "\r\n")
    assert "larger than the limit of 1 MB" in calendar_error(tmp_path, "big.ics")


def test_the_command_line_refuses_it_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    scenario = scenario_with_calendar(tmp_path, "/proc/self/environ")
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "check", str(scenario)],
        capture_output=True,
        text=True,
        env={**os.environ, "TANDEM_TEST_SECRET": "hunter2-do-not-print"},
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    assert "a system file" in result.stderr
