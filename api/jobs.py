"""Jobs as the API sees them: submitted (after the tenant's quota), found, and coalesced
per programme. The API process never computes one: a job is a row the dispatcher announces
to the task engine's workers (`api.work`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.paging import Page
from api.settings import ServiceSettings
from api.storage.locks import lock_row
from api.storage.models import PlanJob, Programme, Tenant
from api.validation import check_submitted
from api.work.admission import check_tenant_jobs, match_queue, queue_for
from api.work.claims import WAITING_QUEUE, as_utc, now, queue_position
from scheduler.plan_format import instant_text
from scheduler.plan_parts import planned_pairs, split_pairs
from scheduler.scenario_checks import validate_scenario
from scheduler.whatif import variation_names


def new_job(tenant_id: str, kind: str, queue: str, scenario: Any, **fields: Any) -> PlanJob:
    return PlanJob(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        status="queued",
        progress="queued",
        scenario=scenario,
        created_at=now(),
        attempts=0,
        kind=kind,
        queue=queue,
        **fields,
    )


def submit(
    session: Session,
    settings: ServiceSettings,
    tenant_id: str,
    scenario: dict[str, Any],
    kind: str = "plan",
) -> PlanJob:
    """Checks the scenario's shape and size at once (a 422 now beats a failed job later),
    and the tenant's count of jobs (429). A what-if, and a large plan, are spread over
    the workers in parts (`api.work.parts`); the job itself waits for them and holds the
    result."""
    valid = check_submitted(settings, scenario)
    whatif = kind == "whatif"
    if kind == "match":
        queue = match_queue(settings, valid)
    else:
        queue = queue_for(settings, valid, per_variant=whatif)
    parts = _parts(settings, kind, queue, scenario)
    check_tenant_jobs(session, settings, tenant_id)
    job = new_job(tenant_id, kind, WAITING_QUEUE if parts else queue, scenario)
    session.add(job)
    if parts:
        session.flush()  # the parts refer to it
        add_parts(session, job, parts[0], queue, parts[1])
    session.commit()
    return job


def add_parts(session: Session, job: PlanJob, kind: str, queue: str, count: int) -> None:
    """The jobs `job` is spread over (`api.work.parts`), numbered from 0; the caller commits."""
    session.add_all(
        new_job(job.tenant_id, kind, queue, None, parent_id=job.id, part=number)
        for number in range(count)
    )


def plan_part_count(settings: ServiceSettings, pairs: list[dict[str, Any]]) -> int:
    """How many parts a large plan of these pairs is planned in (1: whole): `plan_parts`
    sets of groups of people who share nobody, fewer when there are fewer groups."""
    if settings.plan_parts <= 1:
        return 1
    return len(split_pairs(pairs, settings.plan_parts))


def _parts(
    settings: ServiceSettings, kind: str, queue: str, scenario: dict[str, Any]
) -> tuple[str, int] | None:
    """The kind and number of jobs a job is spread over (`api.work.parts`), if any: one
    per variant of a what-if; a large plan in `plan_parts` sets of groups."""
    if kind == "whatif":
        return "variant", 1 + len(variation_names(scenario))
    if kind == "plan" and queue == "large":
        count = plan_part_count(settings, planned_pairs(scenario))
        return ("groups", count) if count > 1 else None
    return None


def queue_programme_plan(
    session: Session, settings: ServiceSettings, programme: Programme, by_tenant: bool = True
) -> PlanJob:
    """A (re-)plan of the programme, unless one already waits: many changes arriving while
    one is queued or running lead to one more plan, not one each. The tenant's job cap
    applies to what the tenant asks (`by_tenant`), not to re-plans the service starts
    itself after a decline read from a calendar. The caller commits."""
    waiting = _waiting_plan(session, programme)
    if waiting is not None:
        return waiting
    queue = programme_queue(settings, programme)  # before the tenant's lock: it reads a lot
    lock_row(session, Tenant.id, programme.tenant_id)
    waiting = _waiting_plan(session, programme)  # again, under the lock: two asking at once
    if waiting is not None:  # get one plan, as every plan of the tenant is added under it
        return waiting
    if by_tenant:
        check_tenant_jobs(session, settings, programme.tenant_id)
    job = new_job(programme.tenant_id, "programme", queue, None, programme_id=programme.id)
    session.add(job)
    return job


def programme_queue(settings: ServiceSettings, programme: Programme) -> str:
    """A re-plan that starts from the last plan re-plans only the groups a change reached:
    small work, whatever the programme's size, so it waits behind no large job. Its size
    was checked against the quota when that plan was queued, and no change since (busy
    times, declines, people leaving) makes the estimate larger."""
    if programme.replans_incrementally:
        return "small"
    return queue_for(settings, validate_scenario(programme.scenario))


def requeue_waiting_plan(session: Session, settings: ServiceSettings, programme: Programme) -> None:
    """After the scenario was replaced, a waiting plan of it is a full one again."""
    waiting = _waiting_plan(session, programme)
    if waiting is not None:
        waiting.queue = programme_queue(settings, programme)


def _waiting_plan(session: Session, programme: Programme) -> PlanJob | None:
    return session.scalar(
        select(PlanJob).where(PlanJob.programme_id == programme.id, PlanJob.status == "queued")
    )


@dataclass(frozen=True)
class JobView:
    job: PlanJob
    position: int | None  # jobs ahead of it in its queue, while queued
    queue: str  # where it waits or ran: a job in parts, where its parts do
    parts: int = 1  # the jobs it is spread over


def find(
    session: Session,
    tenant_id: str,
    job_id: str,
    kinds: tuple[str, ...] = ("plan", "programme"),
) -> JobView | None:
    """The tenant's own job, or None: another tenant's job does not exist for them."""
    job = session.scalar(
        select(PlanJob).where(
            PlanJob.id == job_id, PlanJob.tenant_id == tenant_id, PlanJob.kind.in_(kinds)
        )
    )
    return None if job is None else _view(session, job)


def job_page(
    session: Session, tenant_id: str, kinds: tuple[str, ...], limit: int, offset: int
) -> Page:
    """The tenant's jobs of these kinds (not their parts), newest first, without their
    scenarios and results."""
    mine = (PlanJob.tenant_id == tenant_id, PlanJob.kind.in_(kinds), PlanJob.parent_id.is_(None))
    total = session.scalar(select(func.count()).select_from(PlanJob).where(*mine)) or 0
    rows = session.execute(
        select(
            PlanJob.id,
            PlanJob.status,
            PlanJob.programme_id,
            PlanJob.created_at,
            PlanJob.started_at,
            PlanJob.finished_at,
        )
        .where(*mine)
        .order_by(PlanJob.created_at.desc(), PlanJob.id)
        .limit(limit)
        .offset(offset)
    )
    return Page([_job_shown(*row) for row in rows], total)


def _job_shown(
    job_id: str,
    status: str,
    programme_id: str | None,
    created: datetime,
    started: datetime | None,
    finished: datetime | None,
) -> dict[str, Any]:
    return {
        "id": job_id,
        "status": status,
        "programme_id": programme_id,
        "created_at": _instant(created),
        "started_at": _instant(started),
        "finished_at": _instant(finished),
        "href": f"/v1/plans/{job_id}",
    }


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else instant_text(as_utc(moment))


def _view(session: Session, job: PlanJob) -> JobView:
    if job.queue != WAITING_QUEUE:
        return JobView(job, queue_position(session, job), job.queue)
    parts = session.scalars(
        select(PlanJob).where(PlanJob.parent_id == job.id).order_by(PlanJob.part)
    ).all()
    waiting = [p for p in parts if p.status == "queued"]
    position = queue_position(session, waiting[0]) if waiting and job.status == "queued" else None
    return JobView(job, position, parts[0].queue if parts else "large", len(parts))
