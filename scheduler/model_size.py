"""How large a group's model will be, known before it is built, and what makes it large.

The model holds one Boolean per candidate start, and for each person one "at most one"
over every maximal set of overlapping candidates (a clique). A clique constraint lists
every candidate overlapping a moment, so its literals grow with the candidates times
their length in cells: a fine grid, a long horizon and all-day working hours multiply
each other. Both counts are known from the candidates alone; the memory estimate uses
costs measured on CP-SAT models of this shape (bench/model_memory.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.domain import Problem, SessionRequest
from scheduler.grouping import OfAPair

# Measured (bench/model_memory.py): bytes of peak memory per candidate (its Boolean, its
# facts, its terms in caps, gaps and soft goals, presolve copies) and per clique literal.
BYTES_PER_CANDIDATE = 2_500
BYTES_PER_CLIQUE_LITERAL = 60
BASE_MEGABYTES = 5.0
# Per candidate start, the facts candidates keep (9 columns of 8 bytes, and slack), whether
# or not a model is built: their own upper bound is checked before they are computed.
BYTES_PER_CANDIDATE_FACTS = 100
# Measured: building a model in Python takes about 20 us per candidate (variables, rules,
# soft goals); the estimate keeps a margin.
SECONDS_PER_CANDIDATE = 30e-6


@dataclass(frozen=True)
class ModelSize:
    sessions: int
    candidates: int
    clique_literals: int  # an upper bound

    @property
    def build_seconds(self) -> float:
        return self.candidates * SECONDS_PER_CANDIDATE

    @property
    def megabytes(self) -> float:
        total = self.candidates * BYTES_PER_CANDIDATE
        total += self.clique_literals * BYTES_PER_CLIQUE_LITERAL
        return BASE_MEGABYTES + total / 1e6


def estimate_model(data: CandidateSet, sessions: Sequence[SessionCandidates]) -> ModelSize:
    """Every clique a sweep emits sits at a distinct cell and holds the candidates covering
    it, so a person's literals are at most the cells their candidates cover, summed."""
    literals = 0
    for session in sessions:
        for person in dict.fromkeys(session.pair.people):
            literals += len(session) * (session.length + data.padding_cells[person])
    return ModelSize(len(sessions), sum(len(s) for s in sessions), literals)


def candidate_megabytes(requests: Sequence[SessionRequest], grid_minutes: int) -> float:
    """At most what a group's candidate starts take: every grid start of every period."""
    cells = sum(
        max(0, int((r.period.end - r.period.start).total_seconds()) // (60 * grid_minutes))
        for r in requests
    )
    return cells * BYTES_PER_CANDIDATE_FACTS / 1e6


def size_causes(problem: Problem, sessions: Sequence[OfAPair]) -> str:
    """What in the scenario makes a group's model large, in the scenario's own terms."""
    causes = []
    if problem.grid_minutes < 15:
        causes.append(f"a {problem.grid_minutes}-minute grid (grid_minutes)")
    weeks = (problem.horizon_end_day - problem.horizon_first_day).days / 7
    if weeks > 26:
        causes.append(f"a {weeks:.0f}-week horizon")
    people = sorted({p for s in sessions for p in s.pair.people})
    long_days = [p for p in people if _longest_day_hours(problem, p) > 12]
    if long_days:
        causes.append(f"working hours over 12 h a day ({', '.join(long_days[:5])})")
    pairs = {s.pair.id: s.pair for s in sessions}
    pairs_of = Counter(p for pair_id in sorted(pairs) for p in pairs[pair_id].people)
    # The most pairs, then the first id: a note in the plan must not depend on hashing.
    busiest, count = min(pairs_of.items(), key=lambda kv: (-kv[1], kv[0]), default=("", 0))
    if count > 5:
        causes.append(f"{count} pairs sharing {busiest}")
    return "; ".join(causes) or "many sessions with many free starts each"


def _longest_day_hours(problem: Problem, person_id: str) -> float:
    hours = problem.people[person_id].working_hours
    return max((sum(end - start for start, end in day) / 60 for day in hours.values()), default=0)
