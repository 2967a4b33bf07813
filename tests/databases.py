"""A fresh database per test, or per module of tests that share a service: SQLite, and
PostgreSQL where TANDEM_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.api.service import fresh_postgres

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TANDEM_TEST_DATABASE_URL") else [])


@contextmanager
def new_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of `kind` (one of DATABASES): SQLite in `folder`."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'tandem.db'}"
    else:
        with fresh_postgres(os.environ["TANDEM_TEST_DATABASE_URL"]) as url:
            yield url


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with new_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=DATABASES, scope="module")
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with new_database(request.param, tmp_path_factory.mktemp("database")) as url:
        yield url
