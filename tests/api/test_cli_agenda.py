"""`tandem agenda` and the planner's way around the command line, through the installed
console script."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.api.test_cli import COMMITTEE, tandem


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("agenda") / "plan.json"
    result = tandem("plan", COMMITTEE, "--out", out, "--time-limit", "20", "--quiet")
    assert result.returncode == 0, result.stderr
    return result.stdout, out


def first_session_of(plan: Path, person: str) -> dict[str, str]:
    sessions = json.loads(plan.read_text())["sessions"]
    return next(s for s in sessions if person in (s["mentor"], s["mentee"]))


def test_the_summary_rolls_up_the_unplaced_and_ends_with_the_agenda(
    plan_file: tuple[str, Path],
) -> None:
    summary, out = plan_file
    lines = summary.splitlines()
    by_reason = next(i for i, line in enumerate(lines) if "by reason:" in line)
    by_pair = next(i for i, line in enumerate(lines) if "by pair:" in line)
    first_single = next(i for i, line in enumerate(lines) if "#" in line and "week of" in line)
    assert by_reason < by_pair < first_single
    assert "hours of sessions per month each" in summary
    assert "(gc)" not in summary and "cpsat" not in summary
    assert lines[-1].startswith(f"Next: see who meets whom, when: tandem agenda {out}")


def test_the_agenda_of_one_person_shows_both_local_times(plan_file: tuple[str, Path]) -> None:
    _, out = plan_file
    first = first_session_of(out, "ceo")
    day = date.fromisoformat(first["mentee_local"][:10])
    monday = str(day - timedelta(days=day.weekday()))
    result = tandem("agenda", out, "--person", "ceo", "--week", monday)
    assert result.returncode == 0, result.stderr
    local = first["mentee_local"][11:16]
    assert f"{local}-" in result.stdout and first["mentor"] in result.stdout
    assert f"week of {monday} (ceo)" in result.stdout
    assert "cto" not in result.stdout  # another executive's sessions are not shown


def test_the_csv_opens_in_a_spreadsheet_with_dates_and_times_apart(
    plan_file: tuple[str, Path], tmp_path: Path
) -> None:
    _, out = plan_file
    target = tmp_path / "agenda.csv"
    result = tandem("agenda", out, "--format", "csv", "--out", target)
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel reads as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    plan = json.loads(out.read_text())
    assert len(rows) == len(plan["sessions"])
    session = plan["sessions"][0]
    row = next(
        r for r in rows if r["pair"] == session["pair"] and r["session"] == str(session["index"])
    )
    assert row["person"] == session["mentee"] and row["with"] == session["mentor"]
    assert row["date"] == session["mentee_local"][:10]
    assert row["start"] == session["mentee_local"][11:16]
    assert row["their_start"] == session["mentor_local"][11:16]
    assert row["start_utc"] == session["start"]


def test_ics_files_hold_each_persons_neutral_private_sessions(
    plan_file: tuple[str, Path], tmp_path: Path
) -> None:
    _, out = plan_file
    folder = tmp_path / "calendars"
    result = tandem("agenda", out, "--format", "ics", "--out", folder)
    assert result.returncode == 0, result.stderr
    plan = json.loads(out.read_text())
    mine = [s for s in plan["sessions"] if "ceo" in (s["mentor"], s["mentee"])]
    calendar = Calendar.from_ical((folder / "ceo.ics").read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == len(mine)
    assert {str(e["SUMMARY"]) for e in events} == {"Reverse mentoring session"}
    assert {str(e["CLASS"]) for e in events} == {"PRIVATE"}
    starts = sorted(e.decoded("DTSTART").strftime("%Y-%m-%dT%H:%M:%SZ") for e in events)
    assert starts == sorted(s["start"] for s in mine)
    assert {p.name for p in folder.iterdir()} >= {"ceo.ics", "m-ana.ics", "cto.ics"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--person", "nobody"), "--person nobody: not in this plan"),
        (
            ("--week", "2027-01-12"),
            "--week 2027-01-12: a Tuesday; give the week's Monday (2027-01-11)",
        ),
        (("--week", "2030-01-07"), "--week 2030-01-07: outside the plan"),
        (("--week", "soon"), "'soon' is not a date"),
        (("--format", "ics"), "--format ics writes one file per person: give --out FOLDER"),
    ],
)
def test_agenda_errors_are_one_clear_line(
    plan_file: tuple[str, Path], arguments: tuple[str, ...], message: str
) -> None:
    _, out = plan_file
    result = tandem("agenda", out, *arguments)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_scenario_given_as_the_plan_is_named_as_such() -> None:
    result = tandem("agenda", COMMITTEE)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is not a plan" in result.stderr and "tandem plan SCENARIO --out" in result.stderr


def test_bare_tandem_prints_help_and_every_command_ends_with_an_example() -> None:
    bare = tandem()
    assert bare.returncode == 2 and "usage: tandem" in bare.stdout and "agenda" in bare.stdout
    assert tandem("--version").stdout.startswith("tandem ")
    for command in ("plan", "agenda", "match", "check", "verify", "whatif", "diff", "invite"):
        shown = tandem(command, "--help").stdout
        assert "example:\n  tandem " + command in shown, command
        assert "exit codes: 0 " in shown, command
    assert "a plan file written by `tandem plan --out`" in tandem("agenda", "--help").stdout


def test_now_in_another_form_is_explained_and_a_lone_now_warns(tmp_path: Path) -> None:
    wrong = tandem("plan", COMMITTEE, "--now", "tomorrow")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "'tomorrow' is not a date and time" in wrong.stderr
    assert "2027-03-09T09:00+01:00" in wrong.stderr
    late = tandem("plan", COMMITTEE, "--now", "2028-01-03T09:00+01:00", "--solver", "greedy")
    assert late.returncode == 0, late.stderr
    warnings = [line for line in late.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2
    assert "--now without --current" in warnings[0]
    assert "is after the horizon (it ends on 2027-04-" in warnings[1]


def test_a_dry_run_of_invitations_writes_no_database(
    plan_file: tuple[str, Path], tmp_path: Path
) -> None:
    _, out = plan_file
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    command = Path(sys.executable).parent / "tandem"
    result = subprocess.run(
        [str(command), "invite", str(COMMITTEE), str(out), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    assert "would create" in result.stdout
    assert list(tmp_path.iterdir()) == []
