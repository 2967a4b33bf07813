"""A what-if spread over the workers: one job per variant (its parts), and the what-if's own
row, which no worker claims, waiting for them.

The parts are ordinary jobs in the small or large queue (claimed fairly, kept by heartbeat,
recorded once). The part that finishes last assembles the comparison into the what-if's
row in its own finishing transaction, under a lock of that row: two parts finishing at
once cannot both assemble, and a part taken twice records once. A part that fails fails
the what-if, and its siblings that have not started are not planned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.storage.models import PlanJob
from api.work.claims import now
from scheduler.comparison import VariantSummary, comparison_rows
from scheduler.diff import diff_plans
from scheduler.plan_format import session_starts

SUMMARY = TypeAdapter(VariantSummary)


def part_result(name: str, plan: dict[str, Any], summary: VariantSummary) -> dict[str, Any]:
    """What a part's job records: its variant's name, plan and figures (as JSON data)."""
    return {"name": name, "plan": plan, "summary": SUMMARY.dump_python(summary, mode="json")}


def record_part(session: Session, part: PlanJob, outcome: dict[str, Any]) -> None:
    """After `part` ended (written in this transaction): settle the what-if when this was
    the last part, or when it failed."""
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
        parent.progress = f"{len(done)} of {len(parts)} variants planned"
        return
    parent.plan = assemble([p.plan or {} for p in parts])
    parent.status, parent.progress, parent.finished_at = "done", "done", now()


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
        "plans": {result["name"]: result["plan"] for result in results},
    }


def _fail(session: Session, parent: PlanJob, part: PlanJob, error: dict[str, Any]) -> None:
    parent.status, parent.progress, parent.finished_at = "failed", "failed", now()
    parent.error = {**error, "variant": part.part, "title": error.get("title", "Job stopped")}
    session.execute(
        update(PlanJob)
        .where(PlanJob.parent_id == parent.id, PlanJob.status == "queued")
        .values(
            status="failed",
            progress="failed",
            finished_at=now(),
            error={"title": "Not planned", "detail": "another variant of the what-if failed"},
        )
    )
