"""What a job computes, in its own process: a plan, or a what-if comparison. Pure: a
document in, an outcome out (`{"status": "done", "plan": ...}` or a failure with the
scenario's field errors); the database is the worker's business."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from api.problems import field_errors
from connectors.scenarios import problem_from_data, variant_problems_from_data
from scheduler.comparison import comparison_rows
from scheduler.errors import ScenarioError
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_to_dict
from scheduler.solve import solve
from scheduler.variants import plan_variants

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def compute(
    kind: str, document: dict[str, Any], params: SolverParameters, progress: Progress
) -> dict[str, Any]:
    try:
        if kind == "whatif":
            return {"status": "done", "plan": compare(document, params, progress)}
        return {"status": "done", "plan": plan(document, params, progress)}
    except ScenarioError as invalid:
        return failed("Invalid scenario", errors=field_errors(invalid.errors))


def failed(title: str, **extra: Any) -> dict[str, Any]:
    return {"status": "failed", "error": {"title": title, **extra}}


def plan(document: dict[str, Any], params: SolverParameters, progress: Progress) -> Any:
    problem = problem_from_data(document)
    return plan_to_dict(problem, solve(problem, params, progress=progress))


def compare(document: dict[str, Any], params: SolverParameters, progress: Progress) -> Any:
    """Plan the base and every variation; the comparison and each variant's plan."""
    results, summaries = plan_variants(variant_problems_from_data(document), params, progress)
    return {
        "variants": [s.name for s in summaries],
        "rows": [{"figure": f, "values": values} for f, values in comparison_rows(summaries)],
        "plans": {name: plan_to_dict(problem, plan) for name, problem, plan in results},
    }
