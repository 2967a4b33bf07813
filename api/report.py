"""Plain-text summaries for the command line."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from scheduler.comparison import VariantSummary, comparison_rows
from scheduler.diff import PlanDiff
from scheduler.matching.match import MatchResult
from scheduler.validation import Violation


def print_input_warnings(warnings: Iterable[str]) -> None:
    """What the readers skipped in the inputs (parts of calendar files), on stderr: the
    output stays the plan's, and a planner sees each warning once."""
    for warning in dict.fromkeys(warnings):
        print(f"warning: {warning}", file=sys.stderr)


def print_match_summary(match: dict[str, Any]) -> None:
    """Every pair formed with why this mentor; every executive left without one, with
    the rules that refused each candidate, counted."""
    how = (
        "proven optimal: as many executives as any matching can, then the best fit"
        if match["proven_optimal"]
        else "greedy, best mentor first: not optimal"
    )
    wanting = match["matched"] + match["unmatched"]
    print(f"Matching: {match['matched']} of {wanting} executives matched ({how})")
    if match["fixed"]:
        print(f"  {match['fixed']} pairs the planner fixed are kept as they are")
    if match["pairs"]:
        print(f"  average calendar fit {match['average_calendar_fit']:.0%} of periods")
    for pair in match["pairs"]:
        print(f"  {pair['executive']} with {pair['mentor']} ({pair['pair']}): {pair['reason']}")
    for left in match["executives_unmatched"]:
        print(f"  {left['executive']}: no mentor; {left['reason']}")
    print()


def print_match_comparison(results: list[tuple[str, MatchResult]]) -> None:
    """Each variant's matching in one line: executives matched, and those left."""
    print("Matching, per variant:")
    for name, result in results:
        left = ", ".join(u.executive for u in result.unmatched) or "none"
        wanting = len(result.pairs) + len(result.unmatched)
        print(
            f"  {name}: {len(result.pairs)} of {wanting} executives matched, average "
            f"calendar fit {result.average_calendar_fit:.0%}; left without a mentor: {left}"
        )
    print()


def print_plan_summary(plan: dict[str, Any]) -> None:
    metrics, solver = plan["metrics"], plan["solver"]
    print(f"Plan: {plan['scenario']}")
    print(
        f"  sessions: {metrics['placed']} of {metrics['required']} placed "
        f"({metrics['placed_share']:.1%}); pairs on cadence {metrics['cadence_adherence']:.1%}; "
        f"stable weekly slot {metrics['stable_slot_share']:.1%}"
    )
    for priority, counts in metrics["placed_by_priority"].items():
        print(f"    {priority} priority: {counts['placed']} of {counts['required']}")
    print("  " + _solver_line(solver))
    for note in solver["notes"]:
        print(f"    note: {note}")
    _print_check_ins(plan["sessions"], plan["unplaced"])
    _print_load(plan["load"])
    _print_moves(plan["sessions"])
    for warning in plan["warnings"]:
        print(f"  warning (inside the notice window, handle by hand): {warning}")
    _print_unplaced(plan["unplaced"])


def _solver_line(solver: dict[str, Any]) -> str:
    line = f"solver: {solver['name']} {solver['status']} in {solver['seconds']:.1f} s"
    if solver["placed_bound"] is not None:
        line += f"; bound {solver['placed_bound']} sessions"
    if solver["gap"] is not None:
        line += f"; gap {solver['gap']:.2%}"
    if solver["greedy_placed"] is not None and solver["name"] != "greedy":
        line += f"; greedy baseline {solver['greedy_placed']}"
    if solver.get("soft_gap") is not None:
        line += (
            f"; soft goals {solver['soft_penalty']} (gap {solver['soft_gap']:.2%} to their bound)"
        )
    return line


def _print_check_ins(sessions: list[dict[str, Any]], unplaced: list[dict[str, Any]]) -> None:
    """The supervision check-ins placed and unplaced, and how many each coach holds."""
    placed = [s for s in sessions if s.get("kind") == "supervision"]
    missed = [u for u in unplaced if u.get("kind") == "supervision"]
    if not placed and not missed:
        return
    per_coach = Counter(s["mentor"] for s in placed)
    coaches = ", ".join(f"{coach} {count}" for coach, count in sorted(per_coach.items()))
    print(
        f"  supervision check-ins: {len(placed)} of {len(placed) + len(missed)} placed, "
        f"{len(missed)} unplaced; per coach: {coaches or 'none'}"
    )


LOAD_ROLES = (("executive", "executives"), ("mentor", "mentors"), ("coach", "coaches"))


def _print_load(load: list[dict[str, Any]]) -> None:
    for role, group in LOAD_ROLES:
        people = [p for p in load if p["role"] == role]
        if not people:
            continue
        hours = [p["hours"] for p in people]
        busiest = max(people, key=lambda p: (p["hours"], p["person"]))
        print(
            f"  {group}: {len(people)}, session hours min {min(hours):g} / "
            f"mean {sum(hours) / len(hours):.1f} / max {max(hours):g} ({busiest['person']}), "
            f"busiest week {max(p['busiest_week'] for p in people)} sessions"
        )


def _print_moves(sessions: list[dict[str, Any]], shown: int = 25) -> None:
    moved = [s for s in sessions if s["moved"]]
    if not any("moves" in s and s["moves"] for s in sessions) and not moved:
        return
    print(f"  moved sessions: {len(moved)}")
    for session in moved[:shown]:
        print(
            f"    {session['pair']}#{session['index']} to {session['start']}: "
            f"{session.get('moved_because', '')}"
        )


def _print_unplaced(unplaced: list[dict[str, Any]], shown: int = 25) -> None:
    if not unplaced:
        print("  every session is placed")
        return
    print(f"  unplaced sessions: {len(unplaced)}")
    for item in unplaced[:shown]:
        print(f"    {item['pair']}#{item['index']}: {item['reason']}")
    if len(unplaced) > shown:
        print(f"    ... and {len(unplaced) - shown} more (all listed in the plan file)")


def print_violations(violations: list[Violation], sessions: int) -> None:
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} violation(s) in {sessions} sessions")
    else:
        print(f"valid: {sessions} sessions break no hard rule")


def print_diff(diff: PlanDiff) -> None:
    for (pair, index), start in diff.added:
        print(f"added   {pair}#{index} at {_utc(start)}")
    for (pair, index), start in diff.removed:
        print(f"removed {pair}#{index} from {_utc(start)}")
    for (pair, index), before, after in diff.moved:
        print(f"moved   {pair}#{index} from {_utc(before)} to {_utc(after)}")
    print(f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.moved)} moved")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def print_comparison(summaries: list[VariantSummary]) -> None:
    """One column per variant, one row per figure."""
    rows = comparison_rows(summaries)
    names = [v.name for v in summaries]
    label_width = max(len(label) for label, _ in rows)
    widths = [
        max(len(name), *(len(values[i]) for _, values in rows)) for i, name in enumerate(names)
    ]
    print(
        " " * label_width + "  " + "  ".join(n.rjust(w) for n, w in zip(names, widths, strict=True))
    )
    for label, values in rows:
        cells = "  ".join(value.rjust(w) for value, w in zip(values, widths, strict=True))
        print(f"{label.ljust(label_width)}  {cells}")
