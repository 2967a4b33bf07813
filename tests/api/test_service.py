"""The HTTP service through real HTTP: keys and tenants, plans as jobs, errors, restarts."""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.storage.database import make_engine, sessions
from api.storage.models import PlanJob
from connectors.scenarios import problem_from_data
from scheduler.plan_format import sessions_from_dict
from scheduler.validation import validate_plan
from tests.api.service import TANDEM, create_key, serving
from tests.builders import executive, mentor, pair, scenario, supervised_programme


def small_scenario() -> dict[str, Any]:
    return scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor("m1"), executive("e1"), mentor("m2"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def wait_done(base: str, href: str, key: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(base + href, headers=bearer(key)).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {href} not finished: {job}")


def plan_and_wait(base: str, key: str, programme: str) -> dict[str, Any]:
    return wait_done(
        base, httpx.post(f"{base}{programme}/plan", headers=bearer(key)).headers["Location"], key
    )


def planned_programme(base: str, key: str, document: dict[str, Any]) -> str:
    """A new programme, planned; its address."""
    created = httpx.post(f"{base}/v1/programmes", json=document, headers=bearer(key))
    assert created.status_code == 201, created.text
    programme = created.headers["Location"]
    assert plan_and_wait(base, key, programme)["status"] == "done"
    return programme


def test_a_plan_is_a_job_that_ends_with_a_valid_plan(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "acme")
    document = small_scenario()
    answer = httpx.post(f"{base}/v1/plans", json=document, headers=bearer(key))
    assert answer.status_code == 202
    assert answer.headers["Location"] == answer.json()["href"]
    job = wait_done(base, answer.headers["Location"], key)
    assert job["status"] == "done", job
    problem = problem_from_data(document)
    sessions = sessions_from_dict(problem, job["plan"])
    assert len(sessions) == 6 and validate_plan(problem, sessions) == []
    assert job["finished_at"] >= job["started_at"] >= job["created_at"]


def test_keys_are_required_and_revoked_keys_refused(service: tuple[str, str]) -> None:
    base, database = service
    for headers in ({}, {"Authorization": "Bearer tdm_nonsense"}, {"Authorization": "Basic abc"}):
        answer = httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
    key_id, key = create_key(database, "revoked-co")
    assert (
        httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(key)).status_code
        == 202
    )
    subprocess.run(
        [TANDEM, "keys", "revoke", key_id],
        env={**os.environ, "TANDEM_DATABASE_URL": database},
        check=True,
        capture_output=True,
    )
    assert (
        httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(key)).status_code
        == 401
    )


def test_a_tenant_never_sees_another_tenants_job(service: tuple[str, str]) -> None:
    base, database = service
    _, mine = create_key(database, "tenant-a")
    _, theirs = create_key(database, "tenant-b")
    href = httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(mine)).headers[
        "Location"
    ]
    answer = httpx.get(base + href, headers=bearer(theirs))
    assert answer.status_code == 404  # 404, not 403: ids do not leak
    assert answer.json()["title"] == "Not Found"


def test_a_wrong_scenario_is_a_422_naming_each_field(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "acme")
    document = small_scenario()
    document["pairs"][1]["mentor"] = "m7"
    document["people"][0]["timezone"] = "Mars/Base"
    answer = httpx.post(f"{base}/v1/plans", json=document, headers=bearer(key))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    errors = {e["path"]: e["message"] for e in answer.json()["errors"]}
    assert errors["pairs[1].mentor"] == "unknown person 'm7'"
    assert errors["people[0].timezone"].startswith("unknown time zone 'Mars/Base'")
    for body in (b"not json", b"[1, 2]"):
        bad = httpx.post(
            f"{base}/v1/plans",
            content=body,
            headers={**bearer(key), "Content-Type": "application/json"},
        )
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_an_oversized_body_is_a_413(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "acme")
    big = json.dumps({**small_scenario(), "name": "x" * 3_000_000})
    answer = httpx.post(
        f"{base}/v1/plans", content=big, headers={**bearer(key), "Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


def test_health_readiness_metrics_and_openapi(service: tuple[str, str]) -> None:
    base, _ = service
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
    metrics = httpx.get(f"{base}/metrics").text
    assert "tandem_http_requests_total" in metrics and "tandem_job_run_seconds" in metrics
    document = httpx.get(f"{base}/openapi.json").json()
    assert {"/v1/plans", "/v1/plans/{job_id}", "/healthz", "/readyz", "/metrics"} <= set(
        document["paths"]
    )


@pytest.mark.one_database
def test_a_queued_job_survives_a_restart(lone_database: str) -> None:
    database = lone_database  # the module's service, with its workers, is elsewhere
    _, key = create_key(database, "restart-co")
    with serving(database, TANDEM_WORKER_ENABLED="false") as base:
        href = httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(key)).headers[
            "Location"
        ]
        assert httpx.get(base + href, headers=bearer(key)).json()["status"] == "queued"
    # The service was killed hard with the job queued; a new one finishes it.
    with serving(database) as base:
        assert wait_done(base, href, key)["status"] == "done"


def test_a_programme_is_planned_then_re_planned_after_a_change_with_its_history(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "programme-co")
    created = httpx.post(f"{base}/v1/programmes", json=small_scenario(), headers=bearer(key))
    assert created.status_code == 201
    programme = created.headers["Location"]
    first = wait_done(
        base, httpx.post(f"{base}{programme}/plan", headers=bearer(key)).headers["Location"], key
    )
    assert first["status"] == "done", first
    sessions = httpx.get(f"{base}{programme}/sessions", headers=bearer(key)).json()
    assert len(sessions) == 6
    mine = httpx.get(
        f"{base}{programme}/sessions",
        params={"person": "e1", "to": "2027-01-11T00:00:00Z"},
        headers=bearer(key),
    ).json()
    assert [(s["pair"], s["index"]) for s in mine] == [("p1", 0)]
    feed = httpx.get(f"{base}{programme}/people/e1/sessions.ics", headers=bearer(key))
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.text.count("BEGIN:VEVENT") == 3 and "SUMMARY:Reverse mentoring with m1" in feed.text
    # The executive's calendar now has a meeting over session 1 of p1.
    hit = next(s for s in sessions if (s["pair"], s["index"]) == ("p1", 1))
    change = {"kind": "busy", "person": "e1", "start": hit["start"], "end": hit["end"]}
    answer = httpx.post(f"{base}{programme}/changes", json=change, headers=bearer(key))
    assert answer.status_code == 202
    replanned = wait_done(base, answer.headers["Location"], key)
    assert replanned["status"] == "done"
    # From the last plan: only e1's group was planned again, in the small jobs' queue.
    assert replanned["queue"] == "small"
    assert "1 pairs untouched by the change kept their plan" in " ".join(
        replanned["plan"]["solver"]["notes"]
    )
    after = httpx.get(f"{base}{programme}/sessions", headers=bearer(key)).json()
    assert [(s["pair"], s["index"]) for s in after if s["moved"]] == [("p1", 1)]
    history = httpx.get(f"{base}{programme}/history", headers=bearer(key)).json()
    moved = [e for e in history if e["kind"] == "moved"]
    assert len(moved) == 1 and moved[0]["old_start"] == hit["start"]
    assert moved[0]["reason"].startswith("busy_time: overlaps busy time of executive e1")
    assert sum(e["kind"] == "placed" for e in history) == 6
    assert httpx.get(f"{base}{programme}", headers=bearer(key)).json()["version"] == 2


def test_a_replaced_scenario_is_planned_whole_again(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "replacing-co")
    programme = planned_programme(base, key, small_scenario())
    longer = {**small_scenario(), "horizon": {"start": "2027-01-04", "weeks": 4}}
    tag = httpx.get(f"{base}{programme}", headers=bearer(key)).headers["ETag"]
    replaced = httpx.put(f"{base}{programme}", json=longer, headers=bearer(key) | {"If-Match": tag})
    assert replaced.status_code == 200, replaced.text
    again = plan_and_wait(base, key, programme)
    assert not any("untouched" in note for note in again["plan"]["solver"]["notes"])
    assert len(httpx.get(f"{base}{programme}/sessions", headers=bearer(key)).json()) == 8
    # Since that full plan, a decline is a re-plan from it again.
    declined = httpx.post(
        f"{base}{programme}/changes",
        json={"kind": "decline", "pair": "p1", "index": 3},
        headers=bearer(key),
    )
    after = wait_done(base, declined.headers["Location"], key)
    assert "1 pairs untouched" in " ".join(after["plan"]["solver"]["notes"])


def test_declines_people_leaving_and_bad_changes(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "changes-co")
    programme = planned_programme(base, key, small_scenario())
    declined = httpx.post(
        f"{base}{programme}/changes",
        json={"kind": "decline", "pair": "p2", "index": 0},
        headers=bearer(key),
    )
    wait_done(base, declined.headers["Location"], key)
    history = httpx.get(f"{base}{programme}/history", headers=bearer(key)).json()
    assert [e["reason"] for e in history if e["kind"] == "moved"] == [
        "the session was declined at 2027-01-04 08:00 UTC by an attendee; it had to leave its "
        "start, and that time and that local day of both mentor m2 and executive e2 are not "
        "offered to it again (declined_time, after_decline: other_day)"
    ]
    left = httpx.post(
        f"{base}{programme}/changes", json={"kind": "leave", "person": "m2"}, headers=bearer(key)
    )
    wait_done(base, left.headers["Location"], key)
    remaining = httpx.get(f"{base}{programme}/sessions", headers=bearer(key)).json()
    assert {s["pair"] for s in remaining} == {"p1"}
    for bad, status in (
        ({"kind": "busy", "person": "e1"}, 422),
        ({"kind": "decline", "pair": "p9", "index": 0}, 404),  # no such session
        ({"kind": "decline", "pair": "p1", "index": 0, "person": "e2"}, 422),  # not of the pair
        ({"kind": "cancel", "pair": "p1", "index": 99}, 404),
        ({"kind": "teleport"}, 422),
    ):
        answer = httpx.post(f"{base}{programme}/changes", json=bad, headers=bearer(key))
        assert answer.status_code == status, bad
        assert answer.headers["content-type"] == "application/problem+json"
    unknown = httpx.post(
        f"{base}{programme}/changes",
        json={"kind": "decline", "pair": "p1", "index": 99},
        headers=bearer(key),
    )
    assert unknown.status_code == 404  # not accepted, and no re-plan queued
    assert unknown.json()["errors"] == [
        {"path": "index", "message": "the plan has no session 99 of pair 'p1'"}
    ]
    _, other = create_key(database, "someone-else")
    assert httpx.get(f"{base}{programme}/sessions", headers=bearer(other)).status_code == 404


def test_a_decline_re_planned_twice_never_returns_to_the_declined_time(
    service: tuple[str, str],
) -> None:
    """The executive declines p2#0 (Monday 4 January, 09:00 in Paris); the re-plan moves it
    off that day. Then a meeting lands on the new time: the next re-plan would take Monday
    09:00 again (the earliest start) if the programme forgot the decline."""
    base, database = service
    _, key = create_key(database, "declines-twice-co")
    programme = planned_programme(base, key, small_scenario())

    def p2_0() -> dict[str, Any]:
        found = httpx.get(f"{base}{programme}/sessions", headers=bearer(key)).json()
        return next(s for s in found if (s["pair"], s["index"]) == ("p2", 0))

    declined = p2_0()
    assert declined["start"] == "2027-01-04T08:00:00Z"
    change = {"kind": "decline", "pair": "p2", "index": 0, "person": "e2"}
    answer = httpx.post(f"{base}{programme}/changes", json=change, headers=bearer(key))
    second = wait_done(base, answer.headers["Location"], key)["plan"]
    moved = p2_0()
    assert not moved["start"].startswith("2027-01-04")
    (kept,) = [s for s in second["sessions"] if (s["pair"], s["index"]) == ("p2", 0)]
    assert kept["declined"] == [{"start": "2027-01-04T08:00:00Z", "by": "executive"}]
    assert kept["moved_because"].startswith(
        "the session was declined at 2027-01-04 08:00 UTC by executive e2;"
    )
    busy = {"kind": "busy", "person": "e2", "start": moved["start"], "end": moved["end"]}
    answer = httpx.post(f"{base}{programme}/changes", json=busy, headers=bearer(key))
    third = wait_done(base, answer.headers["Location"], key)["plan"]
    again = p2_0()
    assert again["start"] != moved["start"] and not again["start"].startswith("2027-01-04")
    (kept,) = [s for s in third["sessions"] if (s["pair"], s["index"]) == ("p2", 0)]
    assert kept["declined"] == [{"start": "2027-01-04T08:00:00Z", "by": "executive"}]
    assert kept["moved_because"].startswith("busy_time: ")


def test_what_if_over_http_compares_the_variants(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "whatif-co")
    document = {
        **small_scenario(),
        "variations": [
            {"name": "biweekly", "set": {"rules.cadence": "biweekly"}},
            {"name": "typo", "set": {"pairs.p9.cadence": "weekly"}},
        ],
    }
    bad = httpx.post(f"{base}/v1/whatif", json=document, headers=bearer(key))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "variations[1].set['pairs.p9.cadence']"
    document["variations"].pop()
    answer = httpx.post(f"{base}/v1/whatif", json=document, headers=bearer(key))
    assert answer.status_code == 202
    job = wait_done(base, answer.headers["Location"], key)
    assert job["status"] == "done", job
    comparison = job["comparison"]
    assert comparison["variants"] == ["base", "biweekly"]
    rows = {row["figure"]: row["values"] for row in comparison["rows"]}
    assert rows["sessions required"] == [6, 4]  # numbers, not text
    assert rows["sessions placed, share"] == [1.0, 1.0]
    assert rows["differs from base"][0] is None
    assert set(comparison["plans"]) == {"base", "biweekly"}
    # each variant was a job of its own, for any worker to take
    with sessions(make_engine(database))() as session:
        parts = session.execute(
            select(PlanJob.part, PlanJob.status, PlanJob.worker).where(
                PlanJob.parent_id == job["id"]
            )
        ).all()
    assert sorted((part, state) for part, state, _ in parts) == [(0, "done"), (1, "done")]
    assert all(worker for _, _, worker in parts)
    # a what-if job is not a plan job, and no other tenant sees it
    assert httpx.get(f"{base}/v1/plans/{job['id']}", headers=bearer(key)).status_code == 404
    _, other = create_key(database, "whatif-other")
    assert httpx.get(base + answer.headers["Location"], headers=bearer(other)).status_code == 404


def test_sessions_come_a_page_at_a_time(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "pages-co")
    programme = planned_programme(base, key, small_scenario())
    first = httpx.get(f"{base}{programme}/sessions", params={"limit": 4}, headers=bearer(key))
    assert first.headers["X-Total-Count"] == "6" and len(first.json()) == 4
    following = first.headers["Link"].split(";")[0].strip("<>")
    second = httpx.get(following, headers=bearer(key))
    assert len(second.json()) == 2 and "Link" not in second.headers
    starts = [s["start"] for s in first.json() + second.json()]
    pages = first.json() + second.json()
    assert starts == sorted(starts)
    assert len({(s["pair"], s["index"]) for s in pages}) == 6  # every session once
    assert (
        httpx.get(
            f"{base}{programme}/sessions", params={"limit": 0}, headers=bearer(key)
        ).status_code
        == 422
    )


def test_callers_cannot_make_the_server_read_its_files_or_mailboxes(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "curious-co")
    for calendar in ({"ics": "/etc/passwd"}, {"graph": True}):
        document = small_scenario()
        document["people"][1] |= {"email": "ceo@contoso.example", "calendar": calendar}
        for path in ("/v1/plans", "/v1/programmes"):
            answer = httpx.post(base + path, json=document, headers=bearer(key))
            assert answer.status_code == 422, (path, calendar)
            (error,) = answer.json()["errors"]
            assert error["path"] == "people[1].calendar"
            assert "root:" not in answer.text
    sneaky = {
        **small_scenario(),
        "variations": [{"name": "v", "set": {"people.e1.calendar": {"ics": "/etc/passwd"}}}],
    }
    assert httpx.post(f"{base}/v1/whatif", json=sneaky, headers=bearer(key)).status_code == 422


def test_matching_over_http_forms_the_pairs_with_their_reasons(service: tuple[str, str]) -> None:
    base, database = service
    _, key = create_key(database, "match-co")
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 2},
        people=[
            executive("e1", languages=["fr"], topics=["linkedin"], level="develop"),
            executive("e2", languages=["de"]),
            mentor("m1", languages=["en", "fr"], skills={"linkedin": 2}),
            mentor("m2", languages=["en"]),
        ],
        pairs=[],
    )
    bad = httpx.post(
        f"{base}/v1/matches", json={**document, "people": [{"id": "x"}]}, headers=bearer(key)
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    answer = httpx.post(f"{base}/v1/matches", json=document, headers=bearer(key))
    assert answer.status_code == 202
    job = wait_done(base, answer.headers["Location"], key)
    assert job["status"] == "done", job
    matching = job["matching"]
    assert [(p["executive"], p["mentor"]) for p in matching["pairs"]] == [("e1", "m1")]
    assert matching["pairs"][0]["reason"].startswith("knows 1 of 1 topics (linkedin)")
    (left,) = matching["executives_unmatched"]
    assert left["executive"] == "e2" and left["refused"]["language"] == 2
    assert job["scenario"]["pairs"] == [{"id": "e1-m1", "mentor": "m1", "mentee": "e1"}]
    # The scenario it returns plans as it is.
    planned = httpx.post(f"{base}/v1/plans", json=job["scenario"], headers=bearer(key))
    assert wait_done(base, planned.headers["Location"], key)["status"] == "done"
    # A matching job is not a plan job, and no other tenant sees it.
    assert httpx.get(f"{base}/v1/plans/{job['id']}", headers=bearer(key)).status_code == 404
    _, other = create_key(database, "match-other")
    assert httpx.get(base + answer.headers["Location"], headers=bearer(other)).status_code == 404


def test_a_matching_is_refused_at_once_for_a_missing_field_or_its_size(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "match-bad")
    document = scenario(people=[executive("e1"), mentor("m1", languages=["en"])], pairs=[])
    refused = httpx.post(f"{base}/v1/matches", json=document, headers=bearer(key))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["path"] == "people[0].languages"
    # 500 executives x 10,000 mentors working around the clock on a 5-minute grid for
    # two years: refused before any calendar is read, naming the causes.
    always = {"mon-sun": ["00:00-24:00"]}
    crowd = scenario(
        horizon={"start": "2027-01-04", "weeks": 104},
        grid_minutes=5,
        people=[
            *(executive(f"e{n}", languages=["en"], working_hours=always) for n in range(500)),
            *(mentor(f"m{n}", languages=["en"]) for n in range(10_000)),
        ],
        pairs=[],
    )
    beyond = httpx.post(f"{base}/v1/matches", json=crowd, headers=bearer(key))
    assert beyond.status_code == 422, beyond.text
    messages = " ".join(e["message"] for e in beyond.json()["errors"])
    assert "start cells to compare, past the quota" in messages
    assert "MB to measure calendar fit, past the budget" in messages
    assert "a 5-minute grid" in messages and "a 104-week horizon" in messages
    assert "5,000,000 would-be pairs (executives to match x mentors), past the quota" in messages


def test_a_supervised_programme_shows_check_ins_in_the_coach_and_mentor_feeds(
    service: tuple[str, str],
) -> None:
    base, database = service
    _, key = create_key(database, "supervised-co")
    document = supervised_programme(
        {"coaches": ["c1"]}, horizon={"start": "2027-01-04", "weeks": 2}
    )
    created = httpx.post(f"{base}/v1/programmes", json=document, headers=bearer(key))
    assert created.status_code == 201, created.text
    programme = created.headers["Location"]
    done = wait_done(
        base, httpx.post(f"{base}{programme}/plan", headers=bearer(key)).headers["Location"], key
    )
    assert done["status"] == "done", done
    kinds = {s["pair"]: s["kind"] for s in done["plan"]["sessions"]}
    assert kinds["check-in.m2"] == "supervision" and kinds["p2"] == "mentoring"
    coach_feed = httpx.get(f"{base}{programme}/people/c1/sessions.ics", headers=bearer(key)).text
    assert coach_feed.count("SUMMARY:Mentor check-in:") == 3
    mentor_feed = httpx.get(f"{base}{programme}/people/m2/sessions.ics", headers=bearer(key)).text
    assert mentor_feed.count("SUMMARY:Mentor check-in: m2 with c1") == 1
    assert mentor_feed.count("SUMMARY:Reverse mentoring with e2") == 2
