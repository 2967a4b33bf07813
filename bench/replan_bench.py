"""Re-planning benchmark: on the 1,000-pair programme, one executive gets a new busy
block over one booked session; the programme is re-planned from the earlier plan.

    python -m bench.replan_bench [--pairs 1000]

Prints the seconds of the incremental re-plan (the service's path: the last plan's state in
memory, told whose calendar changed) and of a full re-plan from scratch (the command
line's path), how many sessions moved, and whether exactly the hit session moved.
"""

from __future__ import annotations

import argparse
import time
from copy import deepcopy
from pathlib import Path

from bench.programme import generate_programme
from connectors.documents import Document
from connectors.scenarios import problem_from_document
from scheduler.parameters import SolverParameters
from scheduler.plan_format import instant_text
from scheduler.replan import plan_with_state, replan
from scheduler.solve import solve
from scheduler.validation import check_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000)
    args = parser.parse_args()
    document = generate_programme(args.pairs)
    problem = problem_from_document(Document(document, "bench"), Path("."), "bench")
    first, state = plan_with_state(problem, SolverParameters(time_limit_seconds=30))
    hit = sorted(first.sessions, key=lambda s: (s.mentee, s.start))[len(first.sessions) // 2]
    changed = deepcopy(document)
    executive = next(p for p in changed["people"] if p["id"] == hit.mentee)
    executive.setdefault("busy", []).append(
        {"start": instant_text(hit.start), "end": instant_text(hit.end)}
    )
    changed["now"] = "2027-01-01T09:00:00"
    changed["current"] = [
        {"pair": s.pair, "index": s.index, "start": instant_text(s.start)} for s in first.sessions
    ]
    began = time.monotonic()
    replanned_problem = problem_from_document(Document(changed, "bench"), Path("."), "bench")
    load = time.monotonic() - began
    began = time.monotonic()
    quick, _ = replan(
        state, replanned_problem, {hit.mentee}, SolverParameters(time_limit_seconds=30)
    )
    quick_seconds = time.monotonic() - began
    quick_moved = [s.key for s in quick.sessions if s.moved]
    quick_check = check_plan(replanned_problem, quick.sessions)
    print(
        f"incremental re-plan: {quick_seconds:.3f} s; moved {quick_moved}; "
        f"exactly the hit session: {quick_moved == [hit.key]}; placed {len(quick.sessions)}; "
        f"violations {len(quick_check.violations)}"
    )
    began = time.monotonic()
    again = solve(replanned_problem, SolverParameters(time_limit_seconds=30))
    seconds = time.monotonic() - began
    moved = [s.key for s in again.sessions if s.moved]
    check = check_plan(replanned_problem, again.sessions)
    print(f"pairs {args.pairs}, placed {len(first.sessions)}; hit {hit.pair}#{hit.index}")
    print(f"full re-plan: {seconds:.2f} s, phases {again.solver.timings}; loading: {load:.1f} s")
    print(
        f"sessions moved: {len(moved)} {moved[:5]}; exactly the hit session: {moved == [hit.key]}"
    )
    print(
        f"placed before {len(first.sessions)}, after {len(again.sessions)}; "
        f"violations {len(check.violations)}; {'; '.join(again.solver.notes)}"
    )


if __name__ == "__main__":
    main()
