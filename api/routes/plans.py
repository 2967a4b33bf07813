"""`/v1/plans`: a scenario in, a job out; the plan when the job is done."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from api import jobs
from api.auth import Tenant
from api.dependencies import DbSession, Settings
from api.paging import PAGE_HEADERS, Limit, Offset, page_response
from api.problems import Problem
from api.work.claims import as_utc

router = APIRouter(prefix="/v1/plans", tags=["plans"])

EXAMPLE = {
    "version": 1,
    "timezone": "Europe/Paris",
    "horizon": {"start": "2027-01-04", "weeks": 4},
    "people": [{"id": "m1", "role": "mentor"}, {"id": "ceo", "role": "executive"}],
    "pairs": [{"id": "p1", "mentor": "m1", "mentee": "ceo"}],
}
PLAN_KINDS = ("plan", "programme")  # the jobs /v1/plans shows (a what-if's and a matching's not)
Status = Literal["queued", "running", "done", "failed"]
ScenarioBody = Annotated[
    dict[str, Any], Body(examples=[EXAMPLE], description="A scenario (spec version 1)")
]


# What a job's submission may answer besides its 202 (plans, matchings, what-ifs).
SUBMIT_ANSWERS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad API key"},
    413: {"description": "Body too large"},
    422: {"description": "Invalid scenario, or one beyond the quota (problem+json)"},
    429: {"description": "Too many jobs queued or running; see Retry-After"},
}


class PlanJobAccepted(BaseModel):
    id: str
    status: Status
    href: str = Field(description="Where to read the job, as in the Location header")


class PlanJobSummary(BaseModel):
    id: str
    status: Status
    programme_id: str | None = Field(description="The programme it plans, if any")
    created_at: str = Field(description="UTC, `2027-01-05T13:00:00Z`")
    started_at: str | None
    finished_at: str | None
    href: str


class PlanJobView(BaseModel):
    id: str
    status: Status
    progress: str
    queue: Literal["small", "large"] = Field(description="The queue the job waits or ran in")
    position: int | None = Field(
        None, description="While queued: how many jobs of its queue wait before it"
    )
    parts: int = Field(
        1,
        description="How many jobs it is spread over: a large plan is planned in parts "
        "(groups of people that share nobody) by several workers at once",
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    plan: dict[str, Any] | None = Field(None, description="The plan, when done (the spec's format)")
    error: dict[str, Any] | None = Field(None, description="Why the job failed, when it did")


@router.post(
    "",
    status_code=202,
    response_model=PlanJobAccepted,
    responses=SUBMIT_ANSWERS,
)
def create_plan(
    request: Request,
    session: DbSession,
    settings: Settings,
    response: Response,
    tenant: Tenant,
    scenario: ScenarioBody,
) -> PlanJobAccepted:
    """Queue a plan of the scenario; solving runs in the background, never in the request."""
    job = jobs.submit(session, settings, tenant, scenario, "plan")
    return accepted(request, response, f"/v1/plans/{job.id}", job.id)


@router.get(
    "",
    response_model=list[PlanJobSummary],
    responses={401: {"description": "No or bad API key"}, 200: {"headers": PAGE_HEADERS}},
)
def list_plans(
    request: Request,
    session: DbSession,
    tenant: Tenant,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The tenant's plan jobs (its programmes' plans too), newest first, a page at a time
    (`X-Total-Count`, `Link`): their state, not their plans (read each at its `href`)."""
    page = jobs.job_page(session, tenant, PLAN_KINDS, limit, offset)
    return page_response(request, page, limit, offset)


@router.get(
    "/{job_id}",
    response_model=PlanJobView,
    responses={401: {"description": "No or bad API key"}, 404: {"description": "No such job"}},
)
def read_plan(session: DbSession, job_id: str, tenant: Tenant) -> PlanJobView:
    found = jobs.find(session, tenant, job_id)
    if found is None:
        raise Problem(404, "Not Found", f"no plan job {job_id}")
    return _view(found)


def accepted(request: Request, response: Response, href: str, job_id: str) -> PlanJobAccepted:
    """A queued job's answer: 202 with its address in `Location` and in the body. The
    dispatcher announces the job now rather than at its next round."""
    request.app.state.dispatcher.poke()
    response.headers["Location"] = href
    return PlanJobAccepted(id=job_id, status="queued", href=href)


def _view(found: jobs.JobView) -> PlanJobView:
    job = found.job
    return PlanJobView(
        id=job.id,
        status=job.status,
        progress=job.progress,
        queue=found.queue,
        position=found.position,
        parts=found.parts,
        created_at=_utc(job.created_at),
        started_at=_utc(job.started_at),
        finished_at=_utc(job.finished_at),
        plan=job.plan,
        error=job.error,
    )


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)
