"""Solver settings as data: time limit, processes, seed, and the weights of the soft goals."""

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
    late_in_period: int = 1  # per quarter hour a session starts after its period starts


@dataclass(frozen=True)
class SolverParameters:
    solver: SolverName = "cpsat"
    time_limit_seconds: float = 60.0
    processes: int = 2  # solver processes, one search thread each
    seed: int = 0
    # Share of each solve's time for placing the most sessions; the rest polishes soft goals.
    placement_share: float = 0.6
    weights: SoftWeights = field(default_factory=SoftWeights)
    log_search: bool = False
