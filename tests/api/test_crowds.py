"""Many requests at once, as a hostile tenant sends them: each gets its own answer (never a
500 because the database's connections ran out). Through real HTTP on SQLite and
PostgreSQL, against a service that runs no jobs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.service import create_key, serving
from tests.builders import executive, mentor, pair, scenario

CAP = 4  # jobs a tenant may have queued or running
CROWD = 100  # requests sent at once, far more than the connections and the thread pool


@pytest.fixture(scope="module")
def live(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("crowds") / "serve.log"
    with serving(
        module_database_url,
        log=log,
        TANDEM_WORKER_ENABLED="false",
        TANDEM_TENANT_MAX_JOBS=str(CAP),
    ) as base:
        yield base, log


def small(**extra: Any) -> dict[str, Any]:
    return scenario(
        horizon={"start": "2027-01-04", "weeks": 2},
        people=[mentor("m1"), executive("e1")],
        pairs=[pair("p1", "m1", "e1")],
        **extra,
    )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def all_at_once(requests: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
    """Every request on a thread and a connection of its own, sent together."""

    def send(request: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with httpx.Client(timeout=300) as client:
            return request(client)

    with ThreadPoolExecutor(len(requests)) as threads:
        return list(threads.map(send, requests))


def test_a_crowd_of_requests_each_gets_its_answer_none_a_500(
    live: tuple[str, Path], module_database_url: str
) -> None:
    """Before: with 100 requests at once, 40 waited 30 s for a connection and answered 500
    (`QueuePool limit ... reached`), a traceback each in the log: a request kept its
    connection from authentication to the end of its answer, and while it waited for a
    thread of the pool to run its route, the threads waited for connections."""
    base, log = live
    _, reader = create_key(module_database_url, "crowd-reader")
    _, writer = create_key(module_database_url, "crowd-writer")

    def read(client: httpx.Client) -> httpx.Response:
        return client.get(f"{base}/v1/plans/nonexistent", headers=bearer(reader))

    def submit(client: httpx.Client) -> httpx.Response:
        return client.post(f"{base}/v1/plans", json=small(), headers=bearer(writer))

    answers = all_at_once([read, submit] * (CROWD // 2))
    reads, submissions = answers[0::2], answers[1::2]
    assert Counter(a.status_code for a in reads) == {404: CROWD // 2}
    assert {a.status_code for a in submissions} == {202, 429}  # queued, or past the cap
    assert all(a.headers["content-type"].startswith("application/problem+json") for a in reads)
    assert "Traceback" not in log.read_text()
