"""`/v1/matches`: a pool in, a job out; the pairs formed, with their reasons, when done."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api import jobs
from api.auth import Tenant
from api.dependencies import DbSession, Settings
from api.problems import Problem
from api.routes.plans import SUBMIT_ANSWERS, PlanJobAccepted, ScenarioBody, Status, accepted

router = APIRouter(prefix="/v1/matches", tags=["matching"])


class MatchJobView(BaseModel):
    id: str
    status: Status
    progress: str
    matching: dict[str, Any] | None = Field(
        None,
        description="When done: every pair formed with its reason, every executive left "
        "without a mentor with the candidates each rule refused (docs/scenario-format.md, "
        "Matching)",
    )
    scenario: dict[str, Any] | None = Field(
        None, description="When done: the scenario with the pairs formed, ready to plan"
    )
    error: dict[str, Any] | None = Field(None, description="Why the job failed, when it did")


@router.post(
    "",
    status_code=202,
    response_model=PlanJobAccepted,
    responses=SUBMIT_ANSWERS,
)
def create_match(
    request: Request,
    session: DbSession,
    settings: Settings,
    response: Response,
    tenant: Tenant,
    scenario: ScenarioBody,
) -> PlanJobAccepted:
    """Queue a matching of the scenario's pool: a mentor for each executive no pair names
    (`tandem match`); it runs in the background, never in the request."""
    job = jobs.submit(session, settings, tenant, scenario, "match")
    return accepted(request, response, f"/v1/matches/{job.id}", job.id)


@router.get(
    "/{job_id}",
    response_model=MatchJobView,
    responses={401: {"description": "No or bad API key"}, 404: {"description": "No such job"}},
)
def read_match(session: DbSession, job_id: str, tenant: Tenant) -> MatchJobView:
    found = jobs.find(session, tenant, job_id, kinds=("match",))
    if found is None:
        raise Problem(404, "Not Found", f"no matching job {job_id}")
    job = found.job
    result = job.plan or {}
    return MatchJobView(
        id=job.id,
        status=job.status,
        progress=job.progress,
        matching=result.get("matching"),
        scenario=result.get("scenario"),
        error=job.error,
    )
