"""The real Graph client, with real msal, over real HTTPS, against the local stand-in."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from connectors.graph.auth import GraphAuthError
from connectors.graph.client import GraphClient, GraphError
from connectors.graph.settings import GraphSettings
from connectors.graph.zones import graph_working_hours, iana_name
from tests.graph_standin import CLIENT_SECRET, Meeting, StandIn, running

START = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[tuple[StandIn, dict[str, str]]]:
    with running(tmp_path) as served:
        yield served


def client_for(
    environment: dict[str, str], sleeps: list[float] | None = None, **changes: object
) -> GraphClient:
    settings = GraphSettings(
        **{k.removeprefix("TANDEM_GRAPH_").lower(): v for k, v in environment.items()}, **changes
    )
    return GraphClient(settings, sleep=(sleeps.append if sleeps is not None else lambda _: None))


def people(count: int) -> list[str]:
    return [f"person{n}@contoso.example" for n in range(count)]


def test_token_once_then_from_msals_cache_and_subjects_dropped(
    standin: tuple[StandIn, dict[str, str]],
) -> None:
    state, environment = standin
    state.calendars["ceo@contoso.example"] = [
        Meeting(datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 10)),
        Meeting(datetime(2027, 3, 3, 9), datetime(2027, 3, 3, 10), status="tentative"),
        Meeting(datetime(2027, 3, 4, 9), datetime(2027, 3, 4, 17), status="oof"),
        Meeting(datetime(2027, 3, 5, 9), datetime(2027, 3, 5, 10), status="free"),
        Meeting(datetime(2027, 3, 5, 11), datetime(2027, 3, 5, 12), status="workingElsewhere"),
    ]
    client = client_for(environment)
    first = client.schedules(["ceo@contoso.example"], START, START + timedelta(days=7))
    client.schedules(["ceo@contoso.example"], START, START + timedelta(days=7))
    client_for(environment).schedules(["ceo@contoso.example"], START, START + timedelta(days=7))
    assert state.tokens_issued == 1  # one long-lived msal client: its cache serves all three
    busy = first["ceo@contoso.example"].busy
    assert [(b.start.day, b.status) for b in busy] == [(2, "busy"), (3, "tentative"), (4, "oof")]
    assert busy[0].start == datetime(2027, 3, 2, 9, tzinfo=UTC)
    assert all("subject" not in repr(b).lower() and "board" not in repr(b).lower() for b in busy)


def test_chunks_of_twenty_and_windows_under_62_days(
    standin: tuple[StandIn, dict[str, str]],
) -> None:
    state, environment = standin
    for address in people(45):
        state.calendars[address] = [Meeting(datetime(2027, 5, 10, 9), datetime(2027, 5, 10, 10))]
    found = client_for(environment).schedules(people(45), START, START + timedelta(days=100))
    sizes = sorted(len(r["body"]["schedules"]) for r in state.requests)
    assert sizes == [5, 5, 20, 20, 20, 20]  # 3 chunks in each of 2 windows
    spans = {r["body"]["startTime"]["dateTime"] for r in state.requests}
    assert spans == {"2027-03-01T00:00:00", "2027-05-01T00:00:00"}
    assert all(len(found[a].busy) == 1 and found[a].error is None for a in people(45))


def test_an_unknown_mailbox_is_named_and_the_rest_are_read(
    standin: tuple[StandIn, dict[str, str]],
) -> None:
    state, environment = standin
    state.calendars["known@contoso.example"] = [
        Meeting(datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 10))
    ]
    found = client_for(environment).schedules(
        ["known@contoso.example", "gone@contoso.example"], START, START + timedelta(days=7)
    )
    assert found["gone@contoso.example"].error == (
        "The user or group gone@contoso.example cannot be found. (code 5009)"
    )
    assert len(found["known@contoso.example"].busy) == 1


def test_429_honours_retry_after_and_503_backs_off(standin: tuple[StandIn, dict[str, str]]) -> None:
    state, environment = standin
    state.calendars["ceo@contoso.example"] = []
    state.faults = [{"status": 429, "retry_after": 7}, {"status": 503}]
    sleeps: list[float] = []
    found = client_for(environment, sleeps).schedules(
        ["ceo@contoso.example"], START, START + timedelta(days=1)
    )
    assert found["ceo@contoso.example"].error is None
    assert len(state.requests) == 3
    assert sleeps[0] == 7.0
    assert 0.25 <= sleeps[1] <= 1.0  # exponential backoff with jitter, second try


def test_a_timeout_is_retried(standin: tuple[StandIn, dict[str, str]]) -> None:
    state, environment = standin
    state.calendars["ceo@contoso.example"] = []
    state.faults = [{"delay": 2.0}]
    client = client_for(environment, timeout_seconds=0.5)
    found = client.schedules(["ceo@contoso.example"], START, START + timedelta(days=1))
    assert found["ceo@contoso.example"].error is None
    assert len(state.requests) == 2


def test_a_final_failure_names_the_people_and_the_status(
    standin: tuple[StandIn, dict[str, str]],
) -> None:
    state, environment = standin
    state.faults = [{"status": 503}] * 3
    with pytest.raises(GraphError, match=r"ceo@contoso.example: HTTP 503 after 3 tries"):
        client_for(environment, max_tries=3).schedules(
            ["ceo@contoso.example"], START, START + timedelta(days=1)
        )


def test_at_most_the_allowed_requests_per_mailbox_in_flight(
    standin: tuple[StandIn, dict[str, str]],
) -> None:
    state, environment = standin
    state.calendars["ceo@contoso.example"] = []
    state.faults = [{"delay": 0.3}] * 6
    client = client_for(environment, concurrency_per_mailbox=2)
    client.schedules(["ceo@contoso.example"], START, START + timedelta(days=61 * 6))
    assert len(state.requests) == 6
    assert state.max_in_flight["ceo@contoso.example"] == 2


def test_token_errors_name_the_setting_and_never_the_secret(
    standin: tuple[StandIn, dict[str, str]],
) -> None:
    _, environment = standin
    wrong = client_for({**environment, "TANDEM_GRAPH_CLIENT_SECRET": "not-it"})
    with pytest.raises(GraphAuthError) as raised:
        wrong.schedules(["ceo@contoso.example"], START, START + timedelta(days=1))
    assert "AADSTS7000215" in str(raised.value) and "TANDEM_GRAPH_CLIENT_SECRET" in str(
        raised.value
    )
    assert "not-it" not in str(raised.value) and CLIENT_SECRET not in str(raised.value)
    other_app = client_for(
        {**environment, "TANDEM_GRAPH_CLIENT_ID": "00000000-0000-0000-0000-000000000000"}
    )
    with pytest.raises(GraphAuthError, match="TANDEM_GRAPH_CLIENT_ID"):
        other_app.schedules(["ceo@contoso.example"], START, START + timedelta(days=1))


def test_secrets_stay_out_of_the_settings_repr(standin: tuple[StandIn, dict[str, str]]) -> None:
    _, environment = standin
    assert CLIENT_SECRET not in repr(client_for(environment).settings)


def test_working_hours_and_zones_from_the_mailbox() -> None:
    assert iana_name("Pacific Standard Time") == "America/Los_Angeles"
    assert iana_name("Europe/Paris") == "Europe/Paris" and iana_name("Mars Standard Time") is None
    found = graph_working_hours(
        {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:30:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": "W. Europe Standard Time"},
        }
    )
    assert found.hours == {d: ["08:30-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    assert found.zone is not None and found.zone.text == "Europe/Berlin"
    custom = graph_working_hours(
        {
            "daysOfWeek": ["monday"],
            "startTime": "09:00:00",
            "endTime": "17:00:00",
            "timeZone": {
                "@odata.type": "#microsoft.graph.customTimeZone",
                "bias": 300,
                "name": "Customized Time Zone",
            },
        }
    ).zone
    assert custom is not None and custom.text == "<-05>5"  # no daylight rule: five hours west


SCENARIO = """version: 1
timezone: Europe/Paris
horizon: {start: 2027-03-01, weeks: 1}
people:
  - {id: m1, role: mentor, email: mentor@contoso.example, calendar: {graph: true}}
  - {id: e1, role: executive, email: EMAIL, calendar: {graph: true}}
pairs: [{id: p1, mentor: m1, mentee: e1}]
"""


def tandem(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "tandem"
    return subprocess.run(
        [str(command), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **environment},
    )


def new_york_executive(state: StandIn) -> None:
    """The executive's mailbox says 08:00-12:00 New York time, Monday only; 08:00-10:00 is
    taken by a meeting."""
    state.calendars["ceo@contoso.example"] = [
        Meeting(datetime(2027, 3, 1, 13), datetime(2027, 3, 1, 15))
    ]
    state.working_hours["ceo@contoso.example"] = {
        "daysOfWeek": ["monday"],
        "startTime": "08:00:00.0000000",
        "endTime": "12:00:00.0000000",
        "timeZone": {"name": "Eastern Standard Time"},
    }


def test_tandem_plan_reads_calendars_and_working_hours_from_graph(
    standin: tuple[StandIn, dict[str, str]], tmp_path: Path
) -> None:
    state, environment = standin
    new_york_executive(state)
    state.calendars["mentor@contoso.example"] = []
    scenario = tmp_path / "graph.yaml"
    scenario.write_text(SCENARIO.replace("EMAIL", "ceo@contoso.example"))
    out = tmp_path / "plan.json"
    result = tandem(["plan", str(scenario), "--out", str(out), "--quiet"], environment)
    assert result.returncode == 0, result.stderr
    (session,) = json.loads(out.read_text())["sessions"]
    assert session["mentee_local"] == "2027-03-01T10:00:00-05:00"  # first free hour, New York
    assert CLIENT_SECRET not in result.stdout + result.stderr


def test_an_unknown_mailbox_in_a_scenario_is_a_clear_error(
    standin: tuple[StandIn, dict[str, str]], tmp_path: Path
) -> None:
    state, environment = standin
    state.calendars["mentor@contoso.example"] = []
    scenario = tmp_path / "graph.yaml"
    scenario.write_text(SCENARIO.replace("EMAIL", "nobody@contoso.example"))
    result = tandem(["check", str(scenario)], environment)
    assert result.returncode == 2
    assert (
        "people[1].calendar.graph (line 6): Graph could not read nobody@contoso.example: "
        "The user or group nobody@contoso.example cannot be found. (code 5009)"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_snapshot_keeps_free_busy_only_and_plans_offline_like_graph(
    standin: tuple[StandIn, dict[str, str]], tmp_path: Path
) -> None:
    state, environment = standin
    new_york_executive(state)
    state.calendars["mentor@contoso.example"] = [
        Meeting(datetime(2027, 3, 1, 16), datetime(2027, 3, 1, 17), status="tentative")
    ]
    scenario = tmp_path / "graph.yaml"
    scenario.write_text(SCENARIO.replace("EMAIL", "ceo@contoso.example"))
    snapshot = tmp_path / "snapshot.yaml"
    fetched = tandem(["calendars", "fetch", str(scenario), "--out", str(snapshot)], environment)
    assert fetched.returncode == 0, fetched.stderr
    text = snapshot.read_text()
    assert "graph: true" not in text and "Confidential" not in text and "Room 12" not in text
    assert "timezone: America/New_York" in text
    assert "- 2027-03-01T16:00:00Z/2027-03-01T17:00:00Z tentative" in text  # the compact form
    as_json = tmp_path / "snapshot.json"  # JSON when asked for by the name, and it reads back
    fetched = tandem(["calendars", "fetch", str(scenario), "--out", str(as_json)], environment)
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(as_json.read_text())["people"] == yaml.safe_load(text)["people"]
    offline, online = tmp_path / "offline.json", tmp_path / "online.json"
    assert tandem(["plan", str(snapshot), "--out", str(offline), "--quiet"], {}).returncode == 0
    assert (
        tandem(["plan", str(scenario), "--out", str(online), "--quiet"], environment).returncode
        == 0
    )
    starts = [
        [s["start"] for s in json.loads(p.read_text())["sessions"]] for p in (offline, online)
    ]
    assert starts[0] == starts[1] and len(starts[0]) == 1


def test_a_certificate_credential_gets_a_token(
    standin: tuple[StandIn, dict[str, str]], tmp_path: Path
) -> None:
    import trustme

    state, environment = standin
    state.calendars["ceo@contoso.example"] = []
    issued = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert(
        "tandem-app", key_type=trustme.KeyType.RSA
    )
    pem = tmp_path / "app.pem"
    pem.write_bytes(issued.private_key_pem.bytes() + issued.cert_chain_pems[0].bytes())
    settings = {k: v for k, v in environment.items() if k != "TANDEM_GRAPH_CLIENT_SECRET"}
    client = client_for({**settings, "TANDEM_GRAPH_CLIENT_CERTIFICATE": str(pem)})
    found = client.schedules(["ceo@contoso.example"], START, START + timedelta(days=1))
    assert found["ceo@contoso.example"].error is None and state.tokens_issued == 1


def test_a_certificate_that_is_not_rsa_is_refused_clearly(tmp_path: Path) -> None:
    import trustme

    from connectors.graph.auth import certificate_credential

    issued = trustme.CA(key_type=trustme.KeyType.ECDSA).issue_cert("tandem-app")
    with pytest.raises(GraphAuthError, match=r"TANDEM_GRAPH_CLIENT_CERTIFICATE: .*RSA"):
        certificate_credential(issued.private_key_pem.bytes() + issued.cert_chain_pems[0].bytes())
