"""A fresh database (SQLite, and PostgreSQL where TANDEM_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.storage.database import make_engine, sessions, upgrade
from tests.api.service import fresh_postgres

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TANDEM_TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tandem.db'}"
    else:
        with fresh_postgres(os.environ["TANDEM_TEST_DATABASE_URL"]) as url:
            yield url


@pytest.fixture
def store(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield sessions(engine)
    engine.dispose()
