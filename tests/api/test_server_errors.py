"""The server's own errors as the service answers and logs them. A pool that gives no
connection in time cannot be reached through the service any more (a request waits for a
turn, `api.dependencies`, and the pool has one connection per turn), so the answer to it is
checked on a route of this test's own, over a real SQLAlchemy pool that is full."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine

from api import problems, server_errors

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
