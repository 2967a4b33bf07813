"""Many requests at once, as a hostile tenant sends them: each gets its own answer (never a
500 because the database's connections ran out), and a tenant's job cap holds however
many submissions race. Through real HTTP on SQLite and PostgreSQL, against a service that
runs no jobs (what was queued stays queued, so the database shows what was accepted)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.storage.database import make_engine, sessions
from api.storage.models import ApiKey, PlanJob
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


def jobs_by_status(database: str, key_id: str) -> dict[str, int]:
    """How many jobs the key's tenant has in each status (a what-if once, not per variant)."""
    engine = make_engine(database)
    tenant = select(ApiKey.tenant_id).where(ApiKey.id == key_id).scalar_subquery()
    with sessions(engine)() as session:
        rows = session.execute(
            select(PlanJob.status, func.count())
            .where(PlanJob.tenant_id == tenant, PlanJob.parent_id.is_(None))
            .group_by(PlanJob.status)
        ).all()
    engine.dispose()
    return {str(status): int(count) for status, count in rows}


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


def test_racing_submissions_never_pass_the_tenants_cap(
    live: tuple[str, Path], module_database_url: str
) -> None:
    """Before: the count of the tenant's jobs and the new job's insert were not serialised:
    of 100 submissions at once with a cap of 20, SQLite accepted 30 and PostgreSQL 21+.
    Plans, what-ifs and programme plans share the cap and race here together."""
    base, _ = live
    key_id, key = create_key(module_database_url, "crowd-racer")
    programmes = [
        httpx.post(f"{base}/v1/programmes", json=small(name=f"p{n}"), headers=bearer(key))
        for n in range(CROWD // 5)
    ]
    assert {p.status_code for p in programmes} == {201}

    def plan(client: httpx.Client) -> httpx.Response:
        return client.post(f"{base}/v1/plans", json=small(), headers=bearer(key))

    def whatif(client: httpx.Client) -> httpx.Response:
        variations = [{"name": "biweekly", "set": {"rules.cadence": "biweekly"}}]
        return client.post(
            f"{base}/v1/whatif", json=small(variations=variations), headers=bearer(key)
        )

    def programme_plan(address: str) -> Callable[[httpx.Client], httpx.Response]:
        return lambda client: client.post(f"{base}{address}/plan", headers=bearer(key))

    racers = [plan, whatif] * (CROWD * 2 // 5) + [
        programme_plan(p.headers["Location"]) for p in programmes
    ]
    answers = all_at_once(racers)
    assert Counter(a.status_code for a in answers) == {202: CAP, 429: len(racers) - CAP}
    refused = [a for a in answers if a.status_code == 429]
    assert all(a.headers["Retry-After"] == "30" for a in refused)
    assert jobs_by_status(module_database_url, key_id) == {"queued": CAP}  # no worker runs


def test_one_programme_planned_by_many_at_once_gets_one_plan(
    live: tuple[str, Path], module_database_url: str
) -> None:
    """Before: the check for a plan already waiting ran before any lock, so requests racing
    each other could each queue a plan of the same programme."""
    base, _ = live
    key_id, key = create_key(module_database_url, "crowd-planner")
    created = httpx.post(f"{base}/v1/programmes", json=small(), headers=bearer(key))
    address = f"{base}{created.headers['Location']}/plan"

    def plan(client: httpx.Client) -> httpx.Response:
        return client.post(address, headers=bearer(key))

    answers = all_at_once([plan] * 30)
    assert {a.status_code for a in answers} == {202}
    assert len({a.headers["Location"] for a in answers}) == 1  # the one plan, named by all
    assert jobs_by_status(module_database_url, key_id) == {"queued": 1}
