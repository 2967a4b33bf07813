"""What a job computes, in its own process: a plan, a re-plan from the last plan, or a
what-if comparison. Pure: a `Computation` in, an outcome out (`{"status": "done", "plan":
...}` or a failure with the scenario's field errors); the database is the worker's
business."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from api.problems import field_errors
from connectors.scenarios import problem_from_data, variant_problems_from_data
from scheduler.comparison import comparison_rows
from scheduler.errors import ScenarioError
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_from_dict, plan_to_dict
from scheduler.replan import replan_from_plan
from scheduler.solve import solve
from scheduler.variants import plan_variants

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Computation:
    """`document` is the scenario (with `current` and `now` for a programme's re-plan); a
    "replan" also has the last plan and the people whose calendars changed since."""

    kind: Literal["plan", "replan", "whatif"]
    document: dict[str, Any]
    previous_plan: dict[str, Any] | None = None
    changed_people: tuple[str, ...] = ()


def compute(job: Computation, params: SolverParameters, progress: Progress) -> dict[str, Any]:
    try:
        if job.kind == "whatif":
            return {"status": "done", "plan": compare(job.document, params, progress)}
        if job.kind == "replan":
            return {"status": "done", "plan": replan(job, params)}
        return {"status": "done", "plan": plan(job.document, params, progress)}
    except ScenarioError as invalid:
        return failed("Invalid scenario", errors=field_errors(invalid.errors))


def failed(title: str, **extra: Any) -> dict[str, Any]:
    return {"status": "failed", "error": {"title": title, **extra}}


def plan(document: dict[str, Any], params: SolverParameters, progress: Progress) -> Any:
    problem = problem_from_data(document)
    return plan_to_dict(problem, solve(problem, params, progress=progress))


def replan(job: Computation, params: SolverParameters) -> Any:
    """Only the groups of the changed people and of the declined or cancelled sessions are
    planned again; every other session keeps its start and its reason."""
    problem = problem_from_data(job.document)
    previous = plan_from_dict(problem, job.previous_plan, "the programme's last plan")
    return plan_to_dict(problem, replan_from_plan(problem, previous, job.changed_people, params))


def compare(document: dict[str, Any], params: SolverParameters, progress: Progress) -> Any:
    """Plan the base and every variation; the comparison and each variant's plan."""
    results, summaries = plan_variants(variant_problems_from_data(document), params, progress)
    return {
        "variants": [s.name for s in summaries],
        "rows": [{"figure": f, "values": values} for f, values in comparison_rows(summaries)],
        "plans": {name: plan_to_dict(problem, plan) for name, problem, plan in results},
    }
