"""How large a matching is, from the scenario alone, before any calendar is read: so that
a pool no machine could match is refused with its cause, not run out of memory.

The work is comparing, for each executive, their start cells with every mentor's; its
upper bound counts each executive's working cells over the horizon (busy time only lowers
it). The memory is every mentor's start cells over the grid, and a bounded chunk of
comparisons (`calendar_fit.fit_megabytes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler import scenario as doc
from scheduler.errors import FieldError, ScenarioError
from scheduler.matching.calendar_fit import fit_megabytes
from scheduler.problem import horizon_end_day
from scheduler.time_notation import weekly_working_minutes


@dataclass(frozen=True)
class MatchSize:
    comparisons: int  # executive start cells x mentors, summed over the executives
    candidates: int  # executives x mentors: each would-be pair is scored in Python
    megabytes: int
    causes: str


def match_size(scenario: doc.Scenario) -> MatchSize:
    paired = {pair.mentee for pair in scenario.pairs}
    executives = [p for p in scenario.people if p.role == "executive" and p.id not in paired]
    mentors = sum(1 for p in scenario.people if p.role == "mentor")
    grid = scenario.grid_minutes
    days = (horizon_end_day(scenario.horizon) - scenario.horizon.start).days
    weeks = days / 7
    cells = -(-(days * 24 * 60) // grid)
    weekly = [weekly_working_minutes(p.working_hours) // grid for p in executives]
    comparisons = int(sum(weekly) * weeks) * mentors
    causes = [f"{len(executives):,} executives to match x {mentors:,} mentors"]
    if grid < 15:
        causes.append(f"a {grid}-minute grid (grid_minutes)")
    if weeks > 26:
        causes.append(f"a {weeks:.0f}-week horizon")
    if weekly and max(weekly) * grid / 60 / 7 > 12:
        causes.append("working hours over 12 h a day")
    candidates = len(executives) * mentors
    return MatchSize(comparisons, candidates, fit_megabytes(mentors, cells), "; ".join(causes))


def check_match_memory(scenario: doc.Scenario, budget_mb: int) -> MatchSize:
    """The size, or a ScenarioError naming its causes when its memory passes the budget."""
    size = match_size(scenario)
    if size.megabytes > budget_mb:
        raise ScenarioError(
            [
                FieldError(
                    "matching",
                    f"about {size.megabytes:,} MB to measure calendar fit, past the memory "
                    f"budget of {budget_mb:,} MB; cause: {size.causes}",
                )
            ]
        )
    return size
