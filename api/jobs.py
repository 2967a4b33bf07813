"""Plans as durable jobs: stored queued, solved by a background worker, never lost.

A job is claimed with one conditional UPDATE (atomic on SQLite and PostgreSQL alike) that
sets a lease; a job whose worker died (the service was killed) is claimed again once its
lease has passed. A restart therefore loses no queued or running job.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.metrics import JOB_SECONDS, SOLVER_STATUS
from api.problems import field_errors
from api.programmes import record_plan, replanning_document
from api.settings import ServiceSettings
from api.storage.models import PlanJob, Programme
from api.validation import check_submitted
from connectors.scenarios import problem_from_data, variant_problems_from_data
from scheduler.comparison import comparison_rows, summarise
from scheduler.errors import ScenarioError
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict
from scheduler.solve import solve

log = logging.getLogger(__name__)
LEASE_MARGIN = timedelta(seconds=60)


def now() -> datetime:
    return datetime.now(UTC)


def submit(
    sessions: sessionmaker[Session], tenant_id: str, scenario: dict[str, Any], kind: str = "plan"
) -> PlanJob:
    """Checks the scenario's shape at once (a 422 now beats a failed job later)."""
    check_submitted(scenario)
    job = PlanJob(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        status="queued",
        progress="queued",
        scenario=scenario,
        created_at=now(),
        attempts=0,
        kind=kind,
    )
    with sessions() as session:
        session.add(job)
        session.commit()
    return job


def find(
    sessions: sessionmaker[Session],
    tenant_id: str,
    job_id: str,
    kinds: tuple[str, ...] = ("plan", "programme"),
) -> PlanJob | None:
    """The tenant's own job, or None: another tenant's job does not exist for them."""
    with sessions() as session:
        return session.scalar(
            select(PlanJob).where(
                PlanJob.id == job_id, PlanJob.tenant_id == tenant_id, PlanJob.kind.in_(kinds)
            )
        )


class Worker(threading.Thread):
    def __init__(self, sessions: sessionmaker[Session], settings: ServiceSettings) -> None:
        super().__init__(name="tandem-plan-worker", daemon=True)
        self.sessions, self.settings = sessions, settings
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                job_id = self.claim()
            except Exception:  # the database is away: try again shortly, lose nothing
                log.exception("claiming a plan job failed")
                job_id = None
            if job_id is None:
                self.stopping.wait(self.settings.job_poll_seconds)
                continue
            self.process(job_id)

    def stop(self) -> None:
        self.stopping.set()

    def claim(self) -> str | None:
        lease = now() + timedelta(seconds=self.settings.job_time_limit_seconds) + LEASE_MARGIN
        with self.sessions() as session:
            waiting = session.scalars(
                select(PlanJob.id)
                .where(
                    or_(
                        PlanJob.status == "queued",
                        (PlanJob.status == "running") & (PlanJob.lease_until < now()),
                    )
                )
                .order_by(PlanJob.created_at)
                .limit(5)
            ).all()
            for job_id in waiting:
                claimed = session.execute(
                    update(PlanJob)
                    .where(
                        PlanJob.id == job_id,
                        or_(
                            PlanJob.status == "queued",
                            (PlanJob.status == "running") & (PlanJob.lease_until < now()),
                        ),
                    )
                    .values(
                        status="running",
                        lease_until=lease,
                        started_at=now(),
                        attempts=PlanJob.attempts + 1,
                        progress="solving",
                    )
                )
                session.commit()
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    return str(job_id)
        return None

    def process(self, job_id: str) -> None:
        began = time.monotonic()
        with self.sessions() as session:
            job = session.get(PlanJob, job_id)
            assert job is not None
            kind, scenario, programme_id = job.kind, job.scenario, job.programme_id
        try:
            if kind == "programme" and programme_id is not None:
                outcome = self._plan_programme(job_id, programme_id)
            elif kind == "whatif":
                outcome = self._compare(job_id, scenario)
            else:
                outcome = self._solve(job_id, scenario)
        except ScenarioError as invalid:
            outcome = {
                "status": "failed",
                "error": {"title": "Invalid scenario", "errors": field_errors(invalid.errors)},
            }
        except Exception:  # kept as a failed job with its id in the log, never a lost one
            log.exception("plan job %s failed", job_id)
            outcome = {
                "status": "failed",
                "error": {
                    "title": "Internal error",
                    "detail": f"see the service log for job {job_id}",
                },
            }
        JOB_SECONDS.observe(time.monotonic() - began)
        with self.sessions() as session:
            session.execute(
                update(PlanJob)
                .where(PlanJob.id == job_id)
                .values(
                    finished_at=now(),
                    lease_until=None,
                    progress="done" if outcome["status"] == "done" else "failed",
                    **outcome,
                )
            )
            session.commit()

    def _solve(self, job_id: str, scenario: dict[str, Any]) -> dict[str, Any]:
        problem = problem_from_data(scenario)
        params = self._solver_parameters()
        plan = solve(problem, params, progress=lambda message: self._progress(job_id, message))
        SOLVER_STATUS.labels(plan.solver.status).inc()
        return {"status": "done", "plan": plan_to_dict(problem, plan)}

    def _plan_programme(self, job_id: str, programme_id: str) -> dict[str, Any]:
        """Plan (or re-plan, from its last plan) a stored programme; record the history."""
        with self.sessions() as session:
            programme = session.get(Programme, programme_id)
            assert programme is not None
            document = replanning_document(programme, now())
            consumed = dict(programme.statuses or {})
        outcome = self._solve(job_id, document)
        with self.sessions() as session:
            programme = session.get(Programme, programme_id)
            assert programme is not None
            record_plan(session, programme, outcome["plan"], consumed)
            session.commit()
        return outcome

    def _compare(self, job_id: str, scenario: dict[str, Any]) -> dict[str, Any]:
        """Plan the base and every variation; the comparison and each variant's plan."""
        params = self._solver_parameters()
        results = []
        for name, problem in variant_problems_from_data(scenario):
            self._progress(job_id, f"planning {name}")
            results.append((name, problem, solve(problem, params)))
        base = results[0][2]
        summaries = [
            summarise(name, problem, plan, None if plan is base else base)
            for name, problem, plan in results
        ]
        comparison = {
            "variants": [s.name for s in summaries],
            "rows": [
                {"figure": label, "values": values} for label, values in comparison_rows(summaries)
            ],
            "plans": {name: plan_to_dict(problem, plan) for name, problem, plan in results},
        }
        return {"status": "done", "plan": comparison}

    def _solver_parameters(self) -> SolverParameters:
        # One solver process: forking worker processes from a threaded server is unsafe.
        return SolverParameters(
            time_limit_seconds=self.settings.job_time_limit_seconds,
            processes=1,
            memory_budget_mb=self.settings.job_memory_budget_mb,
            strict=self.settings.strict_solver,
        )

    def _progress(self, job_id: str, message: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(PlanJob).where(PlanJob.id == job_id).values(progress=message[:500])
            )
            session.commit()
