"""The what-if page's chart of sessions per week: a line per variant, drawn by matplotlib
as SVG text that the page holds inline (no file, no display, no network).

Variants often agree for a stretch of weeks, and a line drawn over an equal one hides it.
Where several lines run over the same stretch, each is drawn there in dashes of its own
colour, shifted so that the colours take turns along it: every line stays in sight.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from scheduler.comparison import VariantSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.typing import LineStyleType, RcKeyType

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
# Past eight variants the colours come round again: each round marks its weeks with a
# shape of its own (the first round none), so no two variants look alike.
MARKERS = ("", "s", "^", "D", "v", "P", "X", "*")
DASH_POINTS = 8.0  # the length of one colour's turn where lines coincide
FIGURE_INCHES = (9.5, 4.2)
PLOT_WIDTH_POINTS = 600.0  # about the plot's width: the figure's 684 less the axis's labels
MAX_WEEK_LABELS = 10
SVG_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.DOTALL)  # the XML declaration and doctype
NAMESPACE = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')  # HTML gives inline SVG its namespaces
# matplotlib's default metadata names its site, the date and a Dublin Core type by URL.
NO_METADATA = {"Date": None, "Creator": None, "Type": None, "Format": None}
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: it reads in the page and searches with it
    "text.parse_math": False,  # a variant named `from $5 to $10` is not a formula
    "svg.hashsalt": "tandem",  # the same page for the same plans
    "lines.scale_dashes": False,
    "font.size": 10,
}


@dataclass(frozen=True)
class WeekSeries:
    name: str
    counts: tuple[int, ...]  # one per week of the chart
    colour: str
    marker: str = ""  # matplotlib's marker at each week; "" for none


def chart_series(summaries: list[VariantSummary]) -> tuple[list[date], list[WeekSeries]]:
    """Every Monday from the first week any variant has a session in to the last one (a
    week that none has stays on the chart, at 0), and each variant's count per week."""
    mondays = {week for v in summaries for week in v.sessions_per_week}
    if not mondays:
        return [], []
    weeks = [min(mondays) + timedelta(days=7 * i) for i in range(_week_span(mondays))]
    series = [
        WeekSeries(v.name, tuple(v.sessions_per_week.get(w, 0) for w in weeks), *_look(i))
        for i, v in enumerate(summaries)
    ]
    return weeks, series


def _look(position: int) -> tuple[str, str]:
    """The colour and the marker of the variant at `position`: distinct for 64 variants
    (more than a what-if may hold)."""
    turn, colour = divmod(position, len(COLOURS))
    return COLOURS[colour], MARKERS[turn % len(MARKERS)]


def _week_span(mondays: set[date]) -> int:
    return (max(mondays) - min(mondays)).days // 7 + 1


def identical_groups(series: list[WeekSeries]) -> list[list[str]]:
    """The variants whose counts are the same every week, in groups of two or more."""
    by_counts: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for s in series:
        by_counts[s.counts].append(s.name)
    return [names for names in by_counts.values() if len(names) > 1]


def segment_styles(series: list[WeekSeries]) -> list[list[LineStyleType]]:
    """Per series, the style of each stretch from one week to the next: solid where it runs
    alone; where n lines run over the same stretch, the k-th of them has a dash in turn k of
    n (a dash, then a gap as long as the others' dashes)."""
    styles: list[list[LineStyleType]] = [[] for _ in series]
    stretches = len(series[0].counts) - 1 if series else 0
    for week in range(stretches):
        sharing: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, s in enumerate(series):
            sharing[s.counts[week], s.counts[week + 1]].append(i)
        for members in sharing.values():
            dash = _dash_points(stretches, len(members))
            for turn, i in enumerate(members):
                styles[i].append(_turn_style(turn, len(members), dash))
    return styles


def _dash_points(stretches: int, sharing: int) -> float:
    """Short enough for every colour to have a dash within a stretch: a pattern starts
    again at each week, and on a chart of many weeks a stretch is short."""
    return min(DASH_POINTS, PLOT_WIDTH_POINTS / stretches / sharing)


def _turn_style(turn: int, sharing: int, dash: float) -> LineStyleType:
    if sharing == 1:
        return "solid"
    # matplotlib starts the pattern `offset` points into it: this line's dash then begins
    # `turn` dashes along, after the dashes of the lines before it.
    offset = (sharing - turn) % sharing * dash
    return (offset, (dash, (sharing - 1) * dash))


def week_chart_svg(weeks: list[date], series: list[WeekSeries]) -> str:
    """The chart as an `<svg>` element; each variant's line is a group `series` with its
    name in `data-variant`."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        figure = Figure(figsize=FIGURE_INCHES, layout="constrained")
        axes = figure.subplots()
        _draw_lines(axes, series)
        _draw_axes(axes, weeks, max(max(s.counts) for s in series))
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    return _inline(buffer.getvalue(), series)


def _draw_lines(axes: Axes, series: list[WeekSeries]) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    for i, (s, styles) in enumerate(zip(series, segment_styles(series), strict=True)):
        points = list(enumerate(s.counts))
        if len(points) == 1:  # no stretch to draw: a dot shows the one week
            axes.plot(*points[0], "o", color=s.colour, markersize=6, gid=f"series-{i}")
            continue
        axes.add_collection(
            LineCollection(
                list(itertools.pairwise(points)),
                colors=s.colour,
                linestyles=styles,
                linewidths=2.6,
                capstyle="butt",
                gid=f"series-{i}",
            )
        )
        if s.marker:
            axes.plot(*zip(*points, strict=True), s.marker, color=s.colour, gid=f"marks-{i}")
    handles = [Line2D([], [], color=s.colour, linewidth=2.6, marker=s.marker) for s in series]
    figure = axes.get_figure()
    assert figure is not None
    # Below the chart, so that the weeks have the page's whole width.
    figure.legend(handles, legend_labels(series), loc="outside lower center", ncols=3)


def legend_labels(series: list[WeekSeries]) -> list[str]:
    """Each variant's name; one whose line is the same every week as an earlier one's says
    so, for the line it shares is only half of its colour."""
    first_with: dict[tuple[int, ...], str] = {}
    labels = []
    for s in series:
        first = first_with.setdefault(s.counts, s.name)
        labels.append(s.name if first == s.name else f"{s.name} (= {first})")
    return labels


def _draw_axes(axes: Axes, weeks: list[date], top: int) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_xlim(-0.4, len(weeks) - 0.6)
    axes.set_ylim(0, max(1, top) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.grid(axis="x", color="#f0f0f0", linewidth=0.8)
    axes.set_axisbelow(True)
    stride = -(-len(weeks) // MAX_WEEK_LABELS)
    axes.set_xticks(range(len(weeks)))
    axes.set_xticklabels([f"{w:%d %b}" if i % stride == 0 else "" for i, w in enumerate(weeks)])
    axes.set_xlabel("week starting (Monday)")
    axes.set_ylabel("sessions placed")
    axes.spines[["top", "right"]].set_visible(False)


def _inline(svg: str, series: Sequence[WeekSeries]) -> str:
    """matplotlib's SVG document as an element of the page: no XML prologue, no namespace
    declarations (which name URLs the page does not need), ids the tests can find."""
    svg = NAMESPACE.sub("", SVG_PROLOGUE.sub("", svg))
    svg = svg.replace("<svg ", "<svg id='weeks' role='img' aria-label='sessions per week' ", 1)
    for i, s in enumerate(series):
        svg = svg.replace(
            f'<g id="series-{i}">',
            f'<g id="series-{i}" class="series" data-variant="{escape(s.name)}">',
            1,
        )
    return svg
