"""The chart's lines: which stretches coincide and how each is drawn (no browser needed;
test_report_html.py looks at the drawn page)."""

from datetime import date

from connectors.week_chart import (
    DASH_POINTS,
    PLOT_WIDTH_POINTS,
    WeekSeries,
    chart_series,
    identical_groups,
    legend_labels,
    segment_styles,
    week_chart_svg,
)
from scheduler.comparison import VariantSummary


def series(name: str, *counts: int) -> WeekSeries:
    return WeekSeries(name, counts, "#000000")


def test_a_line_alone_is_solid_and_coinciding_stretches_take_turns() -> None:
    lines = [series("a", 1, 2, 2), series("b", 1, 2, 3), series("c", 0, 2, 2)]
    styles = segment_styles(lines)
    # Week 1 to 2: a and b share the stretch 1 -> 2; c runs alone.
    assert styles[0][0] == (0.0, (DASH_POINTS, DASH_POINTS))
    assert styles[1][0] == (DASH_POINTS, (DASH_POINTS, DASH_POINTS))
    assert styles[2][0] == "solid"
    # Week 2 to 3: a and c share 2 -> 2; b runs alone.
    assert styles[0][1] == (0.0, (DASH_POINTS, DASH_POINTS))
    assert styles[2][1] == (DASH_POINTS, (DASH_POINTS, DASH_POINTS))
    assert styles[1][1] == "solid"


def test_three_lines_on_one_stretch_each_show_a_third_of_it() -> None:
    styles = segment_styles([series(name, 4, 4) for name in "abc"])
    gap = 2 * DASH_POINTS
    # matplotlib starts each pattern `offset` into it: a's dash at 0, b's at one dash,
    # c's at two.
    assert [s[0] for s in styles] == [
        (0.0, (DASH_POINTS, gap)),
        (2 * DASH_POINTS, (DASH_POINTS, gap)),
        (DASH_POINTS, (DASH_POINTS, gap)),
    ]


def test_identical_variants_are_grouped_and_named_in_the_legend() -> None:
    lines = [series("base", 1, 2), series("other", 2, 2), series("same", 1, 2)]
    assert identical_groups(lines) == [["base", "same"]]
    assert legend_labels(lines) == ["base", "other", "same (= base)"]


def summary(name: str, weeks: dict[date, int]) -> VariantSummary:
    return VariantSummary(name, 0, 0, 0.0, 0.0, 0.0, 0.0, {}, None, weeks)


def test_a_week_without_sessions_in_any_variant_stays_on_the_chart_at_zero() -> None:
    weeks, lines = chart_series(
        [summary("a", {date(2027, 1, 4): 3, date(2027, 1, 18): 1}), summary("b", {})]
    )
    assert weeks == [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 18)]
    assert [line.counts for line in lines] == [(3, 0, 1), (0, 0, 0)]


def test_on_a_chart_of_two_years_every_colour_still_has_a_dash_in_each_week() -> None:
    weeks = 104
    lines = [series(name, *[2] * weeks) for name in "abc"]
    for style in (styles[0] for styles in segment_styles(lines)):
        assert isinstance(style, tuple)
        dash, gap = style[1]
        assert (dash + gap) * (weeks - 1) <= PLOT_WIDTH_POINTS  # a whole turn in a stretch


def test_variant_names_are_written_as_they_are_given() -> None:
    names = ["from $5 to $10", "_draft <b> & 'quoted'"]
    counts = [summary(name, {date(2027, 1, 4): n}) for n, name in enumerate(names)]
    weeks, lines = chart_series(counts)
    svg = week_chart_svg(weeks, lines)
    assert "from $5 to $10</text>" in svg  # text, not a formula
    assert "_draft &lt;b&gt; &amp; 'quoted'</text>" in svg  # shown, not a hidden label
    assert 'data-variant="_draft &lt;b&gt; &amp; &#x27;quoted&#x27;"' in svg


def test_past_eight_variants_the_colours_come_round_again_with_a_marker() -> None:
    weekly = [summary(f"v{n}", {date(2027, 1, 4): n, date(2027, 1, 11): n}) for n in range(51)]
    weeks, lines = chart_series(weekly)
    looks = [(line.colour, line.marker) for line in lines]
    assert len(set(looks)) == 51  # a what-if's base and its 50 variations, each its own look
    assert [marker for _, marker in looks[:8]] == [""] * 8
    assert looks[8] == (looks[0][0], "s") and looks[16][1] != "s"
    svg = week_chart_svg(weeks, lines[:10])
    assert 'id="marks-8"' in svg and 'id="marks-7"' not in svg
