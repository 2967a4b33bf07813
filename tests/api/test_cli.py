"""The `tandem` command through its real entry point (the installed console script)."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMITTEE = ROOT / "scenarios" / "executive-committee.yaml"


def tandem(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "tandem"
    # As a planner's shell runs it: output to a pipe is buffered (CI may say otherwise).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [str(command), *map(str, args)], capture_output=True, text=True, timeout=300, env=env
    )


@pytest.fixture(scope="module")
def planned(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    return tandem("plan", COMMITTEE, "--out", out, "--time-limit", "20"), out


def test_plan_prints_a_summary_and_writes_the_plan(
    planned: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, out = planned
    assert result.returncode == 0, result.stderr
    assert "Sessions placed: " in result.stdout
    assert "How it was found: proven best: no plan can place more sessions" in result.stdout
    # The command ends its process at once (`api.cli._leave_at_once`): the summary is
    # written whole first, to the last line, through a pipe's buffer too.
    assert result.stdout.rstrip().splitlines()[-1].startswith("Next: see who meets whom")
    plan = json.loads(out.read_text())
    assert set(plan) >= {"scenario", "solver", "sessions", "unplaced", "metrics"}
    assert plan["metrics"]["placed"] == len(plan["sessions"]) > 100
    assert plan["metrics"]["required"] == len(plan["sessions"]) + len(plan["unplaced"])
    first = plan["sessions"][0]
    assert set(first) >= {"pair", "index", "mentor", "mentee", "start", "end", "moved"}
    assert first["start"].endswith("Z") and first["moved"] is False
    assert all(item["reason"] for item in plan["unplaced"])


def test_verify_accepts_the_plan_and_catches_a_hand_edit(
    planned: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, out = planned
    ok = tandem("verify", COMMITTEE, out)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("valid: ")
    plan = json.loads(out.read_text())
    session = plan["sessions"][0]
    session["start"] = session["start"][:11] + "03:00:00Z"  # the middle of the night
    session.pop("end")
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(plan))
    bad = tandem("verify", COMMITTEE, edited)
    assert bad.returncode == 1
    assert f"{session['pair']}#{session['index']}: working_hours:" in bad.stdout


def test_check_validates_only() -> None:
    result = tandem("check", COMMITTEE)
    assert result.returncode == 0
    assert "valid: 24 people, 12 pairs, 150 sessions to place" in result.stdout


def test_what_a_calendar_file_skipped_is_shown_and_kept_in_the_plan(tmp_path: Path) -> None:
    fixture = ROOT / "tests" / "fixtures" / "calendars" / "skippable-parts.ics"
    (tmp_path / "notes.ics").write_bytes(fixture.read_bytes())
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("""version: 1
horizon: {start: 2027-03-08, weeks: 1}
people:
  - {id: m1, role: mentor}
  - {id: e1, role: executive, calendar: {ics: notes.ics}}
pairs: [{id: p1, mentor: m1, mentee: e1}]
""")
    checked = tandem("check", scenario)
    assert checked.returncode == 0, checked.stderr
    shown = [line for line in checked.stderr.splitlines() if line.startswith("warning: ")]
    assert len(shown) == 7
    assert all("people[1].calendar.ics (line 5): " in line for line in shown)
    lines = fixture.read_text(encoding="utf-8").splitlines()
    trigger, valarm = lines.index("TRIGGER:-PT15MIN") + 1, lines.index("BEGIN:VALARM") + 1
    assert any(f"notes.ics: line {trigger}: alarm (VALARM of line {valarm})" in w for w in shown)
    out = tmp_path / "plan.json"
    planned = tandem("plan", scenario, "--out", out, "--quiet", "--time-limit", "5")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(out.read_text())["input_warnings"] == [w[len("warning: ") :] for w in shown]


def test_a_wrong_scenario_exits_2_naming_the_field_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(COMMITTEE.read_text().replace("mentee: cfo}", "mentee: cfx}"))
    result = tandem("plan", broken)
    assert result.returncode == 2
    assert "pairs[1].mentee (line " in result.stderr and "unknown person 'cfx'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_and_a_bad_plan_file(tmp_path: Path) -> None:
    missing = tandem("check", tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    plan = tmp_path / "plan.json"
    plan.write_text('{"sessions": [{"pair": "p-ceo", "index": 0, "start": "2027-01-05T10:00"}]}')
    result = tandem("verify", COMMITTEE, plan)
    assert result.returncode == 2
    assert "sessions[0].start" in result.stderr and "Traceback" not in result.stderr


def test_the_greedy_baseline(tmp_path: Path) -> None:
    out = tmp_path / "greedy.json"
    result = tandem("plan", COMMITTEE, "--solver", "greedy", "--out", out, "--quiet")
    assert result.returncode == 0
    assert json.loads(out.read_text())["solver"]["name"] == "greedy"
    assert tandem("verify", COMMITTEE, out).returncode == 0


def test_replan_from_an_earlier_plan_and_diff_the_two(
    planned: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, out = planned
    plan = json.loads(out.read_text())
    target = next(s for s in plan["sessions"] if s["index"] == 6)
    scenario_text = COMMITTEE.read_text()
    # The executive's calendar now has a meeting exactly over that session.
    changed = tmp_path / "changed.yaml"
    busy = f"busy: [{{start: {target['start']}, end: {target['end']}}}]"
    changed.write_text(
        scenario_text.replace(
            f"- {{id: {target['mentee']}, role: executive,",
            f"- {{id: {target['mentee']}, role: executive, {busy},",
            1,
        )
    )
    again = tmp_path / "again.json"
    result = tandem(
        "plan",
        changed,
        "--current",
        out,
        "--now",
        "2027-01-01T09:00+01:00",
        "--out",
        again,
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    replanned = json.loads(again.read_text())
    moved = [s for s in replanned["sessions"] if s["moved"]]
    assert [(s["pair"], s["index"]) for s in moved] == [(target["pair"], 6)]
    assert moved[0]["moved_because"].startswith("busy_time:")
    assert "Moved sessions: 1" in result.stdout
    diff = tandem("diff", out, again)
    assert diff.returncode == 0
    assert diff.stdout.splitlines()[-1] == "0 added, 0 removed, 1 moved"
    assert diff.stdout.startswith(f"moved   {target['pair']}#6 from ")


def edited_plan(out: Path, tmp_path: Path, edit: Any) -> tuple[dict[str, Any], Path]:
    """The plan of `out` with one session changed by `edit`, written to a new file."""
    plan = json.loads(out.read_text())
    session = next(s for s in plan["sessions"] if s["index"] == 3)
    edit(plan, session)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(plan))
    return session, edited


def test_verify_reports_a_local_time_that_disagrees_with_the_start(
    planned: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, out = planned
    assert tandem("verify", COMMITTEE, out).stdout.startswith("valid: ")

    def an_hour_later(plan: dict[str, Any], session: dict[str, Any]) -> None:
        local = datetime.fromisoformat(session["mentee_local"]) + timedelta(hours=1)
        session["mentee_local"] = local.isoformat()

    session, edited = edited_plan(out, tmp_path, an_hour_later)
    result = tandem("verify", COMMITTEE, edited)
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if "local_time" in line]
    assert line.startswith(
        f"{session['pair']}#3: local_time: mentee_local {session['mentee_local']} is not the "
        f"start {session['start']} ("
    )
    assert "1 violation(s)" in result.stdout


def test_a_plan_file_with_an_unknown_key_is_refused_naming_it(
    planned: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, out = planned

    def misspelt(plan: dict[str, Any], session: dict[str, Any]) -> None:
        session["stauts"] = "declined"
        plan["comment"] = "edited by HR"

    _, edited = edited_plan(out, tmp_path, misspelt)
    position = ["stauts" in s for s in json.loads(edited.read_text())["sessions"]].index(True)
    for command in (("verify", COMMITTEE, edited), ("plan", COMMITTEE, "--current", edited)):
        result = tandem(*command)
        assert result.returncode == 2, result.stdout
        assert f"sessions[{position}].stauts: unknown key (not in the plan format)" in result.stderr
        assert "comment: unknown key (not in the plan format)" in result.stderr


def test_a_status_declined_written_into_a_plan_is_honoured_by_the_re_plan(
    planned: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, out = planned

    def declined_by_the_executive(plan: dict[str, Any], session: dict[str, Any]) -> None:
        session.update(status="declined", declined_by="executive")

    declined, edited = edited_plan(out, tmp_path, declined_by_the_executive)
    again = tmp_path / "again.json"
    now = ("--now", "2027-01-01T09:00+01:00")
    result = tandem(
        "plan", COMMITTEE, "--current", edited, *now, "--out", again, "--time-limit", "20"
    )
    assert result.returncode == 0, result.stderr
    replanned = json.loads(again.read_text())
    moved = [s for s in replanned["sessions"] if s["moved"]]
    assert [(s["pair"], s["index"]) for s in moved] == [(declined["pair"], 3)]
    assert moved[0]["moved_because"].startswith("the session was declined at ")
    assert moved[0]["declined"] == [{"start": declined["start"], "by": "executive"}]
    executive_day = datetime.fromisoformat(declined["mentee_local"]).date()
    assert datetime.fromisoformat(moved[0]["mentee_local"]).date() != executive_day
    # The plan remembers the decline: put back by hand, `verify` refuses it.
    assert tandem("verify", COMMITTEE, again).returncode == 0

    def put_back(plan: dict[str, Any], session: dict[str, Any]) -> None:
        for key in ("start", "end", "mentee_local", "mentor_local"):
            session[key] = declined[key]

    _, back = edited_plan(again, tmp_path, put_back)
    refused = tandem("verify", COMMITTEE, back)
    assert refused.returncode == 1
    assert f"{declined['pair']}#3: declined_time: overlaps the time" in refused.stdout
