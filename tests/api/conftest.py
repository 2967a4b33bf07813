"""The service, on each database the tests are given: SQLite always, PostgreSQL when
TANDEM_TEST_DATABASE_URL names a server. One service per test module."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.api.service import fresh_postgres, serving

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TANDEM_TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES, scope="module")
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from _fresh(request.param, tmp_path_factory)


@pytest.fixture(params=DATABASES)
def lone_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of the test's own: no service of the module (whose workers would take
    its jobs) runs on it."""
    yield from _fresh(request.param, tmp_path_factory)


def _fresh(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tandem.db'}"
    else:
        with fresh_postgres(os.environ["TANDEM_TEST_DATABASE_URL"]) as url:
            yield url


@pytest.fixture(scope="module")
def service(database: str) -> Iterator[tuple[str, str]]:
    with serving(database) as base:
        yield base, database
