"""Matching at scale against the greedy "best mentor first" matcher (issue 13).

    python -m bench.match_bench                  # 500 executives x 2,000 mentor candidates
    python -m bench.match_bench 100 400          # another size

A synthetic pool (12 weeks; Paris, New York and Singapore; in Paris two executives in
five speak only French and one mentor in fourteen speaks it; executives about 75% busy,
mentors about 45%, synthetic calendars; languages, topics and levels, skills, capacities
1-2, departments and reporting lines through managers) is matched twice in one process:
by the optimal assignment and by the greedy. Printed: the pool, reading seconds, the
options' seconds (hard rules and calendar fit for every executive x mentor, shared by both
methods), each method's assignment seconds, executives matched, the average calendar fit
of the pairs formed (the share of their periods with a common start) and their average
quality, with the ratios optimal/greedy. The issue's goal: proven optimal within 30 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

from connectors.documents import Document
from connectors.scenarios import read_calendars, scenario_from_document
from scheduler.matching.assignment import assign, greedy_assign
from scheduler.matching.calendar_fit import CalendarFit
from scheduler.matching.match import pair_shape
from scheduler.matching.options import FULL_SCORE, Goal, options_of
from scheduler.matching.pool import pool_of
from scheduler.problem import build_problem

TOPICS = ["linkedin", "generative-ai", "collaboration-tools", "data-literacy", "video", "teams"]
ZONES = ["Europe/Paris", "America/New_York", "Asia/Singapore"]
DEPARTMENTS = ["sales", "finance", "operations", "marketing", "hr", "it"]


def pool_document(executives: int, mentors: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    people: list[dict[str, Any]] = []
    for number in range(executives):
        zone = ZONES[number % len(ZONES)]
        # In Paris, two executives in five speak only French.
        languages = ["fr"] if zone == "Europe/Paris" and rng.random() < 0.4 else ["en"]
        people.append(
            {
                "id": f"e{number}",
                "role": "executive",
                "timezone": zone,
                "level": rng.choice(["discover", "develop", "exploit"]),
                "topics": rng.sample(TOPICS, rng.randint(1, 3)),
                "languages": languages,
                "department": rng.choice(DEPARTMENTS),
                "reports_to": "ceo" if number < 20 else f"e{rng.randrange(20)}",
                "calendar": {"generate": {"density": rng.choice([0.7, 0.75, 0.8]), "seed": number}},
            }
        )
    for number in range(mentors):
        zone = ZONES[number % len(ZONES)]
        # French speakers are scarce among the mentors: a matching must keep them for
        # the executives who need them.
        languages = ["fr", "en"] if zone == "Europe/Paris" and rng.random() < 0.07 else ["en"]
        people.append(
            {
                "id": f"m{number}",
                "role": "mentor",
                "timezone": zone,
                "skills": {t: rng.randint(1, 3) for t in rng.sample(TOPICS, rng.randint(1, 3))},
                "languages": languages,
                "department": rng.choice(DEPARTMENTS),
                "capacity": rng.choice([1, 1, 2]),
                "reports_to": f"manager{number % 50}",
                "calendar": {
                    "generate": {"density": rng.choice([0.4, 0.45, 0.5]), "seed": 10**6 + number}
                },
            }
        )
    managers = [{"id": "ceo"}] + [
        {"id": f"manager{n}", "reports_to": f"e{n % executives}"} for n in range(50)
    ]
    return {
        "version": 1,
        "name": f"match bench {executives}x{mentors}",
        "timezone": "Europe/Paris",
        "horizon": {"start": "2027-03-01", "weeks": 12},
        "people": people,
        "pairs": [],
        "managers": managers,
    }


def run(executives: int, mentors: int) -> dict[str, Any]:
    began = time.perf_counter()
    document = Document(pool_document(executives, mentors), "bench")
    scenario = scenario_from_document(document)
    scenario, calendars, _ = read_calendars(scenario, None, document)
    problem = build_problem(scenario, calendars)
    read = time.perf_counter()
    pool = pool_of(scenario)
    fit = CalendarFit(problem, pair_shape(scenario), [m.id for m in pool.mentors])
    options = [options_of(e, pool, fit, scenario.matching) for e in pool.executives]
    scored = time.perf_counter()
    weights = scenario.matching.weights
    best = FULL_SCORE * sum(getattr(weights, goal.value) for goal in Goal)
    optimal = assign(pool, options, best, weights.load_spread)
    assigned = time.perf_counter()
    greedy = greedy_assign(pool, options)
    greedy_done = time.perf_counter()
    by_executive = {o.executive.id: o for o in options}
    figures = {
        "optimal": _figures(optimal.mentor_of, by_executive),
        "greedy": _figures(greedy.mentor_of, by_executive),
    }
    return {
        "executives": executives,
        "mentors": mentors,
        "read_s": read - began,
        "options_s": scored - read,
        "optimal_s": assigned - scored,
        "greedy_s": greedy_done - assigned,
        **{f"{method}_{key}": value for method, f in figures.items() for key, value in f.items()},
    }


def _figures(mentor_of: dict[str, int], options: dict[str, Any]) -> dict[str, float]:
    fits, qualities = [], []
    for executive, row in mentor_of.items():
        option = options[executive]
        position = int((option.mentors == row).nonzero()[0][0])
        fits.append(int(option.fit.held[position]) / max(1, option.fit.periods))
        qualities.append(int(option.quality[position]))
    count = max(1, len(mentor_of))
    return {
        "matched": len(mentor_of),
        "calendar_fit": sum(fits) / count,
        "quality": sum(qualities) / count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executives", type=int, nargs="?", default=500)
    parser.add_argument("mentors", type=int, nargs="?", default=2000)
    args = parser.parse_args(argv)
    r = run(args.executives, args.mentors)
    both = r["options_s"]
    print(
        "| pool | read s | options s (shared) | method | assignment s "
        "| total s (options + assignment) | matched | average calendar fit | average quality |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for method in ("optimal", "greedy"):
        print(
            f"| {r['executives']} x {r['mentors']} | {r['read_s']:.1f} | {both:.1f} | {method} "
            f"| {r[f'{method}_s']:.2f} | {both + r[f'{method}_s']:.1f} | {r[f'{method}_matched']} "
            f"| {r[f'{method}_calendar_fit']:.1%} | {r[f'{method}_quality']:.0f} |"
        )
    print(
        f"optimal/greedy: matched {r['optimal_matched'] / max(1, r['greedy_matched']):.3f}, "
        f"calendar fit {r['optimal_calendar_fit'] / max(1e-9, r['greedy_calendar_fit']):.3f}, "
        f"quality {r['optimal_quality'] / max(1e-9, r['greedy_quality']):.3f}; "
        f"optimal within 30 s: {'yes' if both + r['optimal_s'] < 30 else 'NO'}",
        file=sys.stdout,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
