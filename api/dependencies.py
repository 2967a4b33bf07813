"""What a route is given: one database session per request (closed after the answer;
the services it calls own their transactions and commit them), and the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.settings import ServiceSettings


def request_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def service_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(request_session)]
Settings = Annotated[ServiceSettings, Depends(service_settings)]
