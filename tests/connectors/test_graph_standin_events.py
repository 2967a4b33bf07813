"""The Graph stand-in's events, $batch and subscriptions, spoken to with plain httpx.

The real client is tested against the stand-in elsewhere; these tests pin down the
stand-in itself, so that a client test failing means the client is wrong.
"""

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from tests.graph_standin import StandIn, running

TAG = "String {6c1d3f2e-8a4b-4c7d-9e15-2f0b7a9c4d31} Name TandemSessionKey"
MENTOR = "mentor@contoso.example"
CEO = "ceo@contoso.example"
EVENTS = f"/users/{quote(MENTOR)}/events"
IMMUTABLE = {"Prefer": 'IdType="ImmutableId"'}


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[tuple[StandIn, httpx.Client]]:
    with running(tmp_path) as (state, settings), graph_client(settings) as graph:
        yield state, graph


def graph_client(settings: dict[str, str], timeout: float = 10) -> httpx.Client:
    return httpx.Client(
        base_url=settings["TANDEM_GRAPH_BASE_URL"],
        verify=ssl.create_default_context(cafile=settings["TANDEM_GRAPH_CA_BUNDLE"]),
        headers={"Authorization": "Bearer token-1"},
        timeout=timeout,
    )


def meeting(
    tag: str = "s1-g1",
    start: str = "2027-03-09T10:00:00",
    end: str = "2027-03-09T11:00:00",
    zone: str = "Romance Standard Time",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "subject": "Reverse mentoring",
        "body": {"contentType": "text", "content": "Session 1"},
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        "attendees": [{"emailAddress": {"address": CEO}, "type": "required"}],
        "sensitivity": "private",
        "singleValueExtendedProperties": [{"id": TAG, "value": tag}],
        **extra,
    }


def tagged(value: str) -> dict[str, str]:
    escaped = value.replace("'", "''")
    return {
        "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{TAG}'"
        f" and ep/value eq '{escaped}')",
        "$expand": f"singleValueExtendedProperties($filter=id eq '{TAG}')",
    }


def test_create_find_by_tag_move_and_cancel(standin: tuple[StandIn, httpx.Client]) -> None:
    state, graph = standin
    created = graph.post(EVENTS, json=meeting("o'brien-1"), headers=IMMUTABLE)
    assert created.status_code == 201
    event = created.json()
    assert event["start"] == {
        "dateTime": "2027-03-09T10:00:00.0000000",
        "timeZone": "Romance Standard Time",
    }
    assert state.events[event["id"]].start == datetime(2027, 3, 9, 9)  # Paris is UTC+1 in March
    assert state.events[event["id"]].immutable
    graph.post(EVENTS, json=meeting("other"), headers=IMMUTABLE)
    assert state.mail == [
        (CEO, "invitation", event["id"]),
        (CEO, "invitation", state.live_events()[1].id),
    ]

    found = graph.get(EVENTS, params=tagged("o'brien-1")).json()["value"]
    assert [e["id"] for e in found] == [event["id"]]
    assert found[0]["singleValueExtendedProperties"] == [{"id": TAG, "value": "o'brien-1"}]
    assert "singleValueExtendedProperties" not in graph.get(f"{EVENTS}/{event['id']}").json()

    state.respond(event["id"], CEO, "accepted")
    state.mail.clear()
    moved = graph.patch(
        f"{EVENTS}/{event['id']}",
        json={
            "start": {"dateTime": "2027-03-10T14:00:00", "timeZone": "Romance Standard Time"},
            "end": {"dateTime": "2027-03-10T15:00:00", "timeZone": "Romance Standard Time"},
        },
    )
    assert moved.status_code == 200
    assert moved.json()["attendees"][0]["status"]["response"] == "none"  # asked again
    assert state.mail == [(CEO, "update", event["id"])]
    graph.patch(f"{EVENTS}/{event['id']}", json={"sensitivity": "normal"})
    assert len(state.mail) == 1  # nothing the attendee sees changed: no update sent

    cancelled = graph.post(f"{EVENTS}/{event['id']}/cancel", json={"comment": "Re-planned"})
    assert (cancelled.status_code, cancelled.content) == (202, b"")
    assert state.mail[-1] == (CEO, "cancellation", event["id"])
    assert state.events[event["id"]].cancel_comment == "Re-planned"
    assert graph.get(EVENTS, params=tagged("o'brien-1")).json()["value"] == []
    kept = graph.get(f"{EVENTS}/{event['id']}")  # an immutable id survives the move
    assert kept.status_code == 200 and kept.json()["isCancelled"] is True
    again = graph.post(f"{EVENTS}/{event['id']}/cancel", json={"comment": "again"})
    assert again.status_code == 404 and again.json()["error"]["code"] == "ErrorItemNotFound"
    assert graph.patch(f"{EVENTS}/{event['id']}", json={"subject": "x"}).status_code == 404


def test_an_ordinary_id_is_gone_once_the_cancelled_meeting_moves(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    event = graph.post(EVENTS, json=meeting()).json()
    assert not state.events[event["id"]].immutable
    assert graph.post(f"{EVENTS}/{event['id']}/cancel", json={}).status_code == 202
    assert graph.get(f"{EVENTS}/{event['id']}").status_code == 404
    assert graph.delete(f"{EVENTS}/{event['id']}").status_code == 404


def test_only_the_organiser_cancels_and_delete_sends_a_cancellation(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    event = graph.post(EVENTS, json=meeting(), headers=IMMUTABLE).json()
    other = graph.post(f"/users/{quote(CEO)}/events/{event['id']}/cancel", json={})
    assert other.status_code == 400 and "organizer" in other.json()["error"]["message"]
    assert graph.delete(f"{EVENTS}/{event['id']}").status_code == 204
    assert state.mail[-1] == (CEO, "cancellation", event["id"])
    assert graph.get(f"{EVENTS}/{event['id']}").status_code == 404


@pytest.mark.parametrize("dedupe", [True, False])
def test_graph_drops_a_repeated_transaction_id_only_when_it_does(
    standin: tuple[StandIn, httpx.Client], dedupe: bool
) -> None:
    state, graph = standin
    state.transaction_dedupe = dedupe
    body = meeting(transactionId="7d7c3d1e-0000-4000-8000-000000000001")
    first, second = (graph.post(EVENTS, json=body).json() for _ in range(2))
    assert (first["id"] == second["id"]) is dedupe
    assert len(state.live_events(MENTOR)) == len(state.mail) == (1 if dedupe else 2)
    assert first["transactionId"] == body["transactionId"]


def test_windows_zones_in_the_week_new_york_has_moved_its_clocks_and_paris_has_not(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    body = meeting(
        start="2027-03-16T10:00:00", end="2027-03-16T11:00:00", zone="Eastern Standard Time"
    )
    event = graph.post(EVENTS, json=body).json()
    assert state.events[event["id"]].start == datetime(2027, 3, 16, 14)  # EDT, UTC-4
    assert event["start"]["dateTime"] == "2027-03-16T10:00:00.0000000"
    in_paris = graph.get(
        f"{EVENTS}/{event['id']}", headers={"Prefer": 'outlook.timezone="Romance Standard Time"'}
    ).json()
    assert in_paris["start"] == {
        "dateTime": "2027-03-16T15:00:00.0000000",
        "timeZone": "Romance Standard Time",
    }
    iana = graph.post(
        EVENTS,
        json={**body, "start": {"dateTime": "2027-03-16T10:00:00", "timeZone": "America/New_York"}},
    )
    assert state.events[iana.json()["id"]].start == datetime(2027, 3, 16, 14)
    twice = meeting(
        start="2027-11-07T01:30:00", end="2027-11-07T03:00:00", zone="Eastern Standard Time"
    )
    repeated = graph.post(EVENTS, json=twice).json()  # 01:30 happens twice that night
    assert state.events[repeated["id"]].start == datetime(2027, 11, 7, 5, 30)  # the first
    for zone in ("Mars Standard Time", ""):
        refused = graph.post(EVENTS, json=meeting(zone=zone))
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "TimeZoneNotSupportedException"
    backwards = graph.post(
        EVENTS, json=meeting(start="2027-03-09T11:00:00", end="2027-03-09T10:00:00")
    )
    assert backwards.status_code == 400


def test_faults_before_and_after_the_change(standin: tuple[StandIn, httpx.Client]) -> None:
    state, graph = standin
    state.event_faults = [
        {"status": 429, "retry_after": 3, "match": "POST"},
        {"status": 503, "after_commit": True, "match": "create"},
    ]
    assert graph.get(EVENTS).status_code == 200  # the POST-only fault waits for a POST
    throttled = graph.post(EVENTS, json=meeting())
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert state.live_events() == []
    failed = graph.post(EVENTS, json=meeting(transactionId="t-1"))
    assert failed.status_code == 503
    (made,) = state.live_events()  # made all the same
    retried = graph.post(EVENTS, json=meeting(transactionId="t-1"))
    assert retried.status_code == 201 and retried.json()["id"] == made.id
    assert [r["fault"] is not None for r in state.event_requests] == [False, True, True, False]


def test_a_reset_or_a_timeout_after_the_change(tmp_path: Path) -> None:
    with running(tmp_path) as (state, settings), graph_client(settings, timeout=0.3) as graph:
        state.event_faults = [
            {"reset": True, "after_commit": True},
            {"delay": 1.0, "after_commit": True},
        ]
        with pytest.raises(httpx.TransportError):
            graph.post(EVENTS, json=meeting("a"))
        with pytest.raises(httpx.TimeoutException):
            graph.post(EVENTS, json=meeting("b"))
        assert [e.tag[TAG] for e in state.live_events()] == ["a", "b"]


def test_event_requests_count_towards_the_mailbox_in_flight(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    state.event_faults = [{"delay": 0.3}] * 3
    threads = [threading.Thread(target=graph.get, args=(EVENTS,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state.max_in_flight[MENTOR] == 3


def test_a_request_without_a_token_is_refused(standin: tuple[StandIn, httpx.Client]) -> None:
    _, graph = standin
    answer = graph.get(EVENTS, headers={"Authorization": ""})
    assert answer.status_code == 401


def test_batch_parts_are_answered_in_another_order_and_matched_by_id(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    ids = [graph.post(EVENTS, json=meeting(f"s{n}")).json()["id"] for n in range(4)]
    state.event_faults = [{"status": 429, "retry_after": 2, "match": "get"}]
    parts = [
        {"id": str(n), "method": "GET", "url": f"{EVENTS}/{event_id}", "headers": IMMUTABLE}
        for n, event_id in enumerate(ids)
    ]
    parts.append({"id": "gone", "method": "GET", "url": f"{EVENTS}/AAMkAGoneAAA="})
    parts.append(
        {
            "id": "new",
            "method": "POST",
            "url": EVENTS,
            "headers": {"Content-Type": "application/json", **IMMUTABLE},
            "body": meeting("s9"),
        }
    )
    answer = graph.post("/$batch", json={"requests": parts})
    assert answer.status_code == 200
    responses = answer.json()["responses"]
    assert [r["id"] for r in responses] != [p["id"] for p in parts]
    by_id = {r["id"]: r for r in responses}
    assert by_id["0"]["status"] == 429 and by_id["0"]["headers"]["Retry-After"] == "2"
    assert [by_id[str(n)]["body"]["id"] for n in (1, 2, 3)] == ids[1:]
    assert by_id["gone"]["status"] == 404
    assert by_id["new"]["status"] == 201 and state.events[by_id["new"]["body"]["id"]].immutable
    outer, *inner = state.event_requests[4:]  # the $batch itself, then each part
    assert (outer["path"], outer["operation"], outer["via"]) == ("/$batch", "batch", "direct")
    assert len(inner) == len(parts) and {r["via"] for r in inner} == {"batch"}


def test_batch_limits(standin: tuple[StandIn, httpx.Client]) -> None:
    _, graph = standin
    many = [{"id": str(n), "method": "GET", "url": EVENTS} for n in range(21)]
    assert graph.post("/$batch", json={"requests": many}).status_code == 400
    twins = [{"id": "1", "method": "GET", "url": EVENTS}] * 2
    assert graph.post("/$batch", json={"requests": twins}).status_code == 400
    untyped = [{"id": "1", "method": "POST", "url": EVENTS, "body": meeting()}]
    assert graph.post("/$batch", json={"requests": untyped}).status_code == 400


@contextmanager
def receiver(
    echo: Callable[[str], str] = lambda token: token,
) -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """A webhook endpoint on plain http: echoes validation tokens, takes notifications."""
    received: list[tuple[str, str, bytes]] = []

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or "0"))
            received.append((self.path, self.headers.get("Content-Type", ""), body))
            token = parse_qs(urlsplit(self.path).query).get("validationToken")
            data = echo(token[0]).encode() if token else b""
            self.send_response(200 if token else 202)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def subscription(url: str, minutes: int = 60, **extra: Any) -> dict[str, Any]:
    expiry = datetime.now(UTC) + timedelta(minutes=minutes)
    return {
        "changeType": "updated,deleted",
        "notificationUrl": url,
        "resource": f"/users/{MENTOR}/events",
        "expirationDateTime": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clientState": "secret-state",
        **extra,
    }


def test_subscription_handshake_notifications_and_lifecycle(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    with receiver() as (url, received):
        created = graph.post("/subscriptions", json=subscription(url, lifecycleNotificationUrl=url))
        assert created.status_code == 201, created.text
        made = created.json()
        assert made["clientState"] == "secret-state" and made["resource"].endswith("/events")
        path, content_type, _ = received[0]
        assert content_type.startswith("text/plain") and "validationToken=" in path
        assert len(received) == 2  # the lifecycle URL is validated too

        event = graph.post(EVENTS, json=meeting()).json()  # "created" is not subscribed
        state.respond(event["id"], CEO, "declined")
        assert state.deliver_notifications(duplicates=2) == [202, 202]
        first, second = (json.loads(body) for _, _, body in received[2:])
        assert first == second
        (note,) = first["value"]
        assert (note["changeType"], note["clientState"]) == ("updated", "secret-state")
        assert note["resourceData"]["id"] == event["id"] and note["subscriptionId"] == made["id"]
        assert state.deliver_notifications() == []  # delivered once, then forgotten

        assert state.send_lifecycle(made["id"], "reauthorizationRequired") == 202
        assert (
            json.loads(received[-1][2])["value"][0]["lifecycleEvent"] == "reauthorizationRequired"
        )

    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    renewed = graph.patch(f"/subscriptions/{made['id']}", json={"expirationDateTime": later})
    assert renewed.status_code == 200
    assert graph.post(f"/subscriptions/{made['id']}/reauthorize").status_code == 204
    assert graph.delete(f"/subscriptions/{made['id']}").status_code == 204
    assert graph.delete(f"/subscriptions/{made['id']}").status_code == 404


def test_subscriptions_refused(standin: tuple[StandIn, httpx.Client]) -> None:
    _, graph = standin
    with receiver() as (url, _):
        too_long = graph.post("/subscriptions", json=subscription(url, minutes=10081))
        assert too_long.status_code == 400
        assert too_long.json()["error"]["message"] == (
            "Subscription expiration can only be 10080 minutes in the future."
        )
    with receiver(echo=lambda token: token.replace("<", "&lt;")) as (url, _):
        escaped = graph.post("/subscriptions", json=subscription(url))
        assert escaped.status_code == 400
        assert "validation request failed" in escaped.json()["error"]["message"]


def test_long_lists_come_in_pages_when_asked_and_seeded_meetings_are_listed(
    standin: tuple[StandIn, httpx.Client],
) -> None:
    state, graph = standin
    state.page_size = 2
    start = datetime(2027, 3, 9, 9)
    seeded = [
        state.add_event(MENTOR, start, start + timedelta(hours=1), tag={TAG: "s1"})
        for _ in range(5)
    ]
    state.add_event(MENTOR, start, start + timedelta(hours=1))  # an untagged look-alike
    page = graph.get(EVENTS, params=tagged("s1")).json()
    found = [e["id"] for e in page["value"]]
    while "@odata.nextLink" in page:
        page = graph.get(page["@odata.nextLink"]).json()
        found += [e["id"] for e in page["value"]]
    assert found == [e.id for e in seeded] and state.mail == []
    state.user_edit(seeded[0].id, start=start + timedelta(hours=2), end=start + timedelta(hours=3))
    assert state.mail == [] and state.events[seeded[0].id].change_key == 2  # no attendees
