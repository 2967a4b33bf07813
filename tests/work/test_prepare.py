"""What a worker computes a programme's plan from is of one moment: the programme's row (its
version, last plan, changes) and its scenario, read together, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from api import programmes
from api.settings import ServiceSettings
from api.storage.models import Tenant
from api.work.claims import Claim
from api.work.runner import prepare
from tests.builders import executive, mentor, pair, scenario

SETTINGS = ServiceSettings()


def programme_with_a_plan(store: sessionmaker[Session]) -> tuple[str, str]:
    with store() as session:
        tenant = Tenant(id=str(uuid.uuid4()), name=uuid.uuid4().hex, created_at=datetime.now(UTC))
        session.add(tenant)
        session.commit()
        first = scenario(people=[mentor("m1"), executive("e1")], pairs=[pair("p1", "m1", "e1")])
        programme = programmes.create(session, SETTINGS, tenant.id, first)
        programme.plan, programme.planned_revision = {"sessions": [], "unplaced": []}, 0
        session.commit()
        return tenant.id, programme.id


def test_a_scenario_replaced_while_the_worker_reads_is_not_mixed_with_the_old_basis(
    store: sessionmaker[Session],
) -> None:
    """A PUT commits right after the worker's first statement about the programme: the job
    is made from the programme before the PUT, whole (its scenario and its basis), never
    from the new scenario with the old plan's basis (an incremental re-plan of the wrong
    scenario)."""
    tenant, programme_id = programme_with_a_plan(store)
    replacement = scenario(
        people=[mentor("m2"), executive("e2")], pairs=[pair("p2", "m2", "e2")], name="new"
    )
    engine = store.kw["bind"]
    replaced: list[bool] = []

    def put_after_the_first_read(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not replaced and statement.lstrip().upper().startswith("SELECT"):
            replaced.append(True)
            with store() as other:
                programmes.replace_scenario(other, SETTINGS, tenant, programme_id, replacement, "*")

    event.listen(engine, "after_cursor_execute", put_after_the_first_read)
    try:
        prepared = prepare(store, Claim("job", "token", "programme", tenant, None, programme_id))
    finally:
        event.remove(engine, "after_cursor_execute", put_after_the_first_read)
    assert replaced  # the PUT did land in the middle
    assert prepared.basis is not None
    pairs = [p["id"] for p in prepared.computation.document["pairs"]]
    assert (pairs, prepared.basis.scenario_revision) == (["p1"], 0)
    assert prepared.computation.kind == "replan"
