"""What a tenant may queue: a cap on its waiting and running jobs, and a size quota checked
at submission from an estimate of the solver's work, so that no scenario the workers could
not plan is ever queued. The estimate also sorts a job into the small or the large queue.

The estimate is an upper bound on candidate starts, from the scenario alone (no calendar
is read): per pair, the weeks of the horizon times the grid cells of the shorter working
week of its two people. Busy time only lowers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.problems import Problem
from api.settings import ServiceSettings
from api.storage.locks import lock_row
from api.storage.models import PlanJob, Tenant
from scheduler.scenario import Scenario
from scheduler.scenario_checks import variants_of
from scheduler.time_notation import parse_working_hours

RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Estimate:
    starts: int  # an upper bound on candidate starts, all variants together
    causes: str  # what in the scenario makes it large


def queue_for(settings: ServiceSettings, scenario: Scenario, per_variant: bool = False) -> str:
    """The job's queue, once the scenario is within the tenant's quota (else a 422): by the
    whole job's size, or by one variant's (a what-if's parts are planned one per job)."""
    variations = len(variants_of(scenario))
    estimate = check_size(settings, scenario, variations)
    starts = estimate.starts // (1 + variations) if per_variant else estimate.starts
    return "large" if starts > settings.large_job_starts else "small"


def check_size(settings: ServiceSettings, scenario: Scenario, variations: int) -> Estimate:
    errors = []
    if len(scenario.pairs) > settings.max_pairs:
        errors.append(
            {
                "path": "pairs",
                "message": f"{len(scenario.pairs):,} pairs, past the "
                f"quota of {settings.max_pairs:,} per job",
            }
        )
    weeks = horizon_weeks(scenario)
    if weeks > settings.max_horizon_weeks:
        errors.append(
            {
                "path": "horizon",
                "message": f"{weeks:.0f} weeks, past the quota of "
                f"{settings.max_horizon_weeks} weeks per job",
            }
        )
    estimate = estimate_starts(scenario, variations)
    if estimate.starts > settings.max_candidate_starts:
        errors.append(
            {
                "path": "(document)",
                "message": f"about {estimate.starts:,} candidate "
                f"starts, past the quota of {settings.max_candidate_starts:,} per job; "
                f"cause: {estimate.causes}",
            }
        )
    if errors:
        raise Problem(
            422,
            "Scenario beyond quota",
            "the scenario is larger than this service plans in one job",
            errors=errors,
        )
    return estimate


def horizon_weeks(scenario: Scenario) -> float:
    horizon = scenario.horizon
    if horizon.end is not None:
        return (horizon.end - horizon.start + timedelta(days=1)).days / 7
    return float(horizon.weeks or 0)


def estimate_starts(scenario: Scenario, variations: int) -> Estimate:
    weeks = horizon_weeks(scenario)
    grid = scenario.grid_minutes
    weekly = {p.id: _working_minutes(p.working_hours) // grid for p in scenario.people}
    starts = sum(
        int(weeks * min(weekly.get(pair.mentor, 0), weekly.get(pair.mentee, 0)))
        for pair in scenario.pairs
    )
    causes = []
    if grid < 15:
        causes.append(f"a {grid}-minute grid (grid_minutes)")
    if weeks > 26:
        causes.append(f"a {weeks:.0f}-week horizon")
    longest = max((minutes for minutes in weekly.values()), default=0) * grid / 60 / 7
    if longest > 12:
        causes.append("working hours over 12 h a day")
    causes.append(f"{len(scenario.pairs):,} pairs")
    if variations:
        causes.append(f"{variations} variations")
    return Estimate(starts * (1 + variations), "; ".join(causes))


def _working_minutes(spec: dict[str, list[str]]) -> int:
    return sum(end - start for day in parse_working_hours(spec).values() for start, end in day)


def check_tenant_jobs(session: Session, settings: ServiceSettings, tenant_id: str) -> None:
    """429, with the time to wait, when the tenant already has its fill of jobs. Counted
    under the tenant's lock, held until the caller commits the job it adds: submissions
    racing each other are counted one after the other, so none passes the cap."""
    lock_row(session, Tenant.id, tenant_id)
    waiting = session.scalar(
        select(func.count())
        .select_from(PlanJob)
        .where(
            PlanJob.tenant_id == tenant_id,
            PlanJob.status.in_(("queued", "running")),
            PlanJob.parent_id.is_(None),  # a what-if counts once, not once per variant
        )
    )
    if (waiting or 0) >= settings.tenant_max_jobs:
        raise Problem(
            429,
            "Too Many Requests",
            f"{waiting} jobs of yours are queued or running, the most allowed at once is "
            f"{settings.tenant_max_jobs}; retry when some have ended",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
