"""A fresh database per test: SQLite, and PostgreSQL where TANDEM_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.service import fresh_postgres

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TANDEM_TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tandem.db'}"
    else:
        with fresh_postgres(os.environ["TANDEM_TEST_DATABASE_URL"]) as url:
            yield url
