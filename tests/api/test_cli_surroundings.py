"""The command line never prints a traceback when its surroundings fail: a database that
cannot be reached or is no database (exit 3), an output path that is a folder or lies
inside a file (exit 2, checked before any solving, so no solve is lost), a count of
processes below 1 (exit 2). Before: tracebacks, and a plan lost after its solve."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.api.service import run_tandem

ROOT = Path(__file__).resolve().parents[2]
COMMITTEE = ROOT / "scenarios" / "executive-committee.yaml"


def tandem(*args: str | Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return run_tandem(*args, environment=environment)


def failed_cleanly(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://tandem:s3cret-password@127.0.0.1:1/tandem",  # nothing listens there
        "nosuchdialect://somewhere/db",
        "sqlite:////nonexistent-folder/tandem.db",
        "not a url at all",
    ],
)
@pytest.mark.parametrize(
    "command",
    [("keys", "create", "--tenant", "t"), ("keys", "revoke", "k"), ("serve", "--port", "1")],
)
def test_a_database_that_cannot_be_used_is_named_without_its_password(
    url: str, command: tuple[str, ...]
) -> None:
    line = failed_cleanly(tandem(*command, TANDEM_DATABASE_URL=url), 3)
    assert "cannot be used (TANDEM_DATABASE_URL)" in line
    assert "s3cret" not in line


def test_a_worker_without_its_database_says_so(tmp_path: Path) -> None:
    result = tandem(
        "worker",
        TANDEM_DATABASE_URL="postgresql://tandem@127.0.0.1:1/tandem",
        TANDEM_BROKER_FOLDER=str(tmp_path),
    )
    assert "cannot be used" in failed_cleanly(result, 3)


def test_an_output_path_that_is_a_folder_is_refused_before_solving(tmp_path: Path) -> None:
    result = tandem("plan", COMMITTEE, "--out", tmp_path)  # with progress lines, if it solved
    assert failed_cleanly(result, 2) == f"error: --out {tmp_path}: is a folder; give a file name"
    assert result.stdout == ""  # no summary: nothing was planned


def test_an_output_path_inside_a_file_is_refused_before_solving(tmp_path: Path) -> None:
    a_file = tmp_path / "plan.json"
    a_file.write_text("{}")
    line = failed_cleanly(tandem("plan", COMMITTEE, "--out", a_file / "x.json"), 2)
    assert f"{a_file} is a file, not a folder" in line
    assert a_file.read_text() == "{}"


def test_whatif_outputs_are_checked_before_planning(tmp_path: Path) -> None:
    whatif = ROOT / "scenarios" / "whatif-committee.yaml"
    a_file = tmp_path / "plans"
    a_file.write_text("")
    assert "is a file; give a folder" in failed_cleanly(
        tandem("whatif", whatif, "--out", a_file), 2
    )
    assert "is a folder" in failed_cleanly(tandem("whatif", whatif, "--html", tmp_path), 2)


def test_a_snapshot_path_is_checked_before_any_mailbox_is_read(tmp_path: Path) -> None:
    graph = ROOT / "scenarios" / "graph-demo.yaml"
    line = failed_cleanly(tandem("calendars", "fetch", graph, "--out", tmp_path), 2)
    assert "is a folder" in line  # and not the missing Graph settings: it came first


@pytest.mark.parametrize("command", ["plan", "whatif"])
@pytest.mark.parametrize("count", ["0", "-1"])
def test_fewer_than_one_process_is_refused(command: str, count: str) -> None:
    result = tandem(command, COMMITTEE, "--processes", count)
    assert result.returncode == 2 and "is not 1 or more" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_plan_is_written_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "plan.json"
    result = tandem("plan", COMMITTEE, "--out", out, "--quiet", "--solver", "greedy")
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("{") and out.read_text().endswith("}\n")
    assert sorted(p.name for p in out.parent.iterdir()) == ["plan.json"]
