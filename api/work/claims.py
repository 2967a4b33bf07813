"""Jobs in the database: claimed fairly, kept by heartbeat, recorded exactly once.

A worker claims a job with one conditional UPDATE that sets a fresh `claim_token` (atomic
on SQLite and PostgreSQL alike). While it runs the job it writes `heartbeat_at` every few
seconds; a job whose heartbeat is older than the timeout is anyone's to take again, however
long the solve (there is no lease to outlive). The result and the job's completion are
written in one transaction, and only by the token's holder: a worker that lost its claim
records nothing, so a job taken twice is recorded once.

Fairness: the next job of a queue goes to the tenant with the fewest jobs running, oldest
first; a programme never has two jobs running at once.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.storage.models import PlanJob, Programme

CANDIDATES_PER_CLAIM = 200  # the oldest waiting jobs a claim chooses among
WAITING_QUEUE = "parts"  # a what-if's own row waits here for its parts: nobody claims it


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A time without an offset is UTC here (SQLite returns them so, and query times may
    come without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Claim:
    job_id: str
    token: str
    kind: str
    tenant_id: str
    scenario: Any
    programme_id: str | None
    parent_id: str | None = None  # a what-if's part: the what-if's job
    part: int | None = None


def takeable(timeout_seconds: float) -> ColumnElement[bool]:
    """Queued, or running under a heartbeat that stopped; never a job waiting for its parts
    (its heartbeat stopped when it was spread: it is its parts that run)."""
    stale = now() - timedelta(seconds=timeout_seconds)
    return and_(
        PlanJob.queue != WAITING_QUEUE,
        or_(
            PlanJob.status == "queued",
            and_(PlanJob.status == "running", PlanJob.heartbeat_at < stale),
        ),
    )


def alive(timeout_seconds: float) -> ColumnElement[bool]:
    stale = now() - timedelta(seconds=timeout_seconds)
    return and_(PlanJob.status == "running", PlanJob.heartbeat_at >= stale)


def claim_next(
    sessions: sessionmaker[Session], queue: str, worker: str, timeout_seconds: float
) -> Claim | None:
    """Take the fairest waiting job of `queue`, or None when there is none to take."""
    with sessions() as session:
        for job_id in _fair_order(session, queue, timeout_seconds):
            token = str(uuid.uuid4())
            taken = session.execute(
                update(PlanJob)
                .where(PlanJob.id == job_id, takeable(timeout_seconds))
                .values(
                    status="running",
                    claim_token=token,
                    heartbeat_at=now(),
                    started_at=now(),
                    worker=worker[:200],
                    attempts=PlanJob.attempts + 1,
                    progress="running",
                )
            )
            session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                job = session.get_one(PlanJob, job_id)
                if job.parent_id is not None:
                    _started(session, job.parent_id)
                return Claim(
                    job.id,
                    token,
                    job.kind,
                    job.tenant_id,
                    job.scenario,
                    job.programme_id,
                    job.parent_id,
                    job.part,
                )
    return None


def _started(session: Session, parent_id: str) -> None:
    """A what-if runs from when its first part does."""
    session.execute(
        update(PlanJob)
        .where(PlanJob.id == parent_id, PlanJob.status == "queued")
        .values(status="running", started_at=now(), progress="planning its variants")
    )
    session.commit()


def _fair_order(session: Session, queue: str, timeout_seconds: float) -> list[str]:
    waiting = session.execute(
        select(PlanJob.id, PlanJob.tenant_id, PlanJob.programme_id)
        .where(PlanJob.queue == queue, takeable(timeout_seconds))
        .order_by(PlanJob.created_at, PlanJob.id)
        .limit(CANDIDATES_PER_CLAIM)
    ).all()
    if not waiting:
        return []
    running = session.execute(
        select(PlanJob.tenant_id, PlanJob.programme_id).where(alive(timeout_seconds))
    ).all()
    per_tenant = Counter(row.tenant_id for row in running)
    in_parts = session.scalars(  # a programme's plan whose parts run: busy too
        select(PlanJob.programme_id).where(
            PlanJob.queue == WAITING_QUEUE,
            PlanJob.status == "running",
            PlanJob.programme_id.is_not(None),
        )
    )
    busy_programmes = {row.programme_id for row in running if row.programme_id} | set(in_parts)
    free = [row for row in waiting if row.programme_id not in busy_programmes]
    # Stable sort: the tenant with the fewest running jobs first, then the oldest job.
    ordered = sorted(free, key=lambda row: per_tenant[row.tenant_id])
    return [row.id for row in ordered]


def queues_waiting_on(sessions: sessionmaker[Session], programme_id: str) -> list[str]:
    """The queues of the programme's jobs that wait: a claim skips them while another job of
    the programme runs, so the wake-up they had may have been spent on nothing."""
    with sessions() as session:
        return sorted(
            set(
                session.scalars(
                    select(PlanJob.queue).where(
                        PlanJob.programme_id == programme_id, PlanJob.status == "queued"
                    )
                )
            )
        )


def held_by(claim: Claim) -> ColumnElement[bool]:
    """The job runs under this claim still: only its holder may write it."""
    return and_(
        PlanJob.id == claim.job_id,
        PlanJob.claim_token == claim.token,
        PlanJob.status == "running",
    )


def beat(sessions: sessionmaker[Session], claim: Claim, progress: str | None = None) -> bool:
    """Say the job's worker is alive (and how far it got); False when the claim is lost."""
    values: dict[str, Any] = {"heartbeat_at": now()}
    if progress is not None:
        values["progress"] = progress[:500]
    with sessions() as session:
        kept = session.execute(update(PlanJob).where(held_by(claim)).values(**values))
        session.commit()
        return bool(kept.rowcount == 1)  # type: ignore[attr-defined]


def finish(
    sessions: sessionmaker[Session],
    claim: Claim,
    outcome: dict[str, Any],
    record: Callable[[Session, dict[str, Any]], bool] | None = None,
) -> bool:
    """Write the outcome and what it changes (`record(session, outcome)`, in the same
    transaction), if the claim still holds. `record` answering False (its input went
    stale) puts the job back in its queue instead. False when nothing was written."""
    with sessions() as session:
        ended = session.execute(
            update(PlanJob)
            .where(held_by(claim))
            .values(
                finished_at=now(),
                claim_token=None,
                progress="done" if outcome["status"] == "done" else "failed",
                **outcome,
            )
        )
        if ended.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()  # another worker holds the job now: it records, not us
            return False
        recorded = record is None or record(session, outcome)
        if not recorded:
            session.rollback()
            requeue(sessions, claim)
            return False
        session.commit()
        return True


def requeue(sessions: sessionmaker[Session], claim: Claim) -> None:
    with sessions() as session:
        session.execute(
            update(PlanJob)
            .where(PlanJob.id == claim.job_id, PlanJob.claim_token == claim.token)
            .values(status="queued", claim_token=None, progress="queued", dispatched_at=None)
        )
        session.commit()


def queue_position(session: Session, job: PlanJob) -> int | None:
    """How many jobs of the same queue wait before this one (0: it is next); None unless
    queued."""
    if job.status != "queued":
        return None
    ahead = session.scalar(
        select(func.count())
        .select_from(PlanJob)
        .where(
            PlanJob.queue == job.queue,
            PlanJob.status == "queued",
            or_(
                PlanJob.created_at < job.created_at,
                and_(PlanJob.created_at == job.created_at, PlanJob.id < job.id),
            ),
        )
    )
    return int(ahead or 0)


def programme_version(session: Session, programme_id: str) -> int:
    version = session.scalar(select(Programme.version).where(Programme.id == programme_id))
    return int(version or 0)
