"""The service's jobs on real `tandem worker` processes, on SQLite and PostgreSQL: the API
never solves, kills lose nothing and record nothing twice, small jobs never wait behind
large ones, tenants are held to their quotas, and re-plans coalesce."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select, text

from api.settings import ServiceSettings
from api.storage.database import make_engine, sessions
from api.storage.models import PlanJob, Programme, SessionEvent
from api.work.runner import solver_parameters
from connectors.scenarios import problem_from_data
from scheduler.plan_format import plan_to_dict, sessions_from_dict
from scheduler.solve import solve
from scheduler.validation import validate_plan
from tests.api.service import TANDEM, create_key, fresh_postgres, serving
from tests.api.test_service import bearer, small_scenario, wait_done
from tests.builders import executive, mentor, pair, scenario
from tests.scheduler.test_plan_parts import timeless

# Each runs workers in their own processes: on one database by default (conftest).
pytestmark = pytest.mark.one_database


EXPLODE = Path(__file__).parents[1] / "fixtures" / "scenarios" / "explode.yaml"
FAST_BEATS = {"TANDEM_HEARTBEAT_SECONDS": "0.3", "TANDEM_HEARTBEAT_TIMEOUT_SECONDS": "3"}


def slow_scenario() -> dict[str, Any]:
    """Seconds of work (a 5-minute grid over two years): long enough to kill mid-solve, and
    a large job."""
    document: dict[str, Any] = yaml.safe_load(EXPLODE.read_text())
    document["horizon"]["start"] = str(document["horizon"]["start"])
    hours = {"mon-sun": ["00:00-24:00"]}
    for n in range(20, 40):  # twice the pairs of the fixture: twice its seconds
        document["people"].append({"id": f"extra{n}", "role": "executive", "working_hours": hours})
        document["pairs"].append({"id": f"extra{n}", "mentor": "m1", "mentee": f"extra{n}"})
    return document


@contextmanager
def worker(
    database: str, broker: str, queues: str = "small,large", **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A `tandem worker` in its own process group (a kill -9 takes its pool and solver)."""
    process = subprocess.Popen(
        [TANDEM, "worker", "--queues", queues],
        env={
            **os.environ,
            "TANDEM_DATABASE_URL": database,
            "TANDEM_BROKER_FOLDER": broker,
            **FAST_BEATS,
            **env,
        },
        start_new_session=True,
    )
    try:
        yield process
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def broker() -> str:
    return tempfile.mkdtemp(prefix="tandem-broker-")


@contextmanager
def api_only(database: str, broker: str, **env: str) -> Iterator[str]:
    """The API with no local workers: jobs wait for the `worker()`s a test starts."""
    settings = {**FAST_BEATS, **env}
    with serving(
        database, TANDEM_WORKER_ENABLED="false", TANDEM_BROKER_FOLDER=broker, **settings
    ) as base:
        yield base


def post_plan(base: str, key: str, document: dict[str, Any]) -> str:
    """Submit a plan job; its address."""
    response = httpx.post(f"{base}/v1/plans", json=document, headers=bearer(key))
    assert response.status_code == 202, response.text
    return response.headers["Location"]


def create_programme(base: str, key: str, document: dict[str, Any]) -> str:
    return str(httpx.post(f"{base}/v1/programmes", json=document, headers=bearer(key)).json()["id"])


def plan_programme(base: str, key: str, programme: str) -> str:
    """Ask for the programme's plan; the job's address."""
    response = httpx.post(f"{base}/v1/programmes/{programme}/plan", headers=bearer(key))
    return response.headers["Location"]


def job_row(database: str, href: str) -> PlanJob:
    """The job's row, by its address."""
    with sessions(make_engine(database))() as session:
        job = session.get(PlanJob, href.rsplit("/", 1)[1])
        assert job is not None
        return job


def wait_status(base: str, href: str, key: str, wanted: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(base + href, headers=bearer(key)).json()
        if job["status"] == wanted:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {href} never {wanted}")


def test_the_api_never_solves_a_worker_does(database_url: str, broker: str) -> None:
    _, key = create_key(database_url, "api-co")
    with api_only(database_url, broker) as base:
        href = post_plan(base, key, small_scenario())
        time.sleep(1.5)
        waiting = httpx.get(base + href, headers=bearer(key)).json()
        assert waiting["status"] == "queued" and waiting["position"] == 0
        with worker(database_url, broker) as process:
            assert wait_done(base, href, key)["status"] == "done"
            assert job_row(database_url, href).worker.endswith(  # type: ignore[union-attr]
                tuple(f":{pid}" for pid in child_pids(process.pid))
            )
            metrics = httpx.get(f"{base}/metrics").text
            assert 'tandem_workers{unit="workers"} 1.0' in metrics
            assert 'tandem_job_run_seconds_count{queue="small"} 1.0' in metrics


def wait_until_the_recording_waits(database_url: str, blocker_pid: int) -> None:
    """The worker's finishing transaction waits for the programme's row: the plan is made
    and the worker is inside its commit (seen by PostgreSQL itself, not by timing)."""
    deadline = time.monotonic() + 60
    with make_engine(database_url).connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%FROM programmes%FOR UPDATE%' AND pid <> :blocker"
                ),
                {"blocker": blocker_pid},
            ).scalar_one()
            if waiting:
                return
            watcher.rollback()
            time.sleep(0.02)
    raise AssertionError("the worker never reached the recording of its plan")


REDIS = os.environ.get("TANDEM_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")


def test_workers_on_another_broker_redis_take_the_jobs(database_url: str) -> None:
    """Past one machine: the API and a worker share the database and a Redis broker."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except Exception:
        pytest.skip(f"no Redis at {REDIS} (CI starts one)")
    shared = {
        "TANDEM_BROKER_URL": REDIS,
        "TANDEM_BROKER_PREFIX": f"t{os.getpid()}{time.time_ns()}:",
    }
    _, key = create_key(database_url, "redis-co")
    with (
        serving(database_url, TANDEM_WORKER_ENABLED="false", **FAST_BEATS, **shared) as base,
        worker(database_url, "unused", **shared),
    ):
        hrefs = [post_plan(base, key, small_scenario()) for _ in range(3)]
        assert all(wait_done(base, h, key)["status"] == "done" for h in hrefs)
    assert all(job_row(database_url, h).attempts == 1 for h in hrefs)


def child_pids(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(p) for p in found]


def test_a_worker_killed_mid_solve_loses_nothing_and_records_once(
    database_url: str, broker: str
) -> None:
    _, key = create_key(database_url, "kill-co")
    with api_only(database_url, broker) as base:
        programme = create_programme(base, key, slow_scenario())
        href = plan_programme(base, key, programme)
        with worker(database_url, broker) as first:
            wait_status(base, href, key, "running")
            kill_group(first)  # kill -9, mid-solve: its claim lapses with its heartbeat
        with worker(database_url, broker):
            assert wait_done(base, href, key)["status"] == "done"
    job = job_row(database_url, href)
    assert job.attempts == 2
    assert_recorded_once(database_url, programme)


def assert_recorded_once(database: str, programme_id: str) -> None:
    with sessions(make_engine(database))() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None and programme.version == 1
        versions = set(
            session.scalars(
                select(SessionEvent.plan_version).where(SessionEvent.programme_id == programme_id)
            )
        )
        assert versions == {1}


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not os.environ.get("TANDEM_TEST_DATABASE_URL"):
        pytest.skip("needs TANDEM_TEST_DATABASE_URL (CI sets it)")
    with fresh_postgres(os.environ["TANDEM_TEST_DATABASE_URL"]) as url:
        yield url


def test_a_worker_killed_mid_commit_records_once(postgres_url: str, broker: str) -> None:
    """The finishing transaction is held up (another transaction holds the programme's row,
    which it must write), the worker is killed inside it; the next worker records the plan,
    once. PostgreSQL only: SQLite has one lock for every writer, so nothing can hold up the
    commit without also holding up the heartbeat (and its rollback journal undoes a killed
    transaction the same way)."""
    database_url = postgres_url
    _, key = create_key(database_url, "commit-co")
    with api_only(database_url, broker) as base:
        programme = create_programme(base, key, small_scenario())
        href = plan_programme(base, key, programme)
        with make_engine(database_url).connect() as blocker:
            # the job runs; its commit waits for the programme's row
            blocker.execute(select(Programme.id).where(Programme.id == programme).with_for_update())
            blocker_pid = blocker.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with worker(database_url, broker) as first:
                wait_until_the_recording_waits(database_url, blocker_pid)
                kill_group(first)
            blocker.rollback()
        assert job_row(database_url, href).status == "running"  # nothing half-written
        with worker(database_url, broker):
            assert wait_done(base, href, key)["status"] == "done"
    assert_recorded_once(database_url, programme)


def test_a_job_longer_than_the_heartbeat_timeout_runs_once_beside_a_second_worker(
    database_url: str, broker: str
) -> None:
    _, key = create_key(database_url, "long-co")
    with api_only(database_url, broker) as base:
        programme = create_programme(base, key, slow_scenario())
        with worker(database_url, broker), worker(database_url, broker):
            href = plan_programme(base, key, programme)
            assert wait_done(base, href, key)["status"] == "done"
            # and every other job of the queue, on two workers, runs once too
            hrefs = [post_plan(base, key, small_scenario()) for _ in range(6)]
            assert all(wait_done(base, h, key)["status"] == "done" for h in hrefs)
    long_job = job_row(database_url, href)
    assert long_job.finished_at and long_job.started_at
    # the premise: the job ran longer than a heartbeat timeout (a lease it would outlive)
    assert (long_job.finished_at - long_job.started_at).total_seconds() > 3
    assert long_job.attempts == 1
    assert all(job_row(database_url, h).attempts == 1 for h in hrefs)
    assert_recorded_once(database_url, programme)


def test_a_small_job_starts_at_once_while_large_ones_fill_the_workers(database_url: str) -> None:
    _, big = create_key(database_url, "big-co")
    _, small = create_key(database_url, "small-co")
    with serving(database_url, TANDEM_LOCAL_WORKERS="1") as base:
        large = [post_plan(base, big, slow_scenario()) for _ in range(3)]  # each a 202
        wait_status(base, large[0], big, "running")
        href = post_plan(base, small, small_scenario())
        job = wait_done(base, href, small)
        assert job["queue"] == "small"
        assert httpx.get(base + large[0], headers=bearer(big)).json()["queue"] == "large"
        started = datetime.fromisoformat(job["started_at"])
        created = datetime.fromisoformat(job["created_at"])
        assert (started - created).total_seconds() < 2


def test_tenants_are_held_to_their_job_cap_and_size_quota(database_url: str, broker: str) -> None:
    _, key = create_key(database_url, "quota-co")
    _, other = create_key(database_url, "other-co")
    with api_only(database_url, broker, TANDEM_TENANT_MAX_JOBS="2", TANDEM_MAX_PAIRS="19") as base:
        for _ in range(2):
            assert (
                httpx.post(
                    f"{base}/v1/plans", json=small_scenario(), headers=bearer(key)
                ).status_code
                == 202
            )
        refused = httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(key))
        assert refused.status_code == 429
        assert refused.headers["Retry-After"].isdigit()
        assert refused.headers["content-type"].startswith("application/problem+json")
        # another tenant is not held by the first one's jobs
        assert (
            httpx.post(f"{base}/v1/plans", json=small_scenario(), headers=bearer(other)).status_code
            == 202
        )
        too_big = httpx.post(f"{base}/v1/plans", json=slow_scenario(), headers=bearer(other))
        assert too_big.status_code == 422
        assert {
            "path": "pairs",
            "message": "40 pairs, past the quota of 19 per job",
        } in too_big.json()["errors"]


def test_changes_to_a_programme_coalesce_into_one_re_plan(database_url: str, broker: str) -> None:
    _, key = create_key(database_url, "change-co")
    with api_only(database_url, broker) as base:
        programme = create_programme(base, key, small_scenario())
        jobs = {
            httpx.post(
                f"{base}/v1/programmes/{programme}/changes",
                json={
                    "kind": "busy",
                    "person": "m1",
                    "start": f"2027-01-0{4 + n % 3}T09:00:00Z",
                    "end": f"2027-01-0{4 + n % 3}T10:00:00Z",
                },
                headers=bearer(key),
            ).json()["id"]
            for n in range(10)
        }
        assert len(jobs) == 1  # ten changes, one re-plan
        with worker(database_url, broker):
            assert wait_done(base, f"/v1/plans/{jobs.pop()}", key)["status"] == "done"
    with sessions(make_engine(database_url))() as session:
        stored = session.get(Programme, programme)
        assert stored is not None
        busy = next(p for p in stored.scenario["people"] if p["id"] == "m1")["busy"]
        assert len(busy) == 10  # every change kept


def shared_mentors(mentors: int, executives: int) -> dict[str, Any]:
    """Executives paired round-robin with fewer mentors: as many groups as mentors."""
    return scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(f"m{n}") for n in range(mentors)]
        + [executive(f"e{n}") for n in range(executives)],
        pairs=[pair(f"p{n}", f"m{n % mentors}", f"e{n}") for n in range(executives)],
    )


def in_parts(parts: int) -> dict[str, str]:
    """Settings under which every plan is large, and planned in `parts` parts."""
    return {"TANDEM_LARGE_JOB_STARTS": "0", "TANDEM_PLAN_PARTS": str(parts)}


def assert_made_as_by_one_process(document: dict[str, Any], plan: Any) -> dict[str, Any]:
    """A plan made in parts is the plan one worker process makes (timings aside), and
    valid; that plan."""
    problem = problem_from_data(document)
    alone = plan_to_dict(problem, solve(problem, solver_parameters(ServiceSettings())))
    assert timeless(plan) == timeless(alone)
    assert validate_plan(problem, sessions_from_dict(problem, plan)) == []
    return alone


def test_a_large_plan_is_planned_in_parts_by_the_workers_as_one_process_plans_it(
    database_url: str, broker: str
) -> None:
    _, key = create_key(database_url, "parts-co")
    document = shared_mentors(mentors=4, executives=6)
    split = in_parts(3)
    with api_only(database_url, broker, **split) as base:
        href = post_plan(base, key, document)
        waiting = httpx.get(base + href, headers=bearer(key)).json()
        assert (waiting["parts"], waiting["queue"], waiting["position"]) == (3, "large", 0)
        with worker(database_url, broker, **split), worker(database_url, broker, **split):
            job = wait_done(base, href, key)
    assert job["status"] == "done", job
    assert_made_as_by_one_process(document, job["plan"])


def test_a_change_reported_while_its_programme_is_planned_runs_right_after(
    database_url: str, broker: str
) -> None:
    """The second job's wake-up reaches the idle worker while the first job of the same
    programme runs, and is spent (a programme runs one job at a time). The worker that
    ends the first announces the second; nothing else would for ten minutes here."""
    _, key = create_key(database_url, "busy-co")
    slow = {
        "TANDEM_HEARTBEAT_SECONDS": "0.3",
        "TANDEM_HEARTBEAT_TIMEOUT_SECONDS": "600",
        "TANDEM_REDISPATCH_SECONDS": "600",  # the dispatcher announces nothing again
    }
    with api_only(database_url, broker, **slow) as base:
        programme = create_programme(base, key, slow_scenario())
        with worker(database_url, broker, **slow), worker(database_url, broker, **slow):
            first = plan_programme(base, key, programme)
            wait_status(base, first, key, "running")
            change = {
                "kind": "busy",
                "person": "m1",
                "start": "2027-01-05T09:00:00Z",
                "end": "2027-01-05T10:00:00Z",
            }
            answer = httpx.post(
                f"{base}/v1/programmes/{programme}/changes", json=change, headers=bearer(key)
            )
            second = answer.headers["Location"]
            assert second != first
            assert wait_done(base, first, key)["status"] == "done"
            assert wait_done(base, second, key)["status"] == "done"


def test_a_large_programme_is_planned_in_parts_and_recorded_once(
    database_url: str, broker: str
) -> None:
    _, key = create_key(database_url, "programme-parts-co")
    document = shared_mentors(mentors=3, executives=5)
    split = in_parts(2)
    with api_only(database_url, broker, **split) as base:
        programme = create_programme(base, key, document)
        with worker(database_url, broker, **split), worker(database_url, broker, **split):
            job = wait_done(base, plan_programme(base, key, programme), key)
        sessions = httpx.get(f"{base}/v1/programmes/{programme}/sessions", headers=bearer(key))
        history = httpx.get(f"{base}/v1/programmes/{programme}/history", headers=bearer(key))
    assert job["status"] == "done" and job["parts"] == 2, job
    alone = assert_made_as_by_one_process(document, job["plan"])
    assert len(sessions.json()) == len(alone["sessions"]) == 15
    assert [e["kind"] for e in history.json()] == ["placed"] * 15  # recorded once
    assert_recorded_once(database_url, programme)
