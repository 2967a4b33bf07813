"""The what-if page's load heat maps: per variant, each person's sessions and check-ins in
each week, shaded on one colour scale for all variants (a week of 2 looks the same in
every variant), with one legend for that scale.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from html import escape

from scheduler.domain import Person, Plan, Problem
from scheduler.natural_order import natural_key

Result = tuple[str, Problem, Plan]
ROLE_ORDER = {"executive": 0, "mentor": 1, "coach": 2}
PALE, DEEP = 0.2, 0.9  # the stretch of matplotlib's Blues that a count of 1 to the top takes
MAX_LEGEND_STEPS = 12


def heat_maps(results: list[Result]) -> str:
    """The legend, then a heat map per variant (the first one open)."""
    loads = [_weekly_load(problem, plan) for _, problem, plan in results]
    top = max((max(load.values(), default=0) for load in loads), default=0)
    maps = (
        _heat_map(name, problem, load, top, open_=i == 0)
        for i, ((name, problem, _), load) in enumerate(zip(results, loads, strict=True))
    )
    return _legend(top) + "".join(maps)


def _weekly_load(problem: Problem, plan: Plan) -> Counter[tuple[str, date]]:
    """Meetings per person and week (Monday in the person's time zone), the coach's
    check-ins included."""
    load: Counter[tuple[str, date]] = Counter()
    for s in plan.sessions:
        for person_id in (s.mentor, s.mentee):
            day = s.start.astimezone(problem.people[person_id].tz).date()
            load[person_id, day - timedelta(days=day.weekday())] += 1
    return load


def _heat_map(
    name: str, problem: Problem, load: Counter[tuple[str, date]], top: int, open_: bool
) -> str:
    weeks = _weeks(problem)
    head = "".join(f"<th>{w:%d %b}</th>" for w in weeks)
    rows = "".join(
        f"<tr><th>{escape(person.id)} <small>{person.role}</small></th>"
        + "".join(_heat_cell(load[person.id, w], top) for w in weeks)
        + "</tr>"
        for person in sorted(problem.people.values(), key=_row_order)
    )
    state = " open" if open_ else ""
    return (
        f"<details class='heat-map'{state}><summary>{escape(name)}</summary>"
        f"<table class='heat' data-variant='{escape(name)}'>"
        f"<tr><th>person</th>{head}</tr>{rows}</table></details>"
    )


def _row_order(person: Person) -> tuple[int, tuple[tuple[str | int, ...], str]]:
    return ROLE_ORDER[person.role], natural_key(person.id)


def _heat_cell(count: int, top: int) -> str:
    background, text = heat_colours(count, top)
    return (
        f"<td data-count='{count}' style='background:{background};color:{text}' "
        f"title='{count} in the week'>{count or ''}</td>"
    )


def heat_colours(count: int, top: int) -> tuple[str, str]:
    """The background and text colours of a count on the scale from 0 to `top` (the
    largest count of any variant): 0 is white, 1 to `top` deepen along Blues."""
    if count == 0:
        return "#ffffff", "#222222"
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    share = (count - 1) / (top - 1) if top > 1 else 1.0
    shade = PALE + (DEEP - PALE) * share
    return to_hex(colormaps["Blues"](shade)), "#ffffff" if shade > 0.55 else "#222222"


def _legend(top: int) -> str:
    steps = "".join(
        f"<span class='step' data-count='{count}' style='background:{background};color:{text}'>"
        f"{count}</span>"
        for count in _legend_counts(top)
        for background, text in [heat_colours(count, top)]
    )
    return (
        f"<div id='heat-scale' class='scale'>Sessions and check-ins in the week, the same "
        f"colours for every variant: {steps}</div>"
    )


def _legend_counts(top: int) -> list[int]:
    if top < MAX_LEGEND_STEPS:
        return list(range(top + 1))
    step = -(-top // (MAX_LEGEND_STEPS - 1))
    return [*range(0, top, step), top]


def _weeks(problem: Problem) -> list[date]:
    monday = problem.horizon_first_day - timedelta(days=problem.horizon_first_day.weekday())
    weeks = []
    while monday < problem.horizon_end_day:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks
