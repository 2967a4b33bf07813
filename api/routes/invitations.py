"""`/v1/programmes/{id}/invitations`: a programme's sessions as Outlook meetings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api import programmes
from api.auth import Tenant
from api.dependencies import DbSession
from api.invitations.enabling import enable_invitations
from api.invitations.status import invitation_status
from api.routes.programmes import ERRORS

router = APIRouter(prefix="/v1/programmes", tags=["invitations"])


class InvitationsAccepted(BaseModel):
    create: int = Field(description="meetings to create")
    move: int = Field(description="meetings to move")
    cancel: int = Field(description="meetings to cancel")
    href: str = Field(description="the status of the programme's invitations")


class InvitationStatus(BaseModel):
    enabled: bool
    meetings: int = Field(description="sessions that have (or will have) a meeting")
    in_step: int = Field(description="meetings Outlook has as planned")
    waiting: int = Field(description="meetings still to create, move or cancel")
    failed: int = Field(description="waiting meetings Graph refused (retried later)")
    responses: dict[str, int] = Field(description="accepted, tentativelyAccepted, declined...")
    waiting_sessions: list[dict[str, Any]]
    removed_in_outlook: list[dict[str, Any]]


@router.post(
    "/{programme_id}/invitations",
    status_code=202,
    response_model=InvitationsAccepted,
    responses={
        **ERRORS,
        409: {"description": "The programme has no plan yet, or the service no Graph connection"},
    },
)
def send_invitations(
    request: Request, session: DbSession, response: Response, programme_id: str, tenant: Tenant
) -> InvitationsAccepted:
    """Send the plan to Outlook, and keep every later plan of the programme in step.

    The meetings to create, move and cancel are stored at once; a background sender
    carries them out (each exactly once). Asking again changes nothing."""
    graph_connected = request.app.state.graph is not None
    changes = enable_invitations(session, tenant, programme_id, graph_connected)
    href = f"/v1/programmes/{programme_id}/invitations"
    response.headers["Location"] = href
    counts = {
        op: sum(1 for c in changes if c.operation == op) for op in ("create", "move", "cancel")
    }
    return InvitationsAccepted(**counts, href=href)


@router.get("/{programme_id}/invitations", response_model=InvitationStatus, responses=ERRORS)
def invitations_status(session: DbSession, programme_id: str, tenant: Tenant) -> InvitationStatus:
    """How far the programme's meetings are: sent, waiting, failed, and the answers."""
    programme = programmes.find(session, tenant, programme_id)
    return InvitationStatus(
        enabled=programme.invitations, **invitation_status(session, programme_id)
    )
