"""The what-if report: one self-contained HTML page (inline CSS and SVG, no script, no
network).

The figures side by side, a chart of sessions per week with a line per variant, a load
heat map per person and week on one colour scale, and the unplaced sessions with their
reasons.
"""

from __future__ import annotations

import re
from html import escape

from connectors.load_heat_map import Result, heat_maps
from connectors.week_chart import chart_series, identical_groups, week_chart_svg
from scheduler.comparison import VariantSummary, comparison_rows
from scheduler.domain import Plan
from scheduler.natural_order import natural_key

WHAT_IF = re.compile(r"what[- ]?if", re.IGNORECASE)

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem} td,th{padding:.2rem .5rem;border:1px solid #ddd}
th{background:#f5f5f5;text-align:left} td.n{text-align:right}
.heat td{width:1.6rem;text-align:center;font-size:.7rem;border:1px solid #fff}
.legend span{display:inline-block;margin-right:1rem} .swatch{display:inline-block;width:.8rem;
height:.8rem;margin-right:.3rem;vertical-align:middle}
details{margin:.5rem 0} summary{cursor:pointer;font-weight:600}
figure{margin:0} #weeks{max-width:100%;height:auto} .chart-note{margin:.3rem 0;font-size:.85rem}
.scale{margin:.5rem 0 1rem;font-size:.85rem} .scale .step{display:inline-block;min-width:1.6rem;
text-align:center;padding:.15rem 0;border:1px solid #ddd;margin-left:-1px;font-size:.75rem}
"""


def whatif_page(results: list[Result], summaries: list[VariantSummary]) -> str:
    title = escape(page_title(results[0][2].scenario))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{len(summaries)} variants side by side, each planned on its own.</p>",
        _summary_table(summaries),
        "<h2>Sessions per week</h2>",
        _week_chart(summaries),
        "<h2>Load per person and week</h2>",
        heat_maps(results),
        "<h2>Unplaced sessions</h2>",
        *(_unplaced(name, plan) for name, _, plan in results),
        "</body></html>",
    ]
    return "\n".join(parts)


def page_title(scenario: str) -> str:
    """The scenario's name, with `: what-if` unless the name says so already."""
    return scenario if WHAT_IF.search(scenario) else f"{scenario}: what-if"


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
    weeks, series = chart_series(summaries)
    if not weeks:
        return "<p>No session is placed in any variant.</p>"
    notes = [
        "Where lines run together, each is dashed in its own colour, the colours taking turns."
    ]
    notes += [
        f"The same number of sessions every week: {', '.join(escape(name) for name in names)}."
        for names in identical_groups(series)
    ]
    paragraphs = "".join(f"<p class='chart-note'>{note}</p>" for note in notes)
    return f"<figure>{week_chart_svg(weeks, series)}{paragraphs}</figure>"


def _unplaced(name: str, plan: Plan) -> str:
    if not plan.unplaced:
        return f"<details><summary>{escape(name)}: every session placed</summary></details>"
    rows = "".join(
        f"<tr><td>{escape(u.pair)}</td><td class='n'>{u.index}</td><td>{escape(u.code)}</td>"
        f"<td>{escape(u.reason)}</td></tr>"
        for u in sorted(plan.unplaced, key=lambda u: (natural_key(u.pair), u.index))
    )
    return (
        f"<details><summary>{escape(name)}: {len(plan.unplaced)} unplaced</summary>"
        f"<table class='unplaced'><tr><th>pair</th><th>#</th><th>why</th><th>reason</th></tr>"
        f"{rows}</table></details>"
    )
