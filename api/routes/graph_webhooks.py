"""`/v1/graph/notifications` and `/v1/graph/lifecycle`: Graph's change notifications.

Graph calls these without an API key: a delivery proves itself with the subscription's
`clientState`. The answer must come within 3 seconds, so a delivery is only stored
(202); the worker reads the meetings later. With the database away the answer is 503,
and Graph delivers again. The validation handshake echoes the decoded token as plain
text, never as HTML.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.dependencies import DbSession
from api.invitations.notifications import accept_deliveries

router = APIRouter(prefix="/v1/graph", tags=["graph notifications"])


ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The validation handshake: the decoded token, as plain text",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    },
    202: {"description": "Stored (or ignored: an unproven delivery learns nothing)"},
    422: {"description": "A body that is not valid JSON, or holds text that cannot be kept"},
    503: {"description": "The database is away: Graph delivers again later"},
}


@router.post("/notifications", status_code=202, response_class=Response, responses=ANSWERS)
async def notifications(
    request: Request,
    session: DbSession,
    validationToken: str | None = None,  # noqa: N803 - Graph's name
) -> Response:
    """Change notifications on organisers' meetings (and Graph's validation handshake)."""
    return await _receive(request, session, validationToken)


@router.post("/lifecycle", status_code=202, response_class=Response, responses=ANSWERS)
async def lifecycle(
    request: Request,
    session: DbSession,
    validationToken: str | None = None,  # noqa: N803
) -> Response:
    """Lifecycle notifications: reauthorization required, subscription removed, missed."""
    return await _receive(request, session, validationToken)


async def _receive(request: Request, session: Session, token: str | None) -> Response:
    if token is not None:
        return Response(
            token,
            status_code=200,
            media_type="text/plain",
            headers={"X-Content-Type-Options": "nosniff"},
        )
    try:
        payload: Any = await request.json()
    except ValueError:
        return Response(status_code=202)  # not Graph's: nothing to keep, nothing to say
    try:
        graph = request.app.state.graph
        tenant = graph.tenant_id if graph else ""
        await run_in_threadpool(accept_deliveries, session, payload, tenant)
    except SQLAlchemyError:
        return Response(status_code=503, headers={"Retry-After": "5"})
    return Response(status_code=202)
