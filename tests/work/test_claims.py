"""Claims in the database, on SQLite and PostgreSQL: fair between tenants, kept by
heartbeat, and a job taken twice is recorded once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import new_job
from api.storage.models import PlanJob, Programme, Tenant
from api.work.claims import beat, claim_next, finish, queue_position

TIMEOUT = 20.0
DONE = {"status": "done", "plan": {"sessions": []}}


def tenant(store: sessionmaker[Session]) -> str:
    with store() as session:
        row = Tenant(id=str(uuid.uuid4()), name=uuid.uuid4().hex, created_at=datetime.now(UTC))
        session.add(row)
        session.commit()
        return row.id


def queued(
    store: sessionmaker[Session],
    tenant_id: str,
    age_seconds: float,
    kind: str = "plan",
    programme_id: str | None = None,
) -> str:
    job = new_job(tenant_id, kind, "small", {"version": 1}, programme_id=programme_id)
    job.created_at = datetime.now(UTC) - timedelta(seconds=age_seconds)
    with store() as session:
        session.add(job)
        session.commit()
        return job.id


def stop_heartbeat(store: sessionmaker[Session], job_id: str) -> None:
    """What a worker that died leaves behind: its last beat, long ago."""
    with store() as session:
        session.execute(
            update(PlanJob)
            .where(PlanJob.id == job_id)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(seconds=TIMEOUT * 2))
        )
        session.commit()


def status(store: sessionmaker[Session], job_id: str) -> PlanJob:
    with store() as session:
        job = session.get(PlanJob, job_id)
        assert job is not None
        return job


def test_the_next_job_goes_to_the_tenant_with_fewest_running(store: sessionmaker[Session]) -> None:
    busy, quiet = tenant(store), tenant(store)
    first = queued(store, busy, 50)
    queued(store, busy, 40)
    queued(store, busy, 30)
    late = queued(store, quiet, 1)
    assert (claim := claim_next(store, "small", "w1", TIMEOUT)) and claim.job_id == first
    # busy runs one job: the quiet tenant's job, the newest of all, comes next
    assert (claim := claim_next(store, "small", "w2", TIMEOUT)) and claim.job_id == late


def test_a_queued_job_knows_its_place(store: sessionmaker[Session]) -> None:
    owner = tenant(store)
    jobs = [queued(store, owner, age) for age in (30, 20, 10)]
    with store() as session:
        places = [queue_position(session, session.get(PlanJob, j)) for j in jobs]  # type: ignore[arg-type]
    assert places == [0, 1, 2]
    claim_next(store, "small", "w1", TIMEOUT)
    with store() as session:
        assert queue_position(session, session.get(PlanJob, jobs[0])) is None  # type: ignore[arg-type]
        assert queue_position(session, session.get(PlanJob, jobs[2])) == 1  # type: ignore[arg-type]


def test_a_beating_job_is_nobodys_to_take(store: sessionmaker[Session]) -> None:
    job_id = queued(store, tenant(store), 5)
    first = claim_next(store, "small", "w1", TIMEOUT)
    assert first is not None and beat(store, first, "solving")
    assert claim_next(store, "small", "w2", TIMEOUT) is None
    assert status(store, job_id).progress == "solving"


def test_a_job_taken_twice_is_recorded_once(store: sessionmaker[Session]) -> None:
    job_id = queued(store, tenant(store), 5)
    stalled = claim_next(store, "small", "w1", TIMEOUT)
    assert stalled is not None
    stop_heartbeat(store, job_id)
    taker = claim_next(store, "small", "w2", TIMEOUT)
    assert taker is not None and taker.job_id == job_id and taker.token != stalled.token
    assert not beat(store, stalled, "still here")  # its claim is gone: it stops
    assert finish(store, taker, DONE)
    assert not finish(store, stalled, {"status": "done", "plan": {"other": True}})
    job = status(store, job_id)
    assert job.status == "done" and job.plan == DONE["plan"] and job.attempts == 2


def test_a_programme_runs_one_job_at_a_time_and_records_onto_its_own_version(
    store: sessionmaker[Session],
) -> None:
    owner = tenant(store)
    now = datetime.now(UTC)
    with store() as session:
        programme = Programme(
            id=str(uuid.uuid4()),
            tenant_id=owner,
            name="p",
            scenario={},
            statuses={},
            plan=None,
            version=3,
            created_at=now,
            updated_at=now,
        )
        session.add(programme)
        session.commit()
    first = queued(store, owner, 20, programme_id=programme.id, kind="programme")
    second = queued(store, owner, 10, programme_id=programme.id, kind="programme")
    claim = claim_next(store, "small", "w1", TIMEOUT)
    assert claim is not None and claim.job_id == first
    assert claim_next(store, "small", "w2", TIMEOUT) is None  # `second` waits for `first`
    # The plan was made from an older version: the job goes back to its queue, unrecorded.
    assert not finish(store, claim, DONE, lambda session, plan: False)
    again = status(store, first)
    assert again.status == "queued" and again.claim_token is None and again.plan is None
    assert status(store, second).status == "queued"
