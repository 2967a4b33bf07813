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
from scheduler.matching.pool import pool_of
from scheduler.matching.size import match_size
from scheduler.scenario import Scenario
from scheduler.scenario_checks import variants_of
from scheduler.time_notation import weekly_working_minutes

RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Estimate:
    starts: int  # an upper bound on candidate starts of one variant
    causes: str  # what in the scenario makes it large


def queue_for(settings: ServiceSettings, scenario: Scenario, per_variant: bool = False) -> str:
    """The job's queue, once the scenario is within the tenant's quota (else a 422). A
    what-if (`per_variant`) is sized variant by variant, each as its own job would be (its
    variations may add pairs, weeks, a finer grid), and queued by its largest variant (a
    what-if's parts are planned one per job); the quota on starts holds for them all."""
    variants = [scenario, *variants_of(scenario)] if per_variant else [scenario]
    estimates = check_size(settings, variants)
    largest = max(estimate.starts for estimate in estimates)
    return "large" if largest > settings.large_job_starts else "small"


def match_queue(settings: ServiceSettings, scenario: Scenario) -> str:
    """A matching's queue, once it is within the quota (else a 422 naming the cause): its
    people have the fields its rules need, and its comparisons and memory are bounded."""
    pool_of(scenario)  # a ScenarioError (a 422) names anyone the language rule lacks
    size = match_size(scenario)
    errors = _past_quota(settings, scenario, "")
    if size.comparisons > settings.max_match_comparisons:
        errors.append(
            {
                "path": "(document)",
                "message": f"about {size.comparisons:,} start cells to compare, past the "
                f"quota of {settings.max_match_comparisons:,} per job; cause: {size.causes}",
            }
        )
    if size.candidates > settings.max_match_candidates:
        errors.append(
            {
                "path": "people",
                "message": f"{size.candidates:,} would-be pairs (executives to match x "
                f"mentors), past the quota of {settings.max_match_candidates:,} per job",
            }
        )
    if size.megabytes > settings.job_memory_budget_mb:
        errors.append(
            {
                "path": "(document)",
                "message": f"about {size.megabytes:,} MB to measure calendar fit, past the "
                f"budget of {settings.job_memory_budget_mb:,} MB per job; cause: {size.causes}",
            }
        )
    if errors:
        raise beyond_quota(errors)
    return "large" if size.comparisons > settings.large_match_comparisons else "small"


def check_size(settings: ServiceSettings, variants: list[Scenario]) -> list[Estimate]:
    """Each variant's estimate (the base first), or a 422 naming what is past the quota."""
    names = [variation.name for variation in variants[0].variations]
    where = ["", *(f"variations[{n}] '{name}': " for n, name in enumerate(names))]
    errors = [
        error
        for number, variant in enumerate(variants)
        for error in _past_quota(settings, variant, where[number])
    ]
    estimates = [estimate_starts(variant) for variant in variants]
    total = sum(estimate.starts for estimate in estimates)
    if total > settings.max_candidate_starts:
        largest = max(estimates, key=lambda estimate: estimate.starts)
        also = f"; {len(variants) - 1} variations" if len(variants) > 1 else ""
        errors.append(
            {
                "path": "(document)",
                "message": f"about {total:,} candidate starts, past the quota of "
                f"{settings.max_candidate_starts:,} per job; cause: {largest.causes}{also}",
            }
        )
    if errors:
        raise beyond_quota(errors)
    return estimates


def beyond_quota(errors: list[dict[str, str]]) -> Problem:
    """The 422 of a scenario larger than the service plans in one job."""
    detail = "the scenario is larger than this service plans in one job"
    return Problem(422, "Scenario beyond quota", detail, errors=errors)


def _past_quota(settings: ServiceSettings, scenario: Scenario, where: str) -> list[dict[str, str]]:
    errors = []
    if len(scenario.pairs) > settings.max_pairs:
        errors.append(
            {
                "path": f"{where}pairs",
                "message": f"{len(scenario.pairs):,} pairs, past the "
                f"quota of {settings.max_pairs:,} per job",
            }
        )
    weeks = horizon_weeks(scenario)
    if weeks > settings.max_horizon_weeks:
        errors.append(
            {
                "path": f"{where}horizon",
                "message": f"{weeks:.0f} weeks, past the quota of "
                f"{settings.max_horizon_weeks} weeks per job",
            }
        )
    return errors


def horizon_weeks(scenario: Scenario) -> float:
    horizon = scenario.horizon
    if horizon.end is not None:
        return (horizon.end - horizon.start + timedelta(days=1)).days / 7
    return float(horizon.weeks or 0)


def estimate_starts(scenario: Scenario) -> Estimate:
    weeks = horizon_weeks(scenario)
    grid = scenario.grid_minutes
    weekly = {p.id: weekly_working_minutes(p.working_hours) // grid for p in scenario.people}
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
    return Estimate(starts, "; ".join(causes))


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
