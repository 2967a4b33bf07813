"""Input built to break the service gets a clear refusal: a 4xx with a problem+json body
naming the field, never a 500, a job that can never be read, or a log that grows without
bound. Through real HTTP, on SQLite and PostgreSQL (which refuses NUL in text)."""

from __future__ import annotations

import inspect
import json
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.invitations.notifications import MOST_PER_DELIVERY, accept_deliveries
from api.routes.health import healthz
from api.storage.database import make_engine, sessions, upgrade
from scheduler.document_limits import MAX_DEPTH
from tests.api.service import create_key, fresh_postgres, serving
from tests.builders import executive, mentor, pair, scenario

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TANDEM_TEST_DATABASE_URL") else [])
PROBLEM = "application/problem+json"
QUOTAS = {
    "TANDEM_WORKER_ENABLED": "false",
    "TANDEM_MAX_PAIRS": "50",
    "TANDEM_MAX_CANDIDATE_STARTS": "5000000",  # one heavy variant fits, forty do not
}


@pytest.fixture(params=DATABASES, scope="module")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A service that runs no jobs: every refusal here happens before a job would."""
    if request.param == "sqlite":
        database = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'tandem.db'}"
        with serving(database, **QUOTAS) as base:
            yield base, headers(database)
    else:
        with (
            fresh_postgres(os.environ["TANDEM_TEST_DATABASE_URL"]) as database,
            serving(database, **QUOTAS) as base,
        ):
            yield base, headers(database)


def headers(database: str) -> dict[str, str]:
    _, key = create_key(database, "hostile-co")
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def small() -> dict[str, Any]:
    return scenario(
        horizon={"start": "2027-01-04", "weeks": 2},
        people=[mentor("m1"), executive("e1")],
        pairs=[pair("p1", "m1", "e1")],
    )


def refused(answer: httpx.Response, status: int = 422) -> list[dict[str, str]]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    errors: list[dict[str, str]] = answer.json().get("errors", [])
    return errors


def post_raw(live: tuple[str, dict[str, str]], path: str, body: str | bytes) -> httpx.Response:
    base, auth = live
    return httpx.post(base + path, content=body, headers=auth, timeout=60)


@pytest.mark.parametrize(
    ("field", "where"),
    [
        (lambda s: s.update(name="x\ud800y"), "name"),
        (lambda s: s["people"][0].update(name="\udfff"), "people[0].name"),
        (lambda s: s["people"][0].update(id="m\ud800"), "people[0].id"),
        (lambda s: s.update(name="a\x00b"), "name"),
        (lambda s: s["people"][1].update(email="e1\x00@example.com"), "people[1].email"),
    ],
)
@pytest.mark.parametrize("route", ["/v1/plans", "/v1/programmes", "/v1/whatif"])
def test_text_that_cannot_be_stored_is_refused_at_submission(
    live: tuple[str, dict[str, str]], field: Any, where: str, route: str
) -> None:
    """Before: a lone surrogate was accepted and the job's GET answered 500 forever; a NUL
    reached PostgreSQL."""
    document = small()
    field(document)
    errors = refused(post_raw(live, route, json.dumps(document)))
    assert [e["path"] for e in errors] == [where]
    assert "NUL" in errors[0]["message"] or "surrogate" in errors[0]["message"]


def test_a_nul_in_the_path_is_not_found_and_in_the_query_is_refused(
    live: tuple[str, dict[str, str]],
) -> None:
    base, auth = live
    refused(httpx.get(f"{base}/v1/plans/abc%00def", headers=auth), 404)
    refused(httpx.get(f"{base}/v1/programmes/x%00/sessions", headers=auth), 404)
    errors = refused(
        httpx.get(f"{base}/v1/programmes/x/sessions", params={"person": "a\x00"}, headers=auth)
    )
    assert errors[0]["path"] == "(query)" and "NUL" in errors[0]["message"]


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 900, 100_000])
def test_a_body_nested_past_the_limit_is_refused_naming_it(
    live: tuple[str, dict[str, str]], levels: int
) -> None:
    """Before: 900 levels in a variation's `set` ended in a RecursionError and a 500."""
    nested: Any = 1
    for _ in range(min(levels, 900)):
        nested = {"a": nested}
    document = small()
    document["variations"] = [{"name": "v", "set": {"rules": nested}}]
    body = json.dumps(document) if levels <= 900 else "[" * levels + "]" * levels
    errors = refused(post_raw(live, "/v1/whatif", body))
    assert f"nested deeper than {MAX_DEPTH} levels" in errors[0]["message"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"now": "9999-12-31T23:59:59Z"}, "now"),
        ({"rules": {"min_notice_hours": 1e12}}, "rules.min_notice_hours"),
        ({"rules": {"max_sessions_per_day": 10**20}}, "rules.max_sessions_per_day"),
    ],
)
def test_values_that_overflow_are_refused_at_submission_not_in_the_job(
    live: tuple[str, dict[str, str]], change: dict[str, Any], where: str
) -> None:
    """Before: accepted, then the job failed with an internal error."""
    errors = refused(post_raw(live, "/v1/plans", json.dumps({**small(), **change})))
    assert [e["path"] for e in errors] == [where]


def test_two_pairs_of_one_mentor_and_mentee_are_refused(live: tuple[str, dict[str, str]]) -> None:
    document = small()
    document["pairs"].append(pair("p2", "m1", "e1"))
    errors = refused(post_raw(live, "/v1/plans", json.dumps(document)))
    assert errors[0]["path"] == "pairs[1]" and "same mentor and mentee" in errors[0]["message"]


def test_more_variations_than_the_cap_are_refused_before_any_is_validated(
    live: tuple[str, dict[str, str]],
) -> None:
    document = small()
    document["variations"] = [
        {"name": f"v{i}", "set": {"rules.cadence": "biweekly"}} for i in range(1000)
    ]
    errors = refused(post_raw(live, "/v1/whatif", json.dumps(document)))
    assert errors == [
        {"path": "variations", "message": "1,000 variations, past the quota of 50 per job"}
    ]


def test_made_up_methods_do_not_grow_the_metrics(live: tuple[str, dict[str, str]]) -> None:
    """Before: each made-up method name added a series (2,000 requests: 32 MB)."""
    base, _ = live
    with httpx.Client() as client:
        for number in range(20):
            client.request(f"X{number}FORGED", f"{base}/v1/plans")
    metrics = httpx.get(f"{base}/metrics").text
    assert "FORGED" not in metrics
    assert 'method="other"' in metrics


def test_graph_webhooks_refuse_a_surrogate_and_survive_a_client_gone_mid_body(
    live: tuple[str, dict[str, str]],
) -> None:
    base, _ = live
    forged = '{"value": [{"subscriptionId": "\\ud800", "clientState": "x"}]}'
    answer = httpx.post(
        f"{base}/v1/graph/notifications", content=forged, headers={"content-type": "text/plain"}
    )
    refused(answer)
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(
            b"POST /v1/graph/notifications HTTP/1.1\r\nHost: x\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"value": ['
        )
    assert httpx.get(f"{base}/healthz").status_code == 200
    assert 'status="500"' not in httpx.get(f"{base}/metrics").text


def test_a_forged_delivery_logs_one_short_escaped_line(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: one line per item, ids whole: 36 MB of log in 2 s, and forged log lines."""
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    upgrade(engine)
    forged = {
        "value": [
            {"subscriptionId": "s\n2026-12-01 ERROR forged line" + "x" * 10_000, "tenantId": "t"}
            for _ in range(MOST_PER_DELIVERY * 5)
        ]
    }
    with caplog.at_level(logging.WARNING), sessions(engine)() as session:
        assert accept_deliveries(session, forged, "t") == 0
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("api.invitations")]
    assert len(lines) == 1
    assert "\n" not in lines[0] and len(lines[0]) < 200
    assert f"ignored {MOST_PER_DELIVERY} notification(s)" in lines[0]
    assert "\\n2026-12-01 ERROR forged" in lines[0]  # escaped: no forged line


def test_liveness_runs_on_the_event_loop_not_in_the_thread_pool() -> None:
    """Requests that keep every pool thread busy (45 what-ifs being validated starved it
    for 35 s) cannot delay /healthz."""
    assert inspect.iscoroutinefunction(healthz)


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"version": 1,', b"[1, 2"])
def test_a_body_declared_json_that_is_none_is_a_documented_422(
    live: tuple[str, dict[str, str]], body: bytes
) -> None:
    """Before: FastAPI's own 400, which the API's document does not declare."""
    errors = refused(post_raw(live, "/v1/plans", body))
    assert errors[0]["path"] == "(document)" and "not valid JSON" in errors[0]["message"]


def test_a_what_if_is_sized_variant_by_variant(live: tuple[str, dict[str, str]]) -> None:
    """Before: only the base was sized, so a variation adding pairs, weeks and a finer grid
    passed the quota and hogged the workers (and went to the small jobs' queue)."""
    document = small()
    grown = {f"people.x{i}": {"role": "mentor"} for i in range(60)}
    grown |= {f"pairs.q{i}": {"mentor": f"x{i}", "mentee": "e1"} for i in range(60)}
    document["variations"] = [{"name": "grown", "set": grown}]
    errors = refused(post_raw(live, "/v1/whatif", json.dumps(document)))
    assert errors == [
        {
            "path": "variations[0] 'grown': pairs",
            "message": "61 pairs, past the quota of 50 per job",
        }
    ]
    heavy = {"grid_minutes": 5, "horizon.weeks": 104, "people.m1.working_hours": ALL_DAY}
    heavy |= {"people.e1.working_hours": ALL_DAY}
    document["variations"] = [{"name": f"v{i}", "set": heavy} for i in range(40)]
    errors = refused(post_raw(live, "/v1/whatif", json.dumps(document)))
    assert errors[0]["path"] == "(document)"
    assert "past the quota" in errors[0]["message"] and "40 variations" in errors[0]["message"]


ALL_DAY = {"mon-sun": ["00:00-24:00"]}


def test_lists_past_what_a_job_may_hold_are_refused_before_validation(
    live: tuple[str, dict[str, str]],
) -> None:
    """Before: 600,000 empty pairs (a 1.8 MB body) took 17.7 s and 2.4 GB to answer with 1,800,000
    errors in 92.7 MB."""
    document = {**small(), "pairs": [{}] * 450_000}
    errors = refused(post_raw(live, "/v1/plans", json.dumps(document)))
    assert errors == [{"path": "pairs", "message": "450,000 pairs, past the quota of 50 per job"}]


def test_errors_are_bounded_in_number_and_length(live: tuple[str, dict[str, str]]) -> None:
    document = {**small(), "timezone": "A" * 100_000, "people": [{}] * 100}
    answer = post_raw(live, "/v1/plans", json.dumps(document))
    errors = refused(answer)
    assert len(errors) == 100 and errors[-1]["path"] == "(more)"
    assert errors[-1]["message"].endswith("more not shown")
    assert all(len(e["message"]) <= 500 and len(e["path"]) <= 200 for e in errors)
    assert len(answer.content) < 50_000


def test_session_queries_past_the_bounds_are_refused(live: tuple[str, dict[str, str]]) -> None:
    """Before: a 500 (an overflow in the date, or in the database's integer)."""
    base, auth = live
    created = httpx.post(f"{base}/v1/programmes", json=small(), headers=auth)
    sessions = f"{base}{created.headers['Location']}/sessions"
    for query in (
        {"from": "9999-12-31T23:59:59-23:59"},
        {"from": "0001-01-01T00:00:00+23:59"},
        {"to": "9999-12-31T23:59:59-23:59"},
        {"offset": str(2**63)},
    ):
        errors = refused(httpx.get(sessions, params=query, headers=auth))
        assert errors[0]["path"] == f"query.{next(iter(query))}", errors


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"variations": [{"name": "v", "set": {"name": 18446744073709551616}}]}', "variations"),
        ('{"rules": {"duration_minutes": NaN}}', "rules.duration_minutes"),
        ('{"rules": {"duration_minutes": 1e999}}', "rules.duration_minutes"),
    ],
)
def test_numbers_that_cannot_be_stored_are_refused(
    live: tuple[str, dict[str, str]], body: str, where: str
) -> None:
    """Before: a 500 at the job's insert (2**64), or NaN stored as null."""
    document = json.dumps(small())[:-1] + ", " + body[1:]
    errors = refused(post_raw(live, "/v1/whatif", document))
    assert errors[0]["path"].startswith(where)


def test_a_key_given_twice_is_refused(live: tuple[str, dict[str, str]]) -> None:
    """Before: the last one silently won."""
    document = json.dumps(small())[:-1] + ', "version": 2}'
    errors = refused(post_raw(live, "/v1/plans", document))
    assert errors == [
        {"path": "(document)", "message": "key 'version' is given twice in one mapping"}
    ]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            {
                "kind": "busy",
                "person": "e1",
                "start": "2027-01-05T09:00:00Z",
                "end": "2027-01-05T10:00:00Z",
                "extra": "x",
            },
            "extra",
        ),
        (
            {
                "kind": "busy",
                "person": "e1",
                "start": "1000-01-05T09:00:00Z",
                "end": "2027-01-05T10:00:00Z",
            },
            "start",
        ),
        ({"kind": "decline", "pair": "p1", "index": 2**63}, "index"),
    ],
)
def test_a_change_report_names_its_own_wrong_field(
    live: tuple[str, dict[str, str]], change: dict[str, Any], where: str
) -> None:
    """Before: unknown keys were ignored, and a time out of range was reported at a path
    of the scenario, not of the request."""
    base, auth = live
    created = httpx.post(f"{base}/v1/programmes", json=small(), headers=auth)
    answer = httpx.post(f"{base}{created.headers['Location']}/changes", json=change, headers=auth)
    errors = refused(answer)
    assert [e["path"] for e in errors] == [where], errors
