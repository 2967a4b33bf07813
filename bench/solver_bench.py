"""Benchmark of the planner on synthetic programmes (12 weeks, mostly weekly pairs,
executives about 75% busy, mentors about 50%).

    python -m bench.solver_bench                 # 100, 1,000 and 3,000 pairs
    python -m bench.solver_bench 1000 --time-limit 30

Each size runs in a process of its own, so that its peak memory is its own. Printed per
size: build seconds (calendars, validation, problem), candidate seconds, seconds until
the placement is proven, total solve seconds, sessions required, placed by the greedy and
by the optimiser, the proven bound, the ratios optimiser/greedy and optimiser/bound, the
share of pairs that mostly keep one weekly slot, and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.programme import generate_programme
from connectors.documents import Document
from connectors.scenarios import problem_from_document
from scheduler.metrics import plan_metrics
from scheduler.parameters import SolverParameters
from scheduler.solve import solve
from scheduler.validation import validate_plan

DEFAULT_SIZES = (100, 1000, 3000)
TIME_LIMITS = {100: 30.0, 1000: 30.0, 3000: 60.0}  # the goals of issue 2


def measure(pairs: int, time_limit: float, weeks: int, processes: int) -> dict[str, Any]:
    document = generate_programme(pairs, weeks=weeks)
    began = time.monotonic()
    problem = problem_from_document(Document(document, "bench"), Path("."), "bench")
    build = time.monotonic() - began
    params = SolverParameters(time_limit_seconds=time_limit, processes=processes)
    plan = solve(problem, params)
    violations = validate_plan(problem, plan.sessions)
    metrics = plan_metrics(problem, plan)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    solver = plan.solver
    return {
        "pairs": pairs,
        "sessions": metrics.required,
        "build_s": round(build, 1),
        "candidates_s": solver.timings.get("candidates"),
        "placement_s": solver.timings.get("placement"),
        "solve_s": solver.seconds,
        "status": solver.status,
        "greedy": solver.greedy_placed,
        "placed": metrics.placed,
        "bound": solver.placed_bound,
        "stable_pairs": round(metrics.stable_slot_share, 3),
        "usual_slot": round(metrics.usual_slot_share, 3),
        "peak_mb": max(own, children) // 1024,
        "violations": len(violations),
        "soft_penalty": solver.soft_penalty,
        "notes": list(solver.notes),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    header = (
        "pairs",
        "sessions",
        "build s",
        "cand s",
        "proof s",
        "solve s",
        "status",
        "greedy",
        "placed",
        "bound",
        "opt/greedy",
        "opt/bound",
        "stable",
        "peak MB",
        "violations",
    )
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for r in rows:
        ratio_greedy = r["placed"] / r["greedy"] if r["greedy"] else float("nan")
        ratio_bound = r["placed"] / r["bound"] if r["bound"] else float("nan")
        lines.append(
            " | ".join(
                str(x)
                for x in (
                    r["pairs"],
                    r["sessions"],
                    r["build_s"],
                    r["candidates_s"],
                    r["placement_s"],
                    r["solve_s"],
                    r["status"],
                    r["greedy"],
                    r["placed"],
                    r["bound"],
                    f"{ratio_greedy:.4f}",
                    f"{ratio_bound:.4f}",
                    f"{r['stable_pairs']:.1%}",
                    r["peak_mb"],
                    r["violations"],
                )
            )
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument("--time-limit", type=float, help="seconds per size (default: the goals)")
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        (size,) = args.sizes
        limit = args.time_limit or TIME_LIMITS.get(size, 60.0)
        print(json.dumps(measure(size, limit, args.weeks, args.processes)))
        return
    rows = []
    for size in args.sizes:
        command = [
            sys.executable,
            "-m",
            "bench.solver_bench",
            "--one",
            str(size),
            "--weeks",
            str(args.weeks),
            "--processes",
            str(args.processes),
        ]
        if args.time_limit:
            command += ["--time-limit", str(args.time_limit)]
        finished = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(finished.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(_table(rows))


if __name__ == "__main__":
    main()
