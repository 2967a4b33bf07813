"""Invitations through the running service: `tandem serve` with the Graph stand-in.

HR asks for invitations once; the worker sends them; an executive declines; the service
re-plans that pair and the executive sees an update of the same meeting. Graph's change
notifications reach the service through a real subscription (handshake included).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.service import create_key, free_port, serving
from tests.api.test_service import bearer, wait_done
from tests.api.test_workers import api_only, child_pids, worker
from tests.builders import executive, mentor, pair, scenario
from tests.graph_standin import TENANT, StandIn, running

# Services and workers in their own processes: on one database by default (conftest).
pytestmark = pytest.mark.one_database


def people_scenario() -> dict[str, Any]:
    return scenario(
        horizon={"start": "2027-01-04", "weeks": 2},
        people=[
            mentor("m1", email="mia@contoso.example", timezone="Europe/Paris"),
            executive(
                "e1",
                email="eve@contoso.example",
                timezone="America/New_York",
                working_hours={"mon-fri": ["08:00-18:00"]},
            ),
            mentor("m2", email="max@contoso.example"),
            executive("e2", email="ed@contoso.example"),
        ],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )


def eventually(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[tuple[StandIn, dict[str, str]]]:
    with running(tmp_path) as served:
        yield served


def planned_programme(base: str, key: str, document: dict[str, Any]) -> str:
    created = httpx.post(f"{base}/v1/programmes", json=document, headers=bearer(key))
    assert created.status_code == 201, created.text
    programme = str(created.json()["id"])
    job = httpx.post(f"{base}/v1/programmes/{programme}/plan", headers=bearer(key))
    assert wait_done(base, job.headers["Location"], key)["status"] == "done"
    return programme


def test_invitations_are_sent_once_and_a_decline_moves_the_same_meeting(
    database_url: str, graph: tuple[StandIn, dict[str, str]]
) -> None:
    state, environment = graph
    database = database_url
    _, key = create_key(database, "acme")
    settings = {
        **environment,
        "TANDEM_INVITATION_POLL_SECONDS": "0.2",
        "TANDEM_RESPONSE_POLL_SECONDS": "1",
    }
    with serving(database, **settings) as base:
        programme = planned_programme(base, key, people_scenario())
        href = f"{base}/v1/programmes/{programme}/invitations"
        asked = httpx.post(href, headers=bearer(key))
        assert asked.status_code == 202, asked.text
        assert asked.json()["create"] == 4 and asked.json()["move"] == 0
        assert httpx.post(href, headers=bearer(key)).json()["create"] == 0  # asked twice
        status = eventually(
            lambda: (s := httpx.get(href, headers=bearer(key)).json())["in_step"] == 4 and s,
            "all four meetings sent",
        )
        assert status["waiting"] == 0 and status["enabled"] is True
        assert len(state.live_events()) == 4
        declined = next(e for e in state.live_events() if e.mailbox == "mia@contoso.example")
        old_start = declined.start
        state.respond(declined.id, "eve@contoso.example", "declined")
        eventually(lambda: state.events[declined.id].start != old_start, "the meeting moved")
        eventually(lambda: httpx.get(href, headers=bearer(key)).json()["in_step"] == 4, "in step")
    mail = Counter((to, kind) for to, kind, event_id in state.mail if event_id == declined.id)
    assert mail == {("eve@contoso.example", "invitation"): 1, ("eve@contoso.example", "update"): 1}
    assert len(state.live_events()) == 4 and len(state.events) == 4  # no new meeting


def test_without_graph_settings_invitations_are_a_409_naming_the_settings(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'tandem.db'}"
    _, key = create_key(database, "acme")
    with serving(database) as base:
        created = httpx.post(f"{base}/v1/programmes", json=people_scenario(), headers=bearer(key))
        answer = httpx.post(
            f"{base}/v1/programmes/{created.json()['id']}/invitations", headers=bearer(key)
        )
        assert answer.status_code == 409
        assert answer.headers["content-type"] == "application/problem+json"
        assert "TANDEM_GRAPH" in answer.json()["detail"]


def test_missing_addresses_are_a_422_and_unplanned_a_409(
    tmp_path: Path, graph: tuple[StandIn, dict[str, str]]
) -> None:
    _, environment = graph
    database = f"sqlite:///{tmp_path / 'tandem.db'}"
    _, key = create_key(database, "acme")
    document = people_scenario()
    del document["people"][3]["email"]
    with serving(database, **environment) as base:
        created = httpx.post(f"{base}/v1/programmes", json=document, headers=bearer(key))
        href = f"{base}/v1/programmes/{created.json()['id']}/invitations"
        early = httpx.post(href, headers=bearer(key))
        assert early.status_code == 409 and "plan the programme first" in early.json()["detail"]
        job = httpx.post(f"{base}/v1/programmes/{created.json()['id']}/plan", headers=bearer(key))
        wait_done(base, job.headers["Location"], key)
        refused = httpx.post(href, headers=bearer(key))
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["path"] == "people[3].email"
        assert httpx.get(href, headers=bearer(key)).json()["enabled"] is False


def test_change_notifications_subscribe_validate_and_trigger_one_replan(
    tmp_path: Path, graph: tuple[StandIn, dict[str, str]]
) -> None:
    state, environment = graph
    database_file = tmp_path / "tandem.db"
    database = f"sqlite:///{database_file}"
    _, key = create_key(database, "acme")
    port = free_port()
    settings = {
        **environment,
        "TANDEM_INVITATION_POLL_SECONDS": "0.2",
        "TANDEM_RESPONSE_POLL_SECONDS": "3600",  # only a notification can tell in time
        "TANDEM_NOTIFICATION_URL": f"http://127.0.0.1:{port}",
    }
    with serving(database, port=port, **settings) as base:
        programme = planned_programme(base, key, people_scenario())
        href = f"{base}/v1/programmes/{programme}/invitations"
        httpx.post(href, headers=bearer(key))
        eventually(lambda: httpx.get(href, headers=bearer(key)).json()["in_step"] == 4, "sent")
        eventually(lambda: len(state.subscriptions) == 2, "one subscription per organiser")
        subscription = next(iter(state.subscriptions.values()))
        assert subscription["lifecycleNotificationUrl"].endswith("/v1/graph/lifecycle")
        assert len(subscription["clientState"]) <= 128
        stored = _rows(database_file, "SELECT client_state_hash FROM graph_subscriptions")
        assert all(subscription["clientState"] not in row[0] for row in stored)  # hashed only

        forged = {"value": [{**_notification(state), "clientState": "guess"}]}
        assert state.notify_raw(subscription["notificationUrl"], forged) == 202
        declined = next(e for e in state.live_events() if e.mailbox == "mia@contoso.example")
        old_start = declined.start
        state.respond(declined.id, "eve@contoso.example", "declined")
        assert set(state.deliver_notifications(duplicates=3)) == {202}
        eventually(lambda: state.events[declined.id].start != old_start, "moved on notification")
        jobs = _rows(database_file, "SELECT kind FROM plan_jobs WHERE kind = 'programme'")
        assert len(jobs) == 2  # the first plan and one re-plan, despite three deliveries
        kept = _rows(database_file, "SELECT subscription_id FROM graph_notifications")
        assert all(row[0] in state.subscriptions for row in kept)  # the forged one is not

        renewals = len([r for r in state.subscription_requests if r.get("method") == "PATCH"])
        subscription_id = next(iter(state.subscriptions))
        assert state.send_lifecycle(subscription_id, "reauthorizationRequired") == 202
        eventually(
            lambda: (
                len([r for r in state.subscription_requests if r.get("method") == "PATCH"])
                > renewals
            ),
            "renewed after reauthorizationRequired",
        )
        assert state.send_lifecycle(subscription_id, "subscriptionRemoved") == 202
        eventually(
            lambda: subscription_id not in state.subscriptions and len(state.subscriptions) == 2,
            "re-created after subscriptionRemoved",
        )


def test_the_validation_handshake_echoes_the_decoded_token_as_plain_text(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'tandem.db'}"
    token = "a+b/c d%2B<script>alert(1)</script>"
    with serving(database) as base:
        for path in ("/v1/graph/notifications", "/v1/graph/lifecycle"):
            answer = httpx.post(
                f"{base}{path}",
                params={"validationToken": token},
                headers={"Content-Type": "text/plain"},
            )
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/plain")
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.text == token
        unknown = {
            "value": [{"subscriptionId": "nope", "clientState": "x", "changeType": "updated"}]
        }
        assert httpx.post(f"{base}/v1/graph/notifications", json=unknown).status_code == 202
    assert _rows(tmp_path / "tandem.db", "SELECT id FROM graph_notifications") == []


def _notification(state: StandIn) -> dict[str, Any]:
    subscription_id, subscription = next(iter(state.subscriptions.items()))
    event = state.live_events()[0]
    return {
        "subscriptionId": subscription_id,
        "changeType": "updated",
        "resource": f"Users/{event.mailbox}/Events/{event.id}",
        "resourceData": {"id": event.id},
        "clientState": subscription["clientState"],
        "tenantId": TENANT,
    }


def _rows(database_file: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database_file) as connection:
        return list(connection.execute(query))


def test_two_service_processes_elect_one_invitation_worker(
    tmp_path: Path, graph: tuple[StandIn, dict[str, str]]
) -> None:
    state, environment = graph
    database = f"sqlite:///{tmp_path / 'tandem.db'}"
    _, key = create_key(database, "acme")
    settings = {**environment, "TANDEM_INVITATION_POLL_SECONDS": "0.2"}
    with serving(database, **settings) as first, serving(database, **settings) as second:
        programme = planned_programme(first, key, people_scenario())
        href = f"{second}/v1/programmes/{programme}/invitations"
        assert httpx.post(href, headers=bearer(key)).status_code == 202
        eventually(lambda: httpx.get(href, headers=bearer(key)).json()["in_step"] == 4, "sent")
        time.sleep(1)  # several more turns of both workers
    assert state.tokens_issued == 1  # only the elected process ever spoke to Graph
    assert len(state.live_events()) == 4 and len(state.events) == 4


def test_the_rounds_run_on_a_worker_of_the_invitations_queue_not_in_the_api(
    tmp_path: Path, graph: tuple[StandIn, dict[str, str]]
) -> None:
    state, environment = graph
    database = f"sqlite:///{tmp_path / 'tandem.db'}"
    broker = str(tmp_path / "broker")
    _, key = create_key(database, "acme")
    shared = {**environment, "TANDEM_INVITATION_POLL_SECONDS": "0.2"}
    with (
        api_only(database, broker, **shared) as base,
        worker(database, broker, queues="small"),  # plans, not rounds
    ):
        programme = planned_programme(base, key, people_scenario())
        href = f"{base}/v1/programmes/{programme}/invitations"
        assert httpx.post(href, headers=bearer(key)).status_code == 202
        with worker(database, broker, queues="invitations", **shared) as rounds:
            eventually(lambda: httpx.get(href, headers=bearer(key)).json()["in_step"] == 4, "sent")
            pools = child_pids(rounds.pid)
    owners = _rows(
        tmp_path / "tandem.db", "SELECT owner FROM singletons WHERE name = 'invitation-worker'"
    )
    assert [int(owner.split(":")[1]) in pools for (owner,) in owners] == [True]
    assert len(state.live_events()) == 4
