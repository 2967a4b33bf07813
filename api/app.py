"""The HTTP service for HR tools: FastAPI, a real database, plans as jobs for the task
engine's workers (started here on one machine: the embedded default)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request, Response

from api import docs, openapi, problems, server_errors
from api.access_log import AccessLog
from api.dependencies import database_turns
from api.known_query import no_unknown_query
from api.limits import BodyLimit
from api.metrics import count_request
from api.request_hygiene import CleanRequests
from api.routes import graph_webhooks, health, invitations, matches, plans, programmes, whatif
from api.settings import ServiceSettings
from api.storage.database import make_engine, sessions, upgrade
from api.work.dispatcher import Dispatcher
from api.work.engine import make_celery
from api.work.local import LocalWorkers
from connectors.graph.settings import graph_settings


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, connections=settings.database_connections)
        upgrade(engine)  # the schema is brought up to date at every start
        app.state.settings = settings
        app.state.sessions = sessions(engine)
        app.state.database_turns = database_turns(settings)
        app.state.graph = graph_settings()
        # With Graph set, invitation rounds are asked for (the workers of `invitations`,
        # local or on other machines, run them).
        rounds = app.state.graph is not None
        app.state.dispatcher = Dispatcher(
            app.state.sessions, make_celery(settings), settings, rounds=rounds
        )
        background: list[Dispatcher | LocalWorkers] = [app.state.dispatcher]
        if settings.worker_enabled:
            background.append(LocalWorkers(settings, rounds=rounds))
        for thread in background:
            thread.start()
        try:
            yield
        finally:
            for thread in background:
                thread.stop()
            for thread in background:
                thread.join(timeout=15)
            engine.dispose()

    app = FastAPI(
        dependencies=[Depends(no_unknown_query)],
        title="Tandem",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # `api.docs` serves them, with their files
        redoc_url=None,
        description="Schedules reverse-mentoring programmes. Authenticate with "
        "`Authorization: Bearer <API key>` (`tandem keys create`).",
    )
    problems.install(app)
    server_errors.install(app)
    openapi.install(app)
    docs.install(app)
    app.include_router(health.router)
    app.include_router(plans.router)
    app.include_router(programmes.router)
    app.include_router(whatif.router)
    app.include_router(matches.router)
    app.include_router(invitations.router)
    app.include_router(graph_webhooks.router)
    app.middleware("http")(_count_requests)
    app.add_middleware(CleanRequests)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)  # outermost: logs every request, refused ones too
    return app


async def _count_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """An exception that escapes the route is a 500 (`api.server_errors` answers it)."""
    try:
        response = await call_next(request)
    except Exception:
        count_request(request, 500)
        raise
    count_request(request, response.status_code)
    return response
