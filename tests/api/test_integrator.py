"""An integrator's tour of the service, through real HTTP: the documentation page in a
real browser with no network beyond the service, lists, unknown ids, sessions as HR tools
read them, the history, replacing a scenario, the ICS feed and the request log."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
import vobject

from tests.api.service import create_key, run_tandem, serving
from tests.api.test_service import (
    bearer,
    plan_and_wait,
    planned_programme,
    small_scenario,
    wait_done,
)
from tests.browser import OFFLINE, chromium
from tests.builders import supervised_programme

# A service in its own process per module: on one database by default (conftest).
pytestmark = pytest.mark.one_database


UTC_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
LOCAL_TEXT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_the_openapi_document_declares_the_bearer_scheme(service: tuple[str, str]) -> None:
    base, _ = service
    document = httpx.get(f"{base}/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["apiKey"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    assert document["paths"]["/v1/programmes"]["get"]["security"] == [{"apiKey": []}]
    assert document["paths"]["/v1/plans/{job_id}"]["get"]["security"] == [{"apiKey": []}]
    assert "security" not in document["paths"]["/healthz"]["get"]


def test_docs_render_offline_with_an_authorize_button(service: tuple[str, str]) -> None:
    base, _ = service
    page = httpx.get(f"{base}/docs").text
    assert "http://" not in page and "https://" not in page  # every file from the service
    dom = chromium(OFFLINE, "--virtual-time-budget=20000", "--dump-dom", f"{base}/docs").stdout
    assert 'class="btn authorize' in dom  # the scheme's button, drawn by Swagger UI's script
    assert 'data-path="/v1/programmes/{programme_id}/sessions"' in dom
    redoc = httpx.get(f"{base}/redoc").text
    assert "https://" not in redoc and "/docs-assets/redoc.standalone.js" in redoc


def test_programmes_and_plans_are_listed_newest_first_a_page_at_a_time(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "lists-co")
    made = []
    for name in ("first", "second", "third"):
        answer = httpx.post(
            f"{base}/v1/programmes", json={**small_scenario(), "name": name}, headers=bearer(key)
        )
        made.append(answer.json()["id"])
    page = httpx.get(f"{base}/v1/programmes", params={"limit": 2}, headers=bearer(key))
    assert page.headers["X-Total-Count"] == "3"
    assert [p["name"] for p in page.json()] == ["third", "second"]
    assert "scenario" not in page.json()[0]
    rest = httpx.get(page.headers["Link"].split(";")[0].strip("<>"), headers=bearer(key))
    assert [p["id"] for p in rest.json()] == [made[0]] and "Link" not in rest.headers
    href = plan_and_wait(base, key, f"/v1/programmes/{made[0]}")["id"]
    plain = httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(key)).json()
    plans = httpx.get(f"{base}/v1/plans", headers=bearer(key))
    assert [p["id"] for p in plans.json()] == [plain["id"], href]
    assert plans.json()[1]["programme_id"] == made[0] and "plan" not in plans.json()[1]
    _, other = create_key(database, "lists-other")
    assert httpx.get(f"{base}/v1/programmes", headers=bearer(other)).json() == []
    assert httpx.get(f"{base}/v1/plans", headers=bearer(other)).headers["X-Total-Count"] == "0"


def test_keys_are_listed_without_their_secrets(database: str) -> None:
    key_id, secret = create_key(database, "listed-co")
    run_tandem("keys", "revoke", key_id, environment={"TANDEM_DATABASE_URL": database})
    listed = run_tandem(
        "keys", "list", "--tenant", "listed-co", environment={"TANDEM_DATABASE_URL": database}
    )
    assert listed.returncode == 0, listed.stderr
    (row,) = [line for line in listed.stdout.splitlines() if key_id in line]
    assert "listed-co" in row and row.split()[-1] != "-"  # its revocation's date
    assert secret not in listed.stdout and secret[:12] not in listed.stdout


def test_unknown_people_and_sessions_are_404(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "unknown-co")
    programme = planned_programme(base, key, small_scenario())
    for path in ("/sessions?person=nobody", "/people/nobody/sessions.ics"):
        answer = httpx.get(f"{base}{programme}{path}", headers=bearer(key))
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert "nobody" in answer.json()["detail"]
    declined = httpx.post(
        f"{base}{programme}/changes",
        json={"kind": "decline", "pair": "p1", "index": 99},
        headers=bearer(key),
    )
    assert declined.status_code == 404
    assert httpx.get(f"{base}/v1/plans", headers=bearer(key)).headers["X-Total-Count"] == "1"


def test_sessions_carry_their_kind_and_both_local_times(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "local-co")
    document = supervised_programme(
        {"coaches": ["c1"]}, horizon={"start": "2027-01-04", "weeks": 2}
    )
    document["people"][2]["timezone"] = "America/New_York"  # m1
    programme = planned_programme(base, key, document)
    rows = httpx.get(f"{base}{programme}/sessions", headers=bearer(key)).json()
    kinds = {r["pair"]: r["kind"] for r in rows}
    assert kinds["check-in.m2"] == "supervision" and kinds["p1"] == "mentoring"
    p1 = next(r for r in rows if r["pair"] == "p1")
    start = datetime.fromisoformat(p1["start"])
    assert LOCAL_TEXT.match(p1["mentor_local"]) and p1["mentor_local"].endswith("-05:00")
    assert p1["mentee_local"].endswith("+01:00")
    assert datetime.fromisoformat(p1["mentor_local"]) == start
    assert datetime.fromisoformat(p1["mentee_local"]) == start


def _history(base: str, programme: str, key: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{base}{programme}/history", params=params, headers=bearer(key))


def test_history_is_paged_filtered_and_names_each_unplaced_session_once(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "history-co")
    document = small_scenario()
    # e2 has no time at all: p2's three sessions are unplaced at every plan.
    document["people"][3]["busy"] = [
        {"start": "2027-01-04T00:00:00Z", "end": "2027-01-25T00:00:00Z"}
    ]
    programme = planned_programme(base, key, document)
    first = _history(base, programme, key).json()
    assert sum(e["kind"] == "unplaced" for e in first) == 3
    hit = next(e for e in first if (e["pair"], e["index"]) == ("p1", 1))
    busy = {"kind": "busy", "person": "e1", "start": hit["new_start"]}
    busy["end"] = (datetime.fromisoformat(hit["new_start"]) + timedelta(hours=1)).isoformat()
    answer = httpx.post(f"{base}{programme}/changes", json=busy, headers=bearer(key))
    assert wait_done(base, answer.headers["Location"], key)["status"] == "done"
    events = _history(base, programme, key).json()
    assert [e["kind"] for e in events[len(first) :]] == ["moved"]  # not the 3 unplaced again
    for event in events:
        for field in ("old_start", "new_start", "at"):
            assert event[field] is None or UTC_TEXT.match(event[field]), event
    of_p2 = _history(base, programme, key, pair="p2").json()
    assert [(e["pair"], e["kind"]) for e in of_p2] == [("p2", "unplaced")] * 3
    of_e1 = _history(base, programme, key, person="e1").json()
    assert {e["pair"] for e in of_e1} == {"p1"} and len(of_e1) == 4
    # `from` is at or after, `to` before: together they split the history at any instant
    # (events are recorded to the second, so both plans' may share one).
    last = events[-1]["at"]
    later = _history(base, programme, key, **{"from": last}).json()
    earlier = _history(base, programme, key, to=last).json()
    assert later == [e for e in events if e["at"] >= last] and later[-1] == events[-1]
    assert earlier + later == events
    assert _history(base, programme, key, **{"from": "2100-01-01T00:00:00Z"}).json() == []
    assert _history(base, programme, key, to="2000-01-01T00:00:00Z").json() == []
    page = _history(base, programme, key, limit=2)
    assert page.headers["X-Total-Count"] == str(len(events)) and len(page.json()) == 2
    assert page.json() == events[:2] and 'rel="next"' in page.headers["Link"]
    assert _history(base, programme, key, person="nobody").status_code == 404


def test_a_put_names_the_scenario_it_replaces(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "put-co")
    programme = planned_programme(base, key, small_scenario())
    read = httpx.get(f"{base}{programme}", headers=bearer(key))
    tag = read.headers["ETag"]
    busy = {
        "kind": "busy",
        "person": "e1",
        "start": "2027-01-05T08:00:00Z",
        "end": "2027-01-05T09:00:00Z",
    }
    answer = httpx.post(f"{base}{programme}/changes", json=busy, headers=bearer(key))
    wait_done(base, answer.headers["Location"], key)
    edited = {**small_scenario(), "name": "renamed"}
    unconditional = httpx.put(f"{base}{programme}", json=edited, headers=bearer(key))
    assert unconditional.status_code == 428
    assert "If-Match" in unconditional.json()["detail"]
    stale = httpx.put(f"{base}{programme}", json=edited, headers=bearer(key) | {"If-Match": tag})
    assert stale.status_code == 412  # the busy time came after that read
    assert stale.headers["content-type"] == "application/problem+json"
    fresh = httpx.get(f"{base}{programme}", headers=bearer(key))
    assert fresh.headers["ETag"] != tag
    e1 = next(p for p in fresh.json()["scenario"]["people"] if p["id"] == "e1")
    assert e1["busy"][-1]["start"] == busy["start"]  # what the PUT would have replaced
    kept = {**fresh.json()["scenario"], "name": "renamed"}
    headers = bearer(key) | {"If-Match": fresh.headers["ETag"]}
    replaced = httpx.put(f"{base}{programme}", json=kept, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert (
        replaced.json()["name"] == "renamed" and replaced.headers["ETag"] != fresh.headers["ETag"]
    )
    anyway = httpx.put(f"{base}{programme}", json=edited, headers=bearer(key) | {"If-Match": "*"})
    assert anyway.status_code == 200


def test_a_yaml_body_is_a_415_that_says_to_send_json(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "yaml-co")
    for path in ("/v1/plans", "/v1/programmes"):
        answer = httpx.post(
            base + path,
            content=b"version: 1\ntimezone: Europe/Paris\n",
            headers=bearer(key) | {"Content-Type": "application/yaml"},
        )
        assert answer.status_code == 415, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert "application/json" in answer.json()["detail"]


def _events(feed: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(feed)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_is_stamped_now_counts_moves_and_names_the_other_person(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "feed-co")
    document = small_scenario()
    document["people"][0]["name"] = "Ada, the mentor"  # a comma, escaped in the feed
    document["invitations"] = {"subject": "Mentoring ({programme})"}
    programme = planned_programme(base, key, document)
    feed_of = f"{base}{programme}/people/e1/sessions.ics"
    before = datetime.now(UTC).replace(microsecond=0)
    first = httpx.get(feed_of, headers=bearer(key)).content
    events = _events(first)
    assert len(events) == 3
    for event in events.values():
        assert event["SUMMARY"] == "Mentoring (test) with Ada, the mentor"
        assert event.decoded("DTSTAMP") >= before  # the feed's time, not the session's
        assert event.decoded("SEQUENCE") == 0
    # A second library reads it too, strictly.
    parsed = vobject.readOne(first.decode())
    parsed.validate()
    assert len(parsed.vevent_list) == 3
    sessions = httpx.get(f"{base}{programme}/sessions?person=e1", headers=bearer(key)).json()
    hit = sessions[1]
    busy = {"kind": "busy", "person": "e1", "start": hit["start"], "end": hit["end"]}
    answer = httpx.post(f"{base}{programme}/changes", json=busy, headers=bearer(key))
    wait_done(base, answer.headers["Location"], key)
    after = _events(httpx.get(feed_of, headers=bearer(key)).content)
    uid = next(uid for uid in after if uid.endswith(f"-{hit['pair']}-1@tandem"))
    moved = after[uid]
    assert moved.decoded("SEQUENCE") == 1
    assert moved.decoded("DTSTART") != datetime.fromisoformat(hit["start"])
    # Dropped (e1 busy all its week), then placed again by a new scenario planned whole:
    # the plan counts its moves from nothing, the feed's SEQUENCE never goes back.
    week = {"kind": "busy", "person": "e1", "start": "2027-01-11T00:00:00Z"}
    week["end"] = "2027-01-18T00:00:00Z"
    answer = httpx.post(f"{base}{programme}/changes", json=week, headers=bearer(key))
    wait_done(base, answer.headers["Location"], key)
    assert uid not in _events(httpx.get(feed_of, headers=bearer(key)).content)
    document["people"][1]["busy"] = [{"start": hit["start"], "end": hit["end"]}]
    anyway = bearer(key) | {"If-Match": "*"}
    replaced = httpx.put(f"{base}{programme}", json=document, headers=anyway)
    assert replaced.status_code == 200, replaced.text
    plan = plan_and_wait(base, key, programme)["plan"]
    again = next(s for s in plan["sessions"] if (s["pair"], s["index"]) == (hit["pair"], 1))
    assert again["moves"] == 0
    final = _events(httpx.get(feed_of, headers=bearer(key)).content)[uid]
    assert final.decoded("SEQUENCE") == 2  # placed, moved, placed again


def test_serve_says_where_it_listens_and_logs_a_line_per_request(
    database: str, tmp_path: Path
) -> None:
    _, key = create_key(database, "logged-co")
    log = tmp_path / "serve.log"
    with serving(database, log=log) as base:
        httpx.get(f"{base}/healthz")
        httpx.get(f"{base}/docs-assets/swagger-ui.css")
        created = httpx.post(f"{base}/v1/programmes", json=small_scenario(), headers=bearer(key))
        programme = created.headers["Location"]
        httpx.get(f"{base}{programme}/sessions?person=e1", headers=bearer(key))
        httpx.get(f"{base}/v1/plans", headers={"Authorization": "Bearer wrong"})
    text = log.read_text()
    assert f"Tandem serves on {base}" in text.splitlines()[0]
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    by_route = {(line["method"], line["route"]): line for line in lines}
    listed = by_route[("GET", "/v1/programmes/{programme_id}/sessions")]
    tenant = created.json()["id"] and listed["tenant"]
    assert listed["status"] == 200 and isinstance(listed["duration_ms"], float)
    assert by_route[("POST", "/v1/programmes")]["tenant"] == tenant and tenant
    assert by_route[("GET", "/docs-assets/{path}")]["status"] == 200  # a mount, by its path
    assert by_route[("GET", "/v1/plans")] | {"duration_ms": 0} == {
        "method": "GET",
        "route": "/v1/plans",
        "status": 401,
        "duration_ms": 0,
        "tenant": None,
    }
    # No path, no query, no person's id (a tenant's uuid may hold the letters "e1").
    assert "person=e1" not in text and '"e1"' not in text
    assert programme.rsplit("/", 1)[1] not in text


def test_a_misspelt_query_parameter_is_refused_not_ignored(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "typo-co")
    answer = httpx.get(f"{base}/v1/programmes", params={"limt": 5}, headers=bearer(key))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"path": "query.limt", "message": "not a parameter of this operation"}
    ]
    assert httpx.get(f"{base}/v1/programmes", params={"limit": 5}, headers=bearer(key)).is_success
