"""Exactly-once invitations under fire: `tandem invite` killed hard (SIGKILL) at random
points many times, over a plan of a few hundred sessions, then a re-plan that moves and
drops sessions, with Graph faults injected (503 after the create, dropped connections,
429) and Graph's own transactionId de-duplication on, then off.

    python -m bench.invite_chaos [--pairs 60] [--sessions 6] [--kills 40] [--seeds 2]

Prints, for each run: sessions, kills, runs, Graph requests, seconds, and the failures
counted at the end (duplicated, missing, misplaced and stray meetings, and invitations
beyond one per meeting). Every failure count must be 0.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import asdict
from pathlib import Path

from tests.graph_standin import running
from tests.invitations.chaos import ChaosFigures, check_calendars, invite_until_done, write_json
from tests.invitations.programmes import big_scenario, spread_plan

FAILURES = ("duplicates", "missing", "misplaced", "strays", "extra_invitations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=6)
    parser.add_argument("--kills", type=int, default=40, help="kills per phase")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    print(
        "| dedupe | seed | phase | sessions | kills | runs | requests | seconds | "
        + " | ".join(FAILURES)
        + " |"
    )
    print("|---" * (8 + len(FAILURES)) + "|")
    failed = 0
    for dedupe in (True, False):
        for seed in range(args.seeds):
            for phase, figures in run(args, dedupe, seed):
                failed += sum(getattr(figures, name) for name in FAILURES)
                row = asdict(figures)
                cells = [
                    "on" if dedupe else "off",
                    str(seed),
                    phase,
                    *(str(row[k]) for k in ("sessions", "kills", "runs", "requests")),
                    f"{figures.seconds:.1f}",
                    *(str(row[name]) for name in FAILURES),
                ]
                print("| " + " | ".join(cells) + " |", flush=True)
    print(f"\nfailures in total: {failed}")
    raise SystemExit(1 if failed else 0)


def run(args: argparse.Namespace, dedupe: bool, seed: int) -> list[tuple[str, ChaosFigures]]:
    raw = big_scenario(pairs=args.pairs, sessions=args.sessions, mentors=max(1, args.pairs // 2))
    first, moved = spread_plan(raw), spread_plan(raw, shift_minutes=30)
    moved["sessions"] = moved["sessions"][::2] + first["sessions"][1::2][: args.pairs]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        scenario = write_json(folder / "scenario.json", raw)
        environment = {"TANDEM_DATABASE_URL": f"sqlite:///{folder / 'state.db'}"}
        with running(folder) as (state, graph):
            state.transaction_dedupe = dedupe
            state.fault_rate = {"503-after-commit": 0.03, "reset-after-commit": 0.03, "429": 0.03}
            for phase, plan in (("first plan", first), ("re-plan", moved)):
                plan_file = write_json(folder / "plan.json", plan)
                figures = invite_until_done(
                    scenario, plan_file, {**environment, **graph}, state, args.kills, seed, 12
                )
                results.append((phase, check_calendars(state, plan, figures)))
    return results


if __name__ == "__main__":
    main()
