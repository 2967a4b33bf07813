"""Solver settings as data: time limit, processes, seed, budgets, and the soft weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SolverName = Literal["cpsat", "greedy"]


@dataclass(frozen=True)
class SoftWeights:
    """Cost of one unit of each soft goal, once every placeable session is placed."""

    # A week holds 672 quarter hours, so the weights above lateness outweigh any shift
    # inside a weekly period: a wish or a stable slot is worth a later start.
    preferred_time: int = 1000  # per session off the preferred weekdays, and per one off the hours
    tentative_time: int = 800  # per session over tentative time (rules.tentative: avoid)
    unstable_slot: int = 600  # per session off its pair's usual weekday and local time
    mentor_crowding: int = 300  # per extra session of a mentor on one day
    # A check-in with a coach (supervision), per quarter hour after its month starts, on
    # top of late_in_period: the month's check-in takes the earliest start it can, and a
    # mentoring session of the mentor yields it the slot they both want, so that the
    # check-in comes before the mentor's first session of the month where it can.
    late_check_in: int = 20
    late_in_period: int = 1  # per quarter hour a session starts after its period starts


@dataclass(frozen=True)
class SolverParameters:
    solver: SolverName = "cpsat"
    # A cap on wall-clock time for everything after reading the scenario (candidates,
    # models, solves, explanations, validation). Searches stop on deterministic measures
    # (proof, a stall, a work budget), so the limit is rarely reached; a plan it cuts says
    # so, and only such a plan may differ between runs of the same input and seed.
    time_limit_seconds: float = 60.0
    processes: int = 2  # solver processes, one search thread each; the plan is the same
    seed: int = 0
    # Memory one group's model may take (estimated before it is built); a group beyond it
    # keeps the greedy plan, with a note naming the cause. Per model, so the plan does not
    # depend on `processes`: with N processes up to N models are in memory at once.
    memory_budget_mb: int = 2048
    effort: float = 1.0  # scales every deterministic work budget of the searches
    weights: SoftWeights = field(default_factory=SoftWeights)
    # Tests: a safety net that would hide a broken model (the validator rejecting the
    # optimised plan, the model rejecting the greedy's) raises instead of falling back.
    strict: bool = False
    log_search: bool = False
