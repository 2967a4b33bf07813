"""What a route is given: one database session per request, and the settings.

A request holds at most one database connection, and only while it has its turn: at most
`database_connections - 1` requests have one at once (the dispatcher's thread keeps the
last one); the others wait for a turn on the event loop, holding neither a thread nor a
connection. Without turns, requests holding a connection while they waited for a thread
(between authentication and the route, each run in the thread pool) and threads waiting for
a connection deadlocked until the pool's timeout. The session is closed when the route has
answered, before the answer is sent: a client slow to read holds no connection (nor, on
SQLite, a write lock). The services a route calls own their transactions and commit them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.settings import ServiceSettings

DISPATCHER_CONNECTIONS = 1  # the connections of the pool that requests never take


def database_turns(settings: ServiceSettings) -> anyio.Semaphore:
    """How many requests may hold a database connection at once (made on the event loop)."""
    return anyio.Semaphore(settings.database_connections - DISPATCHER_CONNECTIONS)


async def database_turn(request: Request) -> AsyncIterator[None]:
    async with request.app.state.database_turns:
        yield


def request_session(
    request: Request, _: Annotated[None, Depends(database_turn, scope="function")]
) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def service_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(request_session, scope="function")]
Settings = Annotated[ServiceSettings, Depends(service_settings)]
