"""The server's own errors as the service answers, counts and logs them. An error no route
expects is made for real: the table of API keys is renamed under a running service, as a
botched migration would. A pool that gives no connection in time cannot be reached through
the service any more (a request waits for a turn, `api.dependencies`, and the pool has one
connection per turn), so the answer to it is checked on a route of this test's own, over a
real SQLAlchemy pool that is full."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from api import problems, server_errors
from api.storage.database import make_engine
from tests.api.service import create_key, serving

PROBLEM = "application/problem+json"


def served(app: FastAPI, path: str) -> httpx.Response:
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tandem") as client:
            return await client.get(path)

    return asyncio.run(get())


def test_no_connection_free_in_time_is_a_503_with_retry_after_in_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: a 500 with a traceback in the log for every request that waited."""
    pool = create_engine(
        f"sqlite:///{tmp_path / 'one.db'}", pool_size=1, max_overflow=0, pool_timeout=0
    )
    app = FastAPI()
    problems.install(app)
    server_errors.install(app)

    @app.get("/v1/things/{thing}")
    def read_thing(thing: str) -> dict[str, str]:
        with pool.connect():
            return {"thing": thing}

    with pool.connect():  # the pool's only connection, held while the route asks for one
        answer = served(app, "/v1/things/abc")
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["Retry-After"] == str(server_errors.BUSY_RETRY_SECONDS)
    assert answer.json()["title"] == "Service Unavailable"
    logged = [r for r in caplog.records if r.name == server_errors.__name__]
    assert [r.getMessage() for r in logged] == [
        "no database connection free in time: GET /v1/things/{thing} answered 503"
    ]
    assert logged[0].exc_info is None  # one line: no traceback
    assert served(app, "/v1/things/abc").json() == {"thing": "abc"}  # free again: answered


def rename_table(database: str, table: str, new_name: str) -> None:
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {new_name}"))
    engine.dispose()


def test_an_unexpected_error_is_a_500_problem_counted_in_the_metrics_and_logged_by_route(
    database_url: str, tmp_path: Path
) -> None:
    """Before: a plain-text 500, and `/metrics` did not count it (the counting middleware
    counted only the answers the route returned, not an exception escaping it)."""
    _, key = create_key(database_url, "unlucky-co")
    log = tmp_path / "serve.log"
    with serving(database_url, log=log, TANDEM_WORKER_ENABLED="false") as base:
        rename_table(database_url, "api_keys", "api_keys_gone")
        answer = httpx.get(f"{base}/v1/plans/abc", headers={"Authorization": f"Bearer {key}"})
        metrics = httpx.get(f"{base}/metrics").text
    assert answer.status_code == 500, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["title"] == "Internal Server Error"
    counted = 'tandem_http_requests_total{method="GET",route="/v1/plans/{job_id}",status="500"} 1.0'
    assert counted in metrics.splitlines()
    ours = [line for line in log.read_text().splitlines() if server_errors.__name__ in line]
    assert len(ours) == 1 and re.fullmatch(
        r"ERROR api\.server_errors: unhandled (OperationalError|ProgrammingError): "
        r"GET /v1/plans/\{job_id\} answered 500",
        ours[0],
    ), ours
