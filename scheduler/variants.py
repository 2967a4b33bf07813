"""A what-if planned: every variant solved, each summarised against the base (the first)."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.comparison import VariantSummary, summarise
from scheduler.domain import Plan, Problem
from scheduler.parameters import SolverParameters
from scheduler.solve import Progress, solve

PlannedVariant = tuple[str, Problem, Plan]


def plan_variants(
    variants: Iterable[tuple[str, Problem]], params: SolverParameters, progress: Progress
) -> tuple[list[PlannedVariant], list[VariantSummary]]:
    results = []
    for name, problem in variants:
        progress(f"planning {name}")
        results.append((name, problem, solve(problem, params)))
    base = results[0][2]
    summaries = [
        summarise(name, problem, plan, None if plan is base else base)
        for name, problem, plan in results
    ]
    return results, summaries
