"""Errors that are the server's, not the caller's: answered as problems, and logged in one
line each naming the exception's type and the route (never its message, which can hold
the caller's data).

No database connection free in time (SQLAlchemy's pool timeout) is load, not a fault: 503
with `Retry-After`. Anything else unhandled is a 500; Starlette answers it from its
outermost middleware, then raises it on to the server, which logs where it came from."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.metrics import route_label
from api.problems import problem_response

log = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 5


def install(app: FastAPI) -> None:
    app.exception_handler(PoolTimeout)(_busy)
    app.exception_handler(Exception)(_unhandled)


async def _busy(request: Request, _: Exception) -> JSONResponse:
    log.warning("no database connection free in time: %s answered 503", _where(request))
    return problem_response(
        503,
        "Service Unavailable",
        "the service is busy; retry after the time in Retry-After",
        headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
    )


async def _unhandled(request: Request, error: Exception) -> JSONResponse:
    log.error("unhandled %s: %s answered 500", type(error).__name__, _where(request))
    return problem_response(500, "Internal Server Error", "the service failed to answer")


def _where(request: Request) -> str:
    return f"{request.method} {route_label(request)}"
