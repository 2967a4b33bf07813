"""`/v1/whatif`: plan a scenario's base and variations, and compare them side by side."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api import jobs
from api.auth import Tenant
from api.dependencies import DbSession, Settings
from api.problems import Problem
from api.routes.plans import SUBMIT_ANSWERS, PlanJobAccepted, ScenarioBody, Status, accepted

router = APIRouter(prefix="/v1/whatif", tags=["what-if"])


class ComparisonRow(BaseModel):
    figure: str
    unit: Literal["sessions", "fraction", "hours"] = Field(
        description="fraction: a share from 0 to 1; hours: over the horizon, or per month "
        "where the figure says so"
    )
    values: list[int | float | None] = Field(
        description="One number per variant, in the order of `variants`; null where the "
        "figure does not apply (the base against itself)"
    )


class Comparison(BaseModel):
    variants: list[str]
    rows: list[ComparisonRow] = Field(
        description="The figures `tandem whatif` prints, as numbers (empty for a comparison "
        "made before the service gave numbers)"
    )
    plans: dict[str, dict[str, Any]] = Field(description="Each variant's plan (the spec's format)")

    @classmethod
    def stored(cls, result: dict[str, Any]) -> Comparison:
        """The job's result: its `figures` are the numbers (its `rows`, the printed text)."""
        return cls(
            variants=result["variants"], rows=result.get("figures", []), plans=result["plans"]
        )


class WhatIfView(BaseModel):
    id: str
    status: Status
    progress: str
    comparison: Comparison | None = None
    error: dict[str, Any] | None = None


@router.post(
    "",
    status_code=202,
    response_model=PlanJobAccepted,
    responses=SUBMIT_ANSWERS,
)
def compare(
    request: Request,
    session: DbSession,
    settings: Settings,
    response: Response,
    tenant: Tenant,
    scenario: ScenarioBody,
) -> PlanJobAccepted:
    """Queue a comparison of the scenario's base and `variations`: each variant is a job of
    its own, planned in the background by any worker."""
    job = jobs.submit(session, settings, tenant, scenario, "whatif")
    return accepted(request, response, f"/v1/whatif/{job.id}", job.id)


@router.get(
    "/{job_id}",
    response_model=WhatIfView,
    responses={
        401: {"description": "No or bad API key"},
        404: {"description": "No such comparison"},
    },
)
def read_comparison(session: DbSession, job_id: str, tenant: Tenant) -> WhatIfView:
    found = jobs.find(session, tenant, job_id, kinds=("whatif",))
    if found is None:
        raise Problem(404, "Not Found", f"no what-if comparison {job_id}")
    job = found.job
    comparison = Comparison.stored(job.plan) if job.plan else None
    return WhatIfView(
        id=job.id,
        status=job.status,
        progress=job.progress,
        comparison=comparison,
        error=job.error,
    )
