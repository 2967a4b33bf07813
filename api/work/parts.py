"""Jobs spread over the workers, in parts: a what-if (one part per variant) and a large
plan (one part per set of groups of people that share nobody, `scheduler.plan_parts`).
The job's own row, which no worker claims, waits for its parts.

The parts are ordinary jobs in the small or large queue (claimed fairly, kept by heartbeat,
recorded once). The part that finishes last assembles the result (the comparison, or the
plan) into the job's row in its own finishing transaction, under a lock of that row: two
parts finishing at once cannot both assemble, and a part taken twice records once. A part
that fails fails the job, and its siblings that have not started are not planned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import add_parts
from api.programmes import Basis, record_if_current
from api.storage.models import PlanJob, Programme
from api.work.claims import WAITING_QUEUE, Claim, as_utc, held_by, now, takeable
from connectors.scenarios import problem_from_data, with_suggestions_read
from scheduler.comparison import VariantSummary, comparison_figures, comparison_rows
from scheduler.diff import diff_plans
from scheduler.group_plans import GroupPlan
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict, session_starts
from scheduler.plan_parts import without_calendars
from scheduler.solve import assembled

SUMMARY = TypeAdapter(VariantSummary)
GROUP_PLANS = TypeAdapter(list[GroupPlan])


def part_result(name: str, plan: dict[str, Any], summary: VariantSummary) -> dict[str, Any]:
    """What a part's job records: its variant's name, plan and figures (as JSON data)."""
    return {"name": name, "plan": plan, "summary": SUMMARY.dump_python(summary, mode="json")}


def spread(
    sessions: sessionmaker[Session],
    claim: Claim,
    document: dict[str, Any],
    basis: dict[str, Any] | None,
    parts: int,
) -> bool:
    """Turn a claimed plan into a job in `parts` parts (large queue): the job keeps the
    document its parts plan (and, for a programme, what the plan is made from) and waits
    for them. False when the claim was lost meanwhile (nothing written)."""
    with sessions() as session:
        turned = session.execute(
            update(PlanJob)
            .where(held_by(claim))
            .values(
                queue=WAITING_QUEUE,
                scenario=document,
                basis=basis,
                claim_token=None,
                progress=f"planning in {parts} parts",
            )
        )
        if turned.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return False
        add_parts(session, session.get_one(PlanJob, claim.job_id), "groups", "large", parts)
        session.commit()
        return True


def groups_result(plans: list[GroupPlan]) -> dict[str, Any]:
    """What a part of a plan records: the plans of its groups (as JSON data)."""
    return {"groups": GROUP_PLANS.dump_python(plans, mode="json")}


def record_part(
    session: Session, part: PlanJob, outcome: dict[str, Any], params: SolverParameters
) -> None:
    """After `part` ended (written in this transaction): settle its job when this was the
    last part, or when it failed."""
    parent = session.scalar(select(PlanJob).where(PlanJob.id == part.parent_id).with_for_update())
    if parent is None or parent.status in ("done", "failed"):
        return  # settled already: another part failed
    if outcome["status"] != "done":
        _fail(session, parent, part, outcome.get("error") or {})
        return
    parts = session.scalars(
        select(PlanJob).where(PlanJob.parent_id == parent.id).order_by(PlanJob.part)
    ).all()
    done = [p for p in parts if p.status == "done"]
    if len(done) < len(parts):
        what = "variants" if parent.kind == "whatif" else "parts"
        parent.progress = f"{len(done)} of {len(parts)} {what} planned"
        return
    results = [p.plan or {} for p in parts]
    if parent.kind == "whatif":
        parent.plan = assemble(results)
    elif parent.programme_id is not None:
        if not _recorded_onto_programme(session, parent, assemble_plan(parent, results, params)):
            return
    else:
        parent.plan = assemble_plan(parent, results, params)
    parent.status, parent.progress, parent.finished_at = "done", "done", now()


def _recorded_onto_programme(session: Session, job: PlanJob, plan: dict[str, Any]) -> bool:
    """Record the assembled plan onto the programme version it was made from; when another
    plan was recorded meanwhile, the job goes back to its queue whole (to be made again
    from the new version) and its parts are dropped."""
    assert job.programme_id is not None and job.basis is not None
    if record_if_current(session, job.programme_id, plan, Basis.read(job.basis)):
        job.plan = plan
        return True
    session.execute(delete(PlanJob).where(PlanJob.parent_id == job.id))
    # made again from the new version: a re-plan from it, small work (else a whole plan)
    programme = session.get_one(Programme, job.programme_id)  # read by the check
    queue = "small" if programme.replans_incrementally else "large"
    job.status, job.queue, job.progress = "queued", queue, "queued"
    job.scenario = job.basis = job.dispatched_at = None
    return False


def assemble_plan(
    job: PlanJob, results: list[dict[str, Any]], params: SolverParameters
) -> dict[str, Any]:
    """The plan of the whole scenario from its parts' group plans, as one process makes
    it; the figures and local times come from the scenario without its calendars (all
    they need of it), read in a fraction of a full read."""
    skeleton = problem_from_data(without_calendars(job.scenario or {}))
    plans = [plan for result in results for plan in GROUP_PLANS.validate_python(result["groups"])]
    plans = with_suggestions_read(job.scenario or {}, skeleton, plans)
    wall = (now() - as_utc(job.started_at or job.created_at)).total_seconds()
    return plan_to_dict(skeleton, assembled(skeleton, plans, params, round(wall, 3)))


def assemble(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The comparison of the parts' results (the base first): each variant against the base,
    side by side, with each variant's plan; as one process planning them all gives it."""
    base = session_starts(results[0]["plan"])
    summaries = [SUMMARY.validate_python(result["summary"]) for result in results]
    summaries = [summaries[0]] + [
        replace(summary, differs_from_base=diff_plans(base, session_starts(result["plan"])).changes)
        for summary, result in zip(summaries[1:], results[1:], strict=True)
    ]
    return {
        "variants": [s.name for s in summaries],
        "rows": [{"figure": f, "values": values} for f, values in comparison_rows(summaries)],
        "figures": [
            {"figure": f, "unit": unit, "values": values}
            for f, unit, values in comparison_figures(summaries)
        ],
        "plans": {result["name"]: result["plan"] for result in results},
    }


def give_up_retried(
    sessions: sessionmaker[Session], timeout_seconds: float, max_attempts: int
) -> int:
    """Jobs taken `max_attempts` times without finishing (their worker died, or their
    result could not be recorded, each time) end failed, and with them the job they are a
    part of: taking them again would only repeat it. How many were given up."""
    with sessions() as session:
        given_up = session.scalars(
            select(PlanJob)
            .where(takeable(timeout_seconds), PlanJob.attempts >= max_attempts)
            .with_for_update()
        ).all()
        for job in given_up:
            error = {
                "title": "Job stopped",
                "detail": f"taken {job.attempts} times without finishing: its worker died, "
                "or its result could not be recorded, each time",
            }
            job.status, job.progress, job.finished_at = "failed", "failed", now()
            job.error, job.claim_token = error, None
            parent = session.get(PlanJob, job.parent_id) if job.parent_id else None
            if parent is not None and parent.status not in ("done", "failed"):
                _fail(session, parent, job, error)
        session.commit()
        return len(given_up)


def _fail(session: Session, parent: PlanJob, part: PlanJob, error: dict[str, Any]) -> None:
    parent.status, parent.progress, parent.finished_at = "failed", "failed", now()
    parent.error = {**error, "part": part.part, "title": error.get("title", "Job stopped")}
    session.execute(
        update(PlanJob)
        .where(PlanJob.parent_id == parent.id, PlanJob.status == "queued")
        .values(
            status="failed",
            progress="failed",
            finished_at=now(),
            error={"title": "Not planned", "detail": "another part of the job failed"},
        )
    )
