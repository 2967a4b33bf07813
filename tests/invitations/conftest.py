"""The service's database, upgraded, on each of the test databases (`database_url`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.storage.database import make_engine, sessions, upgrade


@pytest.fixture
def store(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield sessions(engine)
    engine.dispose()
