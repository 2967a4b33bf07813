"""`/v1/programmes`: programmes HR keeps with Tandem, their plans, sessions and changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import programme_views, programmes
from api.auth import Tenant
from api.dependencies import DbSession, Settings
from api.problems import Problem
from api.routes.plans import EXAMPLE, PlanJobAccepted, accepted
from api.work.claims import as_utc
from connectors.session_calendar import SessionEvent, calendar_text, session_uid
from scheduler.scenario import Moment
from scheduler.supervision import check_in_id

MOST_SESSIONS = 10_000_000  # far past any programme's sessions: an offset past it is a typo
router = APIRouter(prefix="/v1/programmes", tags=["programmes"])
ScenarioBody = Annotated[
    dict[str, Any], Body(examples=[EXAMPLE], description="A scenario (spec version 1)")
]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad API key"},
    404: {"description": "No such programme"},
    422: {"description": "Invalid scenario or change (problem+json with each field's path)"},
}


class ProgrammeView(BaseModel):
    id: str
    name: str
    version: int = Field(description="How many plans were made")
    scenario: dict[str, Any]
    planned: bool


class Change(BaseModel):
    """A change HR reports: a new busy time, a decline, a cancellation, a person leaving."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key must not pass unnoticed
    kind: Literal["busy", "decline", "cancel", "leave"]
    person: str | None = Field(
        None,
        description=(
            "busy, leave: the person; decline (optional): who declined, the session's mentor "
            "or executive (left out: both people's local days of the declined start are left)"
        ),
    )
    start: Moment | None = Field(None, description="busy: start (with an offset)")
    end: Moment | None = Field(None, description="busy: end (with an offset)")
    status: Literal["busy", "tentative", "oof"] = "busy"
    pair: str | None = Field(None, description="decline, cancel: the pair")
    index: int | None = Field(
        None, ge=0, le=100_000, description="decline, cancel: the session's index"
    )


class SessionView(BaseModel):
    pair: str
    index: int
    mentor: str
    mentee: str
    start: str
    end: str
    moved: bool
    moves: int = 0


class HistoryEvent(BaseModel):
    pair: str
    index: int
    kind: Literal["placed", "moved", "unplaced"]
    old_start: str | None
    new_start: str | None
    reason: str | None
    plan_version: int
    at: datetime


def _view(programme: Any) -> ProgrammeView:
    return ProgrammeView(
        id=programme.id,
        name=programme.name,
        version=programme.version,
        scenario=programme.scenario,
        planned=programme.plan is not None,
    )


@router.post("", status_code=201, response_model=ProgrammeView, responses=ERRORS)
def create_programme(
    session: DbSession,
    settings: Settings,
    response: Response,
    tenant: Tenant,
    scenario: ScenarioBody,
) -> ProgrammeView:
    programme = programmes.create(session, settings, tenant, scenario)
    response.headers["Location"] = f"/v1/programmes/{programme.id}"
    return _view(programme)


@router.get("/{programme_id}", response_model=ProgrammeView, responses=ERRORS)
def read_programme(session: DbSession, programme_id: str, tenant: Tenant) -> ProgrammeView:
    return _view(programmes.find(session, tenant, programme_id))


@router.put("/{programme_id}", response_model=ProgrammeView, responses=ERRORS)
def update_programme(
    session: DbSession,
    settings: Settings,
    programme_id: str,
    tenant: Tenant,
    scenario: ScenarioBody,
) -> ProgrammeView:
    """Replace the programme's rules, people and pairs; plan it again to apply them."""
    return _view(programmes.replace_scenario(session, settings, tenant, programme_id, scenario))


@router.post(
    "/{programme_id}/plan", status_code=202, response_model=PlanJobAccepted, responses=ERRORS
)
def plan_programme(
    request: Request,
    session: DbSession,
    settings: Settings,
    response: Response,
    programme_id: str,
    tenant: Tenant,
) -> PlanJobAccepted:
    """Plan the programme; once it has a plan, re-plan it with the fewest moves. A plan
    already waiting is the answer (its id), not a second one."""
    job = programmes.plan(session, settings, tenant, programme_id)
    return accepted(request, response, f"/v1/plans/{job.id}", job.id)


@router.post(
    "/{programme_id}/changes", status_code=202, response_model=PlanJobAccepted, responses=ERRORS
)
def report_change(
    request: Request,
    session: DbSession,
    settings: Settings,
    response: Response,
    programme_id: str,
    tenant: Tenant,
    change: Change,
) -> PlanJobAccepted:
    """Record a change and re-plan the programme with the fewest moves. Changes arriving
    while a re-plan waits join it: the answer names that one job."""
    job = programmes.report_change(session, settings, tenant, programme_id, _change_fields(change))
    return accepted(request, response, f"/v1/plans/{job.id}", job.id)


def _change_fields(change: Change) -> dict[str, Any]:
    needed = {
        "busy": ("person", "start", "end"),
        "decline": ("pair", "index"),
        "cancel": ("pair", "index"),
        "leave": ("person",),
    }[change.kind]
    missing = [name for name in needed if getattr(change, name) is None]
    if missing:
        raise Problem(
            422,
            "Invalid change",
            f"a '{change.kind}' change needs {', '.join(missing)}",
            errors=[{"path": name, "message": "required"} for name in missing],
        )
    return change.model_dump(mode="json")


@router.get("/{programme_id}/sessions", response_model=list[SessionView], responses=ERRORS)
def list_sessions(
    request: Request,
    session: DbSession,
    programme_id: str,
    tenant: Tenant,
    person: Annotated[
        str | None, Query(max_length=200, description="Only this person's sessions")
    ] = None,
    start: Annotated[Moment | None, Query(alias="from", description="Starting at or after")] = None,
    end: Annotated[Moment | None, Query(alias="to", description="Starting before")] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="At most this many sessions")] = 1000,
    offset: Annotated[
        int, Query(ge=0, le=MOST_SESSIONS, description="Skip this many sessions first")
    ] = 0,
) -> Response:
    """Sessions in start order, a page at a time: `X-Total-Count` gives the total, and a
    `Link` header with `rel="next"` the next page."""
    which = programme_views.Sessions(person, start, end)
    page = programme_views.session_page(session, tenant, programme_id, which, limit, offset)
    headers = {"X-Total-Count": str(page.total)}
    if offset + len(page.rows) < page.total:
        following = request.url.include_query_params(offset=offset + len(page.rows), limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    # Rows go out as they are: validating thousands of rows again costs seconds.
    return JSONResponse(page.rows, headers=headers)


@router.get(
    "/{programme_id}/people/{person}/sessions.ics",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"text/calendar": {}}}},
)
def person_feed(session: DbSession, programme_id: str, person: str, tenant: Tenant) -> Response:
    """The person's sessions as an ICS feed (a calendar can subscribe to it)."""
    rows = programme_views.person_sessions(session, tenant, programme_id, person)
    events = (
        SessionEvent(
            uid=session_uid(programme_id, r.pair, r.index),
            start=as_utc(r.start),
            end=as_utc(r.end),
            mentor=r.mentor,
            mentee=r.mentee,
            check_in=r.pair == check_in_id(r.mentee),  # a check-in's row: coach, mentor
        )
        for r in rows
    )
    return Response(calendar_text(events), media_type="text/calendar")


@router.get("/{programme_id}/history", response_model=list[HistoryEvent], responses=ERRORS)
def history(session: DbSession, programme_id: str, tenant: Tenant) -> list[HistoryEvent]:
    """Every session placed, moved or left unplaced, plan by plan, with the reason."""
    events = programme_views.history(session, tenant, programme_id)
    return [HistoryEvent(**event) for event in events]
