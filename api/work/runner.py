"""A worker's side of one job: claim it, compute it in a killable process while keeping
its heartbeat, and record the outcome with the job's completion in one transaction."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from api.jobs import plan_part_count
from api.programmes import Basis, record_if_current, replanning_document
from api.settings import ServiceSettings
from api.storage.models import PlanJob, Programme
from api.work.claims import Claim, beat, claim_next, finish
from api.work.computations import Computation, compute, failed
from api.work.isolation import Ended, Limits, run_isolated
from api.work.parts import give_up_retried, record_part, spread
from scheduler.heap import collector_paused
from scheduler.parameters import SolverParameters
from scheduler.plan_parts import part_document, planned_pairs, split_pairs

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Prepared:
    """What the job computes from, read before the fork (the child needs no database), and
    for a programme what its plan is made from."""

    computation: Computation
    basis: Basis | None = None


def run_next(
    sessions: sessionmaker[Session], settings: ServiceSettings, queue: str
) -> Claim | None:
    """Run the fairest waiting job of `queue`; its claim, or None when there was none."""
    give_up_retried(sessions, settings.heartbeat_timeout_seconds, settings.job_max_attempts)
    claim = claim_next(sessions, queue, worker_name(), settings.heartbeat_timeout_seconds)
    if claim is None:
        return None
    log.info("job %s (%s) claimed", claim.job_id, claim.kind)
    with collector_paused():  # the job's data is no garbage (`scheduler.heap`)
        _run_claimed(sessions, settings, queue, claim)
    return claim


def _run_claimed(
    sessions: sessionmaker[Session], settings: ServiceSettings, queue: str, claim: Claim
) -> None:
    prepared = prepare(sessions, claim)
    params = solver_parameters(settings)
    parts = _parts(settings, queue, claim, prepared)
    if parts > 1:  # the parts are planned by any worker; the last records the plan
        basis = prepared.basis.data() if prepared.basis else None
        spread(sessions, claim, prepared.computation.document, basis, parts)
        log.info("job %s spread over %d parts", claim.job_id, parts)
        return
    ended = run_isolated(
        partial(compute, prepared.computation, params),
        job_limits(settings, queue),
        lambda progress: beat(sessions, claim, progress),
    )
    outcome = ended.outcome if ended.outcome is not None else _failure(claim, ended)
    recorded = finish(sessions, claim, outcome, recorder(claim, prepared, params))
    log.info("job %s %s", claim.job_id, outcome["status"] if recorded else "not recorded")


def _parts(settings: ServiceSettings, queue: str, claim: Claim, prepared: Prepared) -> int:
    """How many parts a programme's whole plan is planned in (a plain plan was cut when it
    was submitted; a re-plan is small work, planned whole)."""
    computation = prepared.computation
    if claim.kind != "programme" or computation.kind != "plan" or queue != "large":
        return 1
    return plan_part_count(settings, planned_pairs(computation.document))


def solver_parameters(settings: ServiceSettings) -> SolverParameters:
    return SolverParameters(
        time_limit_seconds=settings.job_time_limit_seconds,
        processes=1,
        memory_budget_mb=settings.job_memory_budget_mb,
        strict=settings.strict_solver,
    )


def job_limits(settings: ServiceSettings, queue: str = "small") -> Limits:
    """A large job's process runs at a lower CPU priority (`large_job_niceness`): where
    small and large jobs share cores (the embedded workers on one machine), a small job's
    process gets the cores it needs at once, and a large one takes the rest."""
    seconds = settings.job_time_limit_seconds * 1.1 + settings.job_kill_margin_seconds
    niceness = settings.large_job_niceness if queue == "large" else 0
    return Limits(seconds, settings.job_memory_cap_mb, niceness)


def prepare(sessions: sessionmaker[Session], claim: Claim) -> Prepared:
    if claim.parent_id is not None:  # a part: its job holds the scenario
        with sessions() as session:
            return Prepared(_part_computation(session, claim))
    if claim.kind == "match":
        return Prepared(Computation("match", claim.scenario))
    if claim.kind != "programme" or claim.programme_id is None:
        return Prepared(Computation("plan", claim.scenario))
    with sessions() as session:
        # The programme and its scenario in one statement: of one moment (a PUT between two
        # reads would give a re-plan of the new scenario from the old plan's basis).
        programme = session.get_one(
            Programme, claim.programme_id, options=[joinedload(Programme.scenario_row)]
        )
        document = replanning_document(programme, datetime.now(UTC))
        basis = Basis.of(programme)
        if programme.replans_incrementally:
            computation = Computation("replan", document, programme.plan, basis.changed_people)
        else:
            computation = Computation("plan", document)
        return Prepared(computation, basis)


def _part_computation(session: Session, claim: Claim) -> Computation:
    job = session.get_one(PlanJob, claim.parent_id)
    scenario, part = job.scenario or {}, claim.part or 0
    if claim.kind == "variant":
        return Computation("variant", scenario, part=part)
    parts = session.scalar(
        select(func.count()).select_from(PlanJob).where(PlanJob.parent_id == job.id)
    )
    pairs = split_pairs(planned_pairs(scenario), int(parts or 1))[part]
    return Computation("groups", part_document(scenario, pairs))


def _failure(claim: Claim, ended: Ended) -> dict[str, Any]:
    log.warning("job %s failed: %s", claim.job_id, ended.failure)
    return failed("Job stopped", detail=ended.failure or "unknown")


Recorder = Callable[[Session, dict[str, Any]], bool]


def recorder(claim: Claim, prepared: Prepared, params: SolverParameters) -> Recorder | None:
    """For a programme: record the plan onto the version it was made from (else the job
    goes back to its queue, to be made again from the new one). For a what-if's part: the
    what-if, once its last part ended or when one failed."""
    if claim.parent_id is not None:
        return partial(_record_part, claim.job_id, params)
    if claim.programme_id is None:
        return None
    programme_id = claim.programme_id

    def record(session: Session, outcome: dict[str, Any]) -> bool:
        if outcome["status"] != "done":
            return True
        assert prepared.basis is not None
        return record_if_current(session, programme_id, outcome["plan"], prepared.basis)

    return record


def _record_part(
    job_id: str, params: SolverParameters, session: Session, outcome: dict[str, Any]
) -> bool:
    part = session.get_one(PlanJob, job_id, populate_existing=True)
    record_part(session, part, outcome, params)
    return True
