"""`tandem invite SCENARIO PLAN.json [--dry-run]` through the installed command, against the
Graph stand-in; and `tandem plan` and `tandem whatif`, which never write to a calendar."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.service import run_tandem
from tests.graph_standin import Meeting, StandIn, running
from tests.invitations.chaos import write_json
from tests.invitations.programmes import big_scenario, spread_plan


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[tuple[StandIn, dict[str, str]]]:
    with running(tmp_path) as served:
        yield served


def tandem(environment: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_tandem(*args, environment=environment)


def lines(text: str, start: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith(start))


def test_invite_dry_run_then_for_real_then_nothing_left_to_do(
    standin: tuple[StandIn, dict[str, str]], tmp_path: Path
) -> None:
    state, graph = standin
    environment = {**graph, "TANDEM_DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    raw = big_scenario(pairs=3, sessions=2)
    scenario = write_json(tmp_path / "scenario.json", raw)
    plan = write_json(tmp_path / "plan.json", spread_plan(raw))

    dry = tandem(environment, "invite", scenario, plan, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert lines(dry.stdout, "would create ") == 6
    assert "nothing was sent" in dry.stdout and state.event_requests == []

    sent = tandem(environment, "invite", scenario, plan)
    assert sent.returncode == 0, sent.stderr
    assert "created 6, moved 0, cancelled 0" in sent.stdout
    assert len(state.live_events()) == 6

    again = tandem(environment, "invite", scenario, plan)
    assert again.returncode == 0, again.stderr
    assert "created 0, moved 0, cancelled 0; 6 meetings already matched" in again.stdout
    assert len(state.live_events()) == 6

    moved = spread_plan(raw, shift_minutes=60)
    moved["sessions"] = moved["sessions"][:5]
    replanned = write_json(tmp_path / "moved.json", moved)
    preview = tandem(environment, "invite", scenario, replanned, "--dry-run")
    assert lines(preview.stdout, "would move ") == 5
    assert lines(preview.stdout, "would cancel ") == 1
    applied = tandem(environment, "invite", scenario, replanned)
    assert "created 0, moved 5, cancelled 1" in applied.stdout, applied.stdout + applied.stderr
    assert len(state.live_events()) == 5


def test_invite_errors_name_the_field_or_the_setting(tmp_path: Path) -> None:
    environment = {"TANDEM_DATABASE_URL": f"sqlite:///{tmp_path / 'state.db'}"}
    environment.update({k: "" for k in os.environ if k.startswith("TANDEM_GRAPH_")})
    raw = big_scenario(pairs=1, sessions=1)
    scenario = write_json(tmp_path / "scenario.json", raw)
    plan = spread_plan(raw)
    no_graph = tandem(environment, "invite", scenario, write_json(tmp_path / "p.json", plan))
    assert no_graph.returncode == 2
    assert "TANDEM_GRAPH_TENANT_ID" in no_graph.stderr and "Traceback" not in no_graph.stderr
    plan["sessions"][0]["pair"] = "p9"
    stranger = tandem(environment, "invite", scenario, write_json(tmp_path / "q.json", plan))
    assert stranger.returncode == 2
    assert "sessions[0].pair: unknown pair 'p9'" in stranger.stderr
    plan["sessions"][0].update(pair="p0", status="declined")
    declined = tandem(environment, "invite", scenario, write_json(tmp_path / "d.json", plan))
    assert declined.returncode == 2
    assert "sessions[0].status: a declined session is not sent: re-plan first" in declined.stderr
    del plan["sessions"][0]["status"]
    del raw["people"][0]["email"]
    plan["sessions"][0]["pair"] = "p0"
    no_address = tandem(
        environment,
        "invite",
        write_json(tmp_path / "s.json", raw),
        write_json(tmp_path / "r.json", plan),
        "--dry-run",
    )
    assert no_address.returncode == 2
    assert "people[0].email: required: invitations go through Outlook" in no_address.stderr


def test_plan_and_whatif_never_write_to_a_calendar(
    standin: tuple[StandIn, dict[str, str]], tmp_path: Path
) -> None:
    state, graph = standin
    for address in ("ceo@contoso.example", "mentor@contoso.example"):
        state.calendars[address] = [Meeting(start=_day(2), end=_day(2, 10))]
    document = {
        "version": 1,
        "timezone": "Europe/Paris",
        "horizon": {"start": "2027-03-01", "weeks": 2},
        "people": [
            {
                "id": "ceo",
                "role": "executive",
                "email": "ceo@contoso.example",
                "calendar": {"graph": True},
            },
            {
                "id": "ana",
                "role": "mentor",
                "email": "mentor@contoso.example",
                "calendar": {"graph": True},
            },
        ],
        "pairs": [{"id": "p1", "mentor": "ana", "mentee": "ceo"}],
        "variations": [{"name": "biweekly", "set": {"rules.cadence": "biweekly"}}],
    }
    scenario = write_json(tmp_path / "graph.json", document)
    planned = tandem(graph, "plan", scenario, "--out", tmp_path / "plan.json", "--quiet")
    compared = tandem(graph, "whatif", scenario, "--time-limit", "5")
    assert planned.returncode == 0 and compared.returncode == 0, planned.stderr + compared.stderr
    assert len(json.loads((tmp_path / "plan.json").read_text())["sessions"]) == 2
    assert state.requests, "the calendars were read through Graph"
    assert state.event_requests == [] and state.events == {}


def _day(day: int, hour: int = 9) -> object:
    from datetime import datetime

    return datetime(2027, 3, day, hour)
