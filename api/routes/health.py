"""Liveness, readiness (the database answers) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.dependencies import DbSession, Settings
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
def readyz(session: DbSession) -> dict[str, str]:
    try:
        session.execute(text("SELECT 1"))
    except Exception:
        raise Problem(503, "Service Unavailable", "the database does not answer") from None
    return {"status": "ready"}


@router.get("/metrics", response_class=Response)
def metrics(session: DbSession, settings: Settings) -> Response:
    """The service's own counters, and the queues' figures read from the database."""
    queues = generate_latest(QueueFigures(session, settings.heartbeat_timeout_seconds))
    return Response(generate_latest(REGISTRY) + queues, media_type=CONTENT_TYPE_LATEST)
