"""A what-if as one job per variant, on SQLite and PostgreSQL: each part is claimed and
recorded like any job, the last to finish assembles the comparison (exactly what one
process planning every variant gives), and a failed part fails the what-if."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import programmes
from api.jobs import submit
from api.settings import ServiceSettings
from api.storage.models import PlanJob, Programme
from api.work.claims import Claim, claim_next, finish, takeable
from api.work.computations import Computation, compute
from api.work.parts import give_up_retried, spread
from api.work.runner import Prepared, prepare, recorder, solver_parameters
from connectors.scenarios import problem_from_data, variant_problems_from_data
from scheduler.comparison import comparison_rows
from scheduler.plan_format import plan_to_dict
from scheduler.solve import solve
from scheduler.variants import plan_variants
from tests.builders import executive, mentor, pair, scenario
from tests.scheduler.test_plan_parts import timeless
from tests.work.test_claims import TIMEOUT, status, stop_heartbeat, tenant

SETTINGS = ServiceSettings(tenant_max_jobs=2)
PARAMS = solver_parameters(SETTINGS)


def whatif() -> dict[str, Any]:
    return {
        **scenario(
            horizon={"start": "2027-01-04", "weeks": 3},
            people=[mentor("m1"), executive("e1"), mentor("m2"), executive("e2")],
            pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
        ),
        "variations": [
            {"name": "biweekly", "set": {"rules.cadence": "biweekly"}},
            {"name": "short", "set": {"horizon.weeks": 2}},
        ],
    }


def submitted(
    store: sessionmaker[Session],
    settings: ServiceSettings,
    tenant_id: str,
    document: dict[str, Any],
    kind: str = "plan",
) -> PlanJob:
    with store() as session:
        return submit(session, settings, tenant_id, document, kind)


def parts_of(store: sessionmaker[Session], whatif_id: str) -> list[PlanJob]:
    with store() as session:
        return list(
            session.scalars(
                select(PlanJob).where(PlanJob.parent_id == whatif_id).order_by(PlanJob.part)
            )
        )


def run_part(store: sessionmaker[Session], claim: Claim) -> bool:
    """What a worker does with a part it claimed (its computation in this process)."""
    prepared = prepare(store, claim)
    outcome = compute(prepared.computation, PARAMS, lambda _: None)
    return finish(store, claim, outcome, recorder(claim, prepared, PARAMS))


def claims(store: sessionmaker[Session], count: int, queue: str = "small") -> list[Claim]:
    taken = [claim_next(store, queue, f"w{n}", TIMEOUT) for n in range(count)]
    assert all(taken)
    return [c for c in taken if c is not None]


def test_the_last_part_assembles_what_one_process_computes(store: sessionmaker[Session]) -> None:
    document = whatif()
    job = submitted(store, SETTINGS, tenant(store), document, "whatif")
    parts = parts_of(store, job.id)
    assert [(p.kind, p.part, p.queue) for p in parts] == [
        ("variant", 0, "small"),
        ("variant", 1, "small"),
        ("variant", 2, "small"),
    ]
    assert claim_next(store, "parts", "w", TIMEOUT) is None  # the what-if itself: nobody's
    first, second, third = claims(store, 3)  # three workers at once
    assert status(store, job.id).status == "running"
    assert run_part(store, third)
    assert status(store, job.id).progress == "1 of 3 variants planned"
    assert run_part(store, first)
    assert status(store, job.id).status == "running"
    assert run_part(store, second)
    done = status(store, job.id)
    assert done.status == "done" and done.finished_at is not None
    _, summaries = plan_variants(variant_problems_from_data(document), PARAMS, lambda _: None)
    assert done.plan["variants"] == ["base", "biweekly", "short"]
    assert done.plan["rows"] == [
        {"figure": f, "values": values} for f, values in comparison_rows(summaries)
    ]
    differs = next(r for r in done.plan["rows"] if r["figure"] == "differs from base")
    assert differs["values"][0] == "-" and differs["values"][2] != "0"


def test_a_failed_part_fails_the_what_if_and_its_waiting_siblings(
    store: sessionmaker[Session],
) -> None:
    document = whatif()
    job = submitted(store, SETTINGS, tenant(store), document, "whatif")
    (first,) = claims(store, 1)
    assert finish(
        store,
        first,
        {"status": "failed", "error": {"title": "Job stopped", "detail": "killed at 4,000 MB"}},
        recorder(first, Prepared(Computation("variant", document)), PARAMS),
    )
    failed = status(store, job.id)
    assert failed.status == "failed"
    assert failed.error == {"title": "Job stopped", "detail": "killed at 4,000 MB", "part": 0}
    assert [p.status for p in parts_of(store, job.id)] == ["failed", "failed", "failed"]
    assert claim_next(store, "small", "w", TIMEOUT) is None  # nothing left to plan


def test_a_part_taken_twice_is_recorded_once_and_the_what_if_counts_once(
    store: sessionmaker[Session],
) -> None:
    owner = tenant(store)
    document = whatif()
    job = submitted(store, SETTINGS, owner, document, "whatif")
    submitted(store, SETTINGS, owner, document, "whatif")  # 2 what-ifs, 6 parts: within a cap of 2
    stalled = claims(store, 1)[0]
    with store() as session:  # its worker died: its heartbeat stopped long ago
        part = session.get_one(PlanJob, stalled.job_id)
        part.heartbeat_at = part.heartbeat_at.replace(year=2000)  # type: ignore[union-attr]
        session.commit()
    taker = claim_next(store, "small", "w-new", TIMEOUT)
    assert taker is not None and taker.job_id == stalled.job_id
    assert run_part(store, taker)
    assert not run_part(store, stalled)  # its claim is gone: nothing written
    assert status(store, job.id).progress == "1 of 3 variants planned"


def test_a_large_plan_in_parts_is_the_plan_one_process_makes(
    store: sessionmaker[Session],
) -> None:
    settings = ServiceSettings(large_job_starts=0, plan_parts=2)  # every plan is large
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor("m1"), executive("e1"), executive("e2"), mentor("m2"), executive("e3")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e3"), pair("p3", "m1", "e2")],
    )
    job = submitted(store, settings, tenant(store), document)
    assert [(p.kind, p.queue) for p in parts_of(store, job.id)] == [("groups", "large")] * 2
    second, first = reversed(claims(store, 2, "large"))
    assert run_part(store, second)
    assert status(store, job.id).progress == "1 of 2 parts planned"
    assert run_part(store, first)
    done = status(store, job.id)
    assert done.status == "done", done.error
    problem = problem_from_data(document)
    alone = plan_to_dict(problem, solve(problem, PARAMS))
    assert timeless(done.plan) == timeless(alone)
    assert len(done.plan["sessions"]) == 9


def test_a_programme_plan_in_parts_made_from_an_old_version_is_made_again(
    store: sessionmaker[Session],
) -> None:
    """Another plan was recorded while the parts ran: the assembled plan is not recorded;
    the job goes back to its queue whole and its parts are dropped."""
    settings = ServiceSettings(large_job_starts=0, plan_parts=2)
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 2},
        people=[mentor("m1"), executive("e1"), mentor("m2"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m2", "e2")],
    )
    owner = tenant(store)
    with store() as session:
        programme = programmes.create(session, settings, owner, document)
        job = programmes.plan(session, settings, owner, programme.id)
    (whole,) = claims(store, 1, "large")
    prepared = prepare(store, whole)
    assert prepared.basis is not None and whole.job_id == job.id
    assert spread(store, whole, prepared.computation.document, prepared.basis.data(), 2)
    stop_heartbeat(store, job.id)  # spread: its own heartbeat stopped, its parts run
    first, second = claims(store, 2, "large")  # the parts, not the job
    assert {first.kind, second.kind} == {"groups"}
    assert claim_next(store, "large", "w3", TIMEOUT) is None  # never the job itself
    with store() as session:  # not even by a worker that listed it before it was spread
        assert job.id not in session.scalars(select(PlanJob.id).where(takeable(TIMEOUT))).all()
    with store() as session:  # meanwhile another plan of the programme is recorded
        session.get_one(Programme, programme.id).version = 5
        session.commit()
    assert run_part(store, first) and run_part(store, second)
    again = status(store, job.id)
    assert (again.status, again.queue, again.plan, again.basis) == ("queued", "large", None, None)
    assert parts_of(store, job.id) == []
    with store() as session:
        assert session.get_one(Programme, programme.id).plan is None  # nothing recorded


def test_a_part_taken_too_often_ends_failed_with_its_job(store: sessionmaker[Session]) -> None:
    """A part whose worker dies every time (or whose result never records) is not taken
    forever: after the most attempts it fails, its job with it, its waiting siblings too."""
    job = submitted(store, SETTINGS, tenant(store), whatif(), "whatif")
    doomed = parts_of(store, job.id)[0]
    for attempt in range(3):
        (claim,) = claims(store, 1)
        assert claim.job_id == doomed.id  # the oldest part, taken again and again
        stop_heartbeat(store, doomed.id)  # its worker died
        assert give_up_retried(store, TIMEOUT, max_attempts=3) == (1 if attempt == 2 else 0)
    assert status(store, doomed.id).status == "failed"
    failed = status(store, job.id)
    assert failed.status == "failed" and "taken 3 times" in failed.error["detail"]  # type: ignore[index]
    assert [p.status for p in parts_of(store, job.id)] == ["failed"] * 3
    assert claim_next(store, "small", "w", TIMEOUT) is None
