"""The HTTP service for HR tools: FastAPI, a real database, plans as background jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from api import openapi, problems
from api.jobs import Worker
from api.limits import BodyLimit
from api.metrics import REQUESTS
from api.routes import health, plans, programmes, whatif
from api.settings import ServiceSettings
from api.storage.database import make_engine, sessions, upgrade


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        upgrade(engine)  # the schema is brought up to date at every start
        app.state.sessions = sessions(engine)
        worker = Worker(app.state.sessions, settings) if settings.worker_enabled else None
        if worker:
            worker.start()
        try:
            yield
        finally:
            if worker:
                worker.stop()
                worker.join(timeout=5)
            engine.dispose()

    app = FastAPI(
        title="Tandem",
        version="0.1.0",
        lifespan=lifespan,
        description="Schedules reverse-mentoring programmes. Authenticate with "
        "`Authorization: Bearer <API key>` (`tandem keys create`).",
    )
    problems.install(app)
    openapi.install(app)
    app.include_router(health.router)
    app.include_router(plans.router)
    app.include_router(programmes.router)
    app.include_router(whatif.router)
    app.middleware("http")(_count_requests)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


async def _count_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    route = request.scope.get("route")
    REQUESTS.labels(
        request.method, getattr(route, "path", "unmatched"), str(response.status_code)
    ).inc()
    return response
