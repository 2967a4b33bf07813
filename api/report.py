"""Plain-text summaries for the command line."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler.comparison import VariantSummary, comparison_rows
from scheduler.diff import PlanDiff
from scheduler.validation import Violation

if TYPE_CHECKING:  # the matching loads OR-Tools' flows: only for the commands that match
    from scheduler.matching.match import MatchResult


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


DAYS_PER_MONTH = 365.25 / 12
SHOWN = 25  # lines of single sessions (unplaced, moved) before "... and N more"


def print_plan_summary(plan: dict[str, Any], horizon_days: int, plan_path: Path | None) -> None:
    """The plan in a planner's words, each figure defined in the README ("Reading the
    summary"); it ends with where to look next."""
    metrics = plan["metrics"]
    print(f"Plan: {plan['scenario']}")
    print(
        f"  Sessions placed: {_count(metrics['placed'])} of {_count(metrics['required'])} "
        f"({_share(metrics['placed_share'])})"
    )
    by_priority = [
        f"{priority} {_count(c['placed'])} of {_count(c['required'])}"
        for priority, c in metrics["placed_by_priority"].items()
    ]
    if len(by_priority) > 1:
        print(f"    by priority: {', '.join(by_priority)}")
    print(
        "  Pairs that meet in every period of their cadence: "
        f"{_share(metrics['cadence_adherence'])}"
    )
    print(
        "  Pairs that meet on the same weekday and time for most sessions: "
        f"{_share(metrics['stable_slot_share'])}"
    )
    _print_check_ins(plan["sessions"], plan["unplaced"])
    _print_load(plan["load"], horizon_days / DAYS_PER_MONTH)
    _print_moves(plan["sessions"])
    for warning in plan["warnings"]:
        print(f"  Warning (inside the notice window, handle by hand): {warning}")
    _print_unplaced(plan["unplaced"])
    print(f"  How it was found: {how_found(plan['solver'], metrics)}")
    for note in plan["solver"]["notes"]:
        print(f"    note: {note}")
    _print_next(plan_path)


def how_found(solver: dict[str, Any], metrics: dict[str, Any]) -> str:
    """The search in a planner's words: proven or not, what stood in, how long."""
    took = f"in {solver['seconds']:.1f} s"
    if solver["name"] == "greedy":
        return (
            f"each session booked at its earliest free slot, one at a time (--solver greedy) {took}"
        )
    groups, unchanged = solver["groups"], solver.get("unchanged_groups", 0)
    if groups and unchanged == groups:
        return (
            "re-plan: every booked session still fits and nothing new can be placed, so "
            f"nothing was searched again ({took})"
        )
    if metrics["placed"] == metrics["required"]:
        placement = "every session is placed"
    elif solver["status"] == "OPTIMAL":
        placement = "proven best: no plan can place more sessions (by priority)"
    elif solver["status"] == "NO_SOLUTION_IN_TIME":
        placement = (
            "the optimiser found no plan in time; this is the earliest-slot plan (a larger "
            "--time-limit may place more)"
        )
    else:
        placement = f"not proven best; {_could_place_more(solver, metrics)}"
    return f"{placement}; {_wishes(solver)} {took}"


def _could_place_more(solver: dict[str, Any], metrics: dict[str, Any]) -> str:
    bound = solver.get("placed_bound")
    if bound is not None and bound > metrics["placed"]:
        more = _count(bound - metrics["placed"])
        return f"at most {more} more could be placed (a larger --time-limit may find them)"
    return "a larger --time-limit may place more"


def _wishes(solver: dict[str, Any]) -> str:
    """The soft goals (preferred days and times, a steady slot, early starts)."""
    gap = solver.get("soft_gap")
    if gap is None:
        return "wishes (preferred times, a steady slot) met as well as the search could"
    if gap == 0:
        return "wishes (preferred times, a steady slot) met as well as any plan can (proven)"
    return f"wishes (preferred times, a steady slot) within {_share(gap)} of the best possible"


def _print_next(plan_path: Path | None) -> None:
    if plan_path is None:
        print(
            "\nNext: write the plan with --out PLAN.json, then see who meets whom, when: "
            "tandem agenda PLAN.json [--person ID] [--week YYYY-MM-DD]"
        )
        return
    print(f"\nplan written to {plan_path}")
    print(
        f"Next: see who meets whom, when: tandem agenda {plan_path} [--person ID] "
        "[--week YYYY-MM-DD] (--format csv for a spreadsheet, ics for calendars)"
    )


def _count(value: int) -> str:
    return f"{value:,}"


def _share(value: float) -> str:
    return f"{value:.1%}"


def _hours(value: float) -> str:
    return f"{value:.1f}"


def _print_check_ins(sessions: list[dict[str, Any]], unplaced: list[dict[str, Any]]) -> None:
    """The supervision check-ins placed and unplaced, and how many each coach holds."""
    placed = [s for s in sessions if s.get("kind") == "supervision"]
    missed = [u for u in unplaced if u.get("kind") == "supervision"]
    if not placed and not missed:
        return
    per_coach = Counter(s["mentor"] for s in placed)
    coaches = ", ".join(f"{coach} {_count(count)}" for coach, count in sorted(per_coach.items()))
    print(
        f"  Mentors' check-ins with a coach placed: {_count(len(placed))} of "
        f"{_count(len(placed) + len(missed))}; per coach: {coaches or 'none'}"
    )


LOAD_ROLES = (("executive", "Executives"), ("mentor", "Mentors"), ("coach", "Coaches"))


def _print_load(load: list[dict[str, Any]], months: float) -> None:
    """Hours in sessions per month and person, from the least to the most busy."""
    for role, group in LOAD_ROLES:
        people = [p for p in load if p["role"] == role]
        if not people:
            continue
        monthly = [p["hours"] / months for p in people]
        busiest = max(people, key=lambda p: (p["hours"], p["person"]))
        week = max(p["busiest_week"] for p in people)
        print(
            f"  {group} ({_count(len(people))}): {_hours(min(monthly))} to "
            f"{_hours(max(monthly))} hours of sessions per month each, "
            f"{_hours(sum(monthly) / len(monthly))} on average; the busiest is "
            f"{busiest['person']}; at most {week} session{'s' if week != 1 else ''} "
            "in any one week"
        )


def _print_moves(sessions: list[dict[str, Any]]) -> None:
    moved = [s for s in sessions if s["moved"]]
    if not any("moves" in s and s["moves"] for s in sessions) and not moved:
        return
    print(f"  Moved sessions: {_count(len(moved))}")
    for session in moved[:SHOWN]:
        print(
            f"    {session['pair']}#{session['index']} to {session['start']}: "
            f"{session.get('moved_because', '')}"
        )
    _print_more(len(moved))


def _print_unplaced(unplaced: list[dict[str, Any]]) -> None:
    """Rolled up by reason and by pair first, then each session (the first 25)."""
    if not unplaced:
        print("  Every session is placed.")
        return
    print(f"  Unplaced sessions: {_count(len(unplaced))}")
    reasons = Counter(_reason_name(u["code"]) for u in unplaced)
    print("    by reason: " + ", ".join(f"{name} {_count(n)}" for name, n in reasons.most_common()))
    pairs = Counter(u["pair"] for u in unplaced)
    rolled = [f"{pair} {_count(n)}" for pair, n in pairs.most_common(10)]
    more = f", and {_count(len(pairs) - 10)} more pairs" if len(pairs) > 10 else ""
    print(f"    by pair: {', '.join(rolled)}{more}")
    for item in unplaced[:SHOWN]:
        print(f"    {item['pair']}#{item['index']}: {item['reason']}")
    _print_more(len(unplaced))


def _print_more(total: int) -> None:
    if total > SHOWN:
        print(f"    ... and {_count(total - SHOWN)} more (all listed in the plan file)")


def _reason_name(code: str) -> str:
    """A reason's code in words: `no_common_free_time` -> `no common free time`."""
    return code.replace("_", " ")


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
