import os

# Every plan the suite makes, in this process and in the commands and services it starts,
# is made in strict mode: a solver fallback that would hide a broken rule is a failure.
os.environ["TANDEM_STRICT_SOLVER"] = "1"

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# `make mutation` runs the scheduler's tests once per mutant: fewer examples each time.
settings.register_profile(
    "mutation", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# A fresh database per test or per module (SQLite; PostgreSQL too where
# TANDEM_TEST_DATABASE_URL is set).
from tests.databases import database_url, module_database_url  # noqa: E402,F401

DATABASE_FIXTURES = ("database", "lone_database", "database_url", "module_database_url")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A `one_database` test's SQLite twin joins the slow run where PostgreSQL (the
    production database) is there to run it by default: the default run stays short."""
    if not os.environ.get("TANDEM_TEST_DATABASE_URL"):
        return
    for item in items:
        if item.get_closest_marker("one_database") and _on_sqlite(item):
            item.add_marker(pytest.mark.slow)


def _on_sqlite(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(params.get(name) == "sqlite" for name in DATABASE_FIXTURES)
