"""Schemathesis against the service's own OpenAPI document: no 5xx, and every response
conforms to what the document declares (status codes, content types, schemas)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.service import create_key, serving


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    database = f"sqlite:///{Path(tmp_path_factory.mktemp('conformance')) / 'tandem.db'}"
    _, key = create_key(database, "conformance")
    with serving(database) as base:
        yield base, key


def test_the_service_keeps_its_openapi_promises(live: tuple[str, str]) -> None:
    """Every operation, 25 generated requests each (Schemathesis's pytest plugin does not
    run on pytest 9 yet, so each operation's strategy is driven here directly)."""
    base, key = live
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            # A scenario can match its JSON schema and still break a rule that spans fields
            # (an unknown person, swapped roles): the service rightly answers 422 then, so the
            # "schema-valid data is accepted" check does not apply. Every other check does.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {key}"},
                excluded_checks=[positive_data_acceptance],
            )

        check()


def test_chained_calls_keep_the_promises_too(live: tuple[str, str]) -> None:
    """Stateful: Schemathesis chains operations by the links it infers (a programme created,
    then read, planned, changed, its sessions listed), every check on every answer: zero
    5xx, and every answer as the document declares."""
    base, key = live
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    machine = schema.as_state_machine()
    assert machine.bundles, "no links between operations: nothing would be chained"

    class Chained(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance],  # cross-field 422s, as above
                headers={"Authorization": f"Bearer {key}"},
                transport_kwargs=kwargs,
            )

    Chained.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
