"""`/v1/programmes`: programmes HR keeps with Tandem, their plans, sessions and changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api import programme_views, programmes
from api.auth import Tenant
from api.dependencies import DbSession, Settings
from api.feeds import person_feed
from api.paging import PAGE_HEADERS, Limit, Offset, page_response
from api.problems import Problem
from api.routes.plans import EXAMPLE, PlanJobAccepted, accepted
from scheduler.scenario import Moment

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])
ScenarioBody = Annotated[
    dict[str, Any], Body(examples=[EXAMPLE], description="A scenario (spec version 1)")
]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad API key"},
    404: {"description": "No such programme"},
    422: {"description": "Invalid scenario or change (problem+json with each field's path)"},
}
PAGED = {**ERRORS, 200: {"headers": PAGE_HEADERS}}
ETAG_HEADER = {"ETag": {"description": "The scenario's revision, for a PUT's If-Match"}}


class ProgrammeSummary(BaseModel):
    id: str
    name: str
    version: int = Field(description="How many plans were made")
    planned: bool
    created_at: str = Field(description="UTC, `2027-01-05T13:00:00Z`")
    updated_at: str
    href: str


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
    kind: Literal["mentoring", "supervision"] = Field(
        description="supervision: a supervised mentor's check-in with their coach (`mentor` "
        "holds the coach, `mentee` the mentor)"
    )
    mentor: str
    mentee: str
    start: str = Field(description="UTC, `2027-01-05T13:00:00Z`")
    end: str
    mentor_local: str | None = Field(
        description="The start in the mentor's time zone, with its offset"
    )
    mentee_local: str | None = Field(description="The start in the mentee's time zone")
    moved: bool
    moves: int = 0


class HistoryEvent(BaseModel):
    pair: str
    index: int
    mentor: str | None
    mentee: str | None
    kind: Literal["placed", "moved", "unplaced"] = Field(
        description="unplaced: once when the session becomes unplaced (or its reason "
        "changes), not again while it stays so"
    )
    old_start: str | None = Field(description="UTC, `2027-01-05T13:00:00Z`")
    new_start: str | None
    reason: str | None
    plan_version: int
    at: str = Field(description="When the plan was recorded, UTC")


def _view(programme: Any) -> ProgrammeView:
    return ProgrammeView(
        id=programme.id,
        name=programme.name,
        version=programme.version,
        scenario=programme.scenario,
        planned=programme.plan is not None,
    )


@router.get("", response_model=list[ProgrammeSummary], responses=PAGED)
def list_programmes(
    request: Request,
    session: DbSession,
    tenant: Tenant,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The tenant's programmes, newest first, a page at a time (`X-Total-Count`, `Link`)."""
    page = programme_views.programme_page(session, tenant, limit, offset)
    return page_response(request, page, limit, offset)


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
    response.headers["ETag"] = programmes.etag(programme)
    return _view(programme)


@router.get(
    "/{programme_id}",
    response_model=ProgrammeView,
    responses={**ERRORS, 200: {"headers": ETAG_HEADER}},
)
def read_programme(
    session: DbSession, response: Response, programme_id: str, tenant: Tenant
) -> ProgrammeView:
    programme = programmes.find(session, tenant, programme_id, with_scenario=True)
    response.headers["ETag"] = programmes.etag(programme)
    return _view(programme)


@router.put(
    "/{programme_id}",
    response_model=ProgrammeView,
    responses={
        **ERRORS,
        200: {"headers": ETAG_HEADER},
        412: {"description": "The scenario changed since the ETag was read"},
        428: {"description": "No If-Match"},
    },
)
def update_programme(
    session: DbSession,
    settings: Settings,
    response: Response,
    programme_id: str,
    tenant: Tenant,
    scenario: ScenarioBody,
    if_match: Annotated[
        str | None,
        Header(
            description="The ETag of the programme as read (GET), or `*`: the PUT replaces "
            "the whole scenario, busy times and leaves reported through /changes included"
        ),
    ] = None,
) -> ProgrammeView:
    """Replace the programme's rules, people and pairs; plan it again to apply them. The
    scenario sent replaces the stored one whole: busy times and leaves reported through
    `/changes` are part of the stored scenario (GET shows them), kept only if the PUT
    keeps them. `If-Match` is required: 412 when the scenario was written since it was
    read, so that no reported change is dropped unseen. Declines and cancellations are no
    part of the scenario: they stay."""
    programme = programmes.replace_scenario(
        session, settings, tenant, programme_id, scenario, if_match
    )
    response.headers["ETag"] = programmes.etag(programme)
    return _view(programme)


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


@router.get("/{programme_id}/sessions", response_model=list[SessionView], responses=PAGED)
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
    offset: Offset = 0,
) -> Response:
    """Sessions in start order, a page at a time: `X-Total-Count` gives the total, and a
    `Link` header with `rel="next"` the next page. A person the programme does not have
    is a 404."""
    which = programme_views.Sessions(person, start, end)
    page = programme_views.session_page(session, tenant, programme_id, which, limit, offset)
    return page_response(request, page, limit, offset)


@router.get(
    "/{programme_id}/people/{person}/sessions.ics",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"text/calendar": {}}}},
)
def feed(session: DbSession, programme_id: str, person: str, tenant: Tenant) -> Response:
    """The person's sessions as an ICS feed (a calendar can subscribe to it); 404 for a
    person the programme does not have."""
    rows = programme_views.person_sessions(session, tenant, programme_id, person)
    programme = programmes.find(session, tenant, programme_id, with_scenario=True)
    changes = programme_views.start_changes(session, programme_id, rows)
    sequences = {key: max(0, count - 1) for key, count in changes.items()}
    text = person_feed(
        programme_id, person, rows, programme.scenario, programme.plan, datetime.now(UTC), sequences
    )
    return Response(text, media_type="text/calendar")


@router.get("/{programme_id}/history", response_model=list[HistoryEvent], responses=PAGED)
def history(
    request: Request,
    session: DbSession,
    programme_id: str,
    tenant: Tenant,
    pair: Annotated[str | None, Query(max_length=200, description="Only this pair's")] = None,
    person: Annotated[
        str | None, Query(max_length=200, description="Only the sessions of this person")
    ] = None,
    start: Annotated[Moment | None, Query(alias="from", description="Recorded at or after")] = None,
    end: Annotated[Moment | None, Query(alias="to", description="Recorded before")] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="At most this many events")] = 1000,
    offset: Offset = 0,
) -> Response:
    """Every session placed, moved or left unplaced, plan by plan, with the reason, in the
    order they were recorded, a page at a time (`X-Total-Count`, `Link`)."""
    which = programme_views.Events(pair, person, start, end)
    page = programme_views.history_page(session, tenant, programme_id, which, limit, offset)
    return page_response(request, page, limit, offset)
