"""The what-if report: one self-contained HTML page (inline CSS and SVG, no network).

A week-by-week chart of sessions per variant, a load heat map per person and week, and
the unplaced sessions with their reasons.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from html import escape

from scheduler.comparison import VariantSummary, comparison_rows
from scheduler.domain import Plan, Problem

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
Result = tuple[str, Problem, Plan]

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem} td,th{padding:.2rem .5rem;border:1px solid #ddd}
th{background:#f5f5f5;text-align:left} td.n{text-align:right}
.heat td{width:1.6rem;text-align:center;font-size:.7rem;border:1px solid #fff}
.legend span{display:inline-block;margin-right:1rem} .swatch{display:inline-block;width:.8rem;
height:.8rem;margin-right:.3rem;vertical-align:middle}
details{margin:.5rem 0} summary{cursor:pointer;font-weight:600}
"""


def whatif_page(results: list[Result], summaries: list[VariantSummary]) -> str:
    title = escape(results[0][2].scenario)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{title}: what-if</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}: variants side by side</h1>",
        _summary_table(summaries),
        "<h2>Sessions per week</h2>",
        _week_chart(summaries),
        "<h2>Load per person and week</h2>",
        *(
            _heat_map(name, problem, plan, open_=i == 0)
            for i, (name, problem, plan) in enumerate(results)
        ),
        "<h2>Unplaced sessions</h2>",
        *(_unplaced(name, plan) for name, _, plan in results),
        "</body></html>",
    ]
    return "\n".join(parts)


def _summary_table(summaries: list[VariantSummary]) -> str:
    head = "".join(f"<th>{escape(v.name)}</th>" for v in summaries)
    rows = comparison_rows(summaries)
    body = "".join(
        f"<tr><th>{escape(label)}</th>"
        + "".join(f"<td class='n'>{escape(c)}</td>" for c in cells)
        + "</tr>"
        for label, cells in rows
    )
    return f"<table id='summary'><tr><th></th>{head}</tr>{body}</table>"


def _week_chart(summaries: list[VariantSummary]) -> str:
    weeks = sorted({week for v in summaries for week in v.sessions_per_week})
    if not weeks:
        return "<p>No session is placed in any variant.</p>"
    top = max(max(v.sessions_per_week.values(), default=0) for v in summaries) or 1
    width, height, left, bottom = 720, 260, 48, 40
    step = (width - left - 20) / max(1, len(weeks) - 1)

    def x(i: int) -> float:
        return left + i * step

    def y(value: int) -> float:
        return height - bottom - (height - bottom - 20) * value / top

    lines = []
    for colour, v in zip(COLOURS * 4, summaries, strict=False):
        points = " ".join(
            f"{x(i):.1f},{y(v.sessions_per_week.get(w, 0)):.1f}" for i, w in enumerate(weeks)
        )
        lines.append(
            f"<polyline class='series' data-variant='{escape(v.name)}' fill='none' "
            f"stroke='{colour}' stroke-width='2' points='{points}'/>"
        )
    labels = "".join(
        f"<text x='{x(i):.1f}' y='{height - bottom + 16}' font-size='10' text-anchor='middle'>"
        f"{w:%d %b}</text>"
        for i, w in enumerate(weeks)
        if len(weeks) <= 16 or i % 2 == 0
    )
    axis = (
        f"<line x1='{left}' y1='{y(0)}' x2='{width - 10}' y2='{y(0)}' stroke='#999'/>"
        f"<text x='{left - 6}' y='{y(top) + 4}' font-size='10' text-anchor='end'>{top}</text>"
        f"<text x='{left - 6}' y='{y(0) + 4}' font-size='10' text-anchor='end'>0</text>"
    )
    legend = "".join(
        f"<span><i class='swatch' style='background:{c}'></i>{escape(v.name)}</span>"
        for c, v in zip(COLOURS * 4, summaries, strict=False)
    )
    return (
        f"<svg id='weeks' width='{width}' height='{height}' role='img' "
        f"aria-label='sessions per week'>{axis}{''.join(lines)}{labels}</svg>"
        f"<div class='legend'>{legend}</div>"
    )


def _heat_map(name: str, problem: Problem, plan: Plan, open_: bool) -> str:
    weeks = _weeks(problem)
    counts: Counter[tuple[str, date]] = Counter()
    for s in plan.sessions:
        for person_id in (s.mentor, s.mentee):
            day = s.start.astimezone(problem.people[person_id].tz).date()
            counts[(person_id, day - timedelta(days=day.weekday()))] += 1
    top = max(counts.values(), default=1)
    head = "".join(f"<th>{w:%d %b}</th>" for w in weeks)
    rows = []
    for person in sorted(problem.people.values(), key=lambda p: (p.role, p.id)):
        cells = "".join(_heat_cell(counts[(person.id, w)], top) for w in weeks)
        rows.append(f"<tr><th>{escape(person.id)} <small>{person.role}</small></th>{cells}</tr>")
    state = " open" if open_ else ""
    return (
        f"<details{state}><summary>{escape(name)}</summary><table class='heat'>"
        f"<tr><th>person</th>{head}</tr>{''.join(rows)}</table></details>"
    )


def _heat_cell(count: int, top: int) -> str:
    shade = 255 - int(180 * count / top) if count else 255
    colour = f"rgb({shade},{shade},255)"
    return f"<td style='background:{colour}' title='{count} sessions'>{count or ''}</td>"


def _weeks(problem: Problem) -> list[date]:
    monday = problem.horizon_first_day - timedelta(days=problem.horizon_first_day.weekday())
    weeks = []
    while monday < problem.horizon_end_day:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _unplaced(name: str, plan: Plan) -> str:
    if not plan.unplaced:
        return f"<details><summary>{escape(name)}: every session placed</summary></details>"
    rows = "".join(
        f"<tr><td>{escape(u.pair)}</td><td class='n'>{u.index}</td><td>{escape(u.code)}</td>"
        f"<td>{escape(u.reason)}</td></tr>"
        for u in plan.unplaced
    )
    return (
        f"<details><summary>{escape(name)}: {len(plan.unplaced)} unplaced</summary>"
        f"<table class='unplaced'><tr><th>pair</th><th>#</th><th>why</th><th>reason</th></tr>"
        f"{rows}</table></details>"
    )
