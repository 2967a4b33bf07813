"""Liveness, readiness (the database answers) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.metrics import REGISTRY
from api.problems import Problem
from api.work.figures import QueueFigures

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """On the event loop, not in the thread pool: requests that keep every pool thread busy
    (validating large scenarios) cannot starve it."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database does not answer"}})
def readyz(request: Request) -> dict[str, str]:
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
    except Exception:
        raise Problem(503, "Service Unavailable", "the database does not answer") from None
    return {"status": "ready"}


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """The service's own counters, and the queues' figures read from the database."""
    state = request.app.state
    queues = generate_latest(QueueFigures(state.sessions, state.settings.heartbeat_timeout_seconds))
    return Response(generate_latest(REGISTRY) + queues, media_type=CONTENT_TYPE_LATEST)
