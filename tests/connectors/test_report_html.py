"""The what-if report, written by `tandem whatif --html` and rendered by a real headless
Chromium: what the DOM holds and what the screenshot shows."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from connectors.report_html import page_title
from tests.browser import chromium
from tests.connectors.page_dom import Element, parse

ROOT = Path(__file__).resolve().parents[2]
COMMITTEE = ROOT / "scenarios" / "whatif-committee.yaml"
TWINS = ROOT / "tests" / "fixtures" / "scenarios" / "whatif-twins.yaml"
COMMITTEE_VARIANTS = [
    "base",
    "biweekly",
    "one hour a week",
    "new mentor for the CHRO",
    "Singapore office joins",
]
WINDOW = (1000, 1400)


@dataclass(frozen=True)
class Rendered:
    html: str  # the file as written
    dom: Element  # as Chromium built it
    screenshot: Path


def render(scenario: Path, out: Path) -> Rendered:
    command = Path(sys.executable).parent / "tandem"
    page = out / "report.html"
    arguments = [str(scenario), "--html", str(page), "--time-limit", "10"]
    result = subprocess.run(
        [str(command), "whatif", *arguments], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    shot = out / "page.png"
    chromium(f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={shot}", page.as_uri())
    dom = chromium("--dump-dom", page.as_uri()).stdout
    return Rendered(page.read_text(encoding="utf-8"), parse(dom), shot)


@pytest.fixture(scope="module")
def committee(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(COMMITTEE, tmp_path_factory.mktemp("committee"))


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Base, `same again` (the base's plan: its line lies on the base's) and `biweekly`."""
    return render(TWINS, tmp_path_factory.mktemp("twins"))


# One offline file


@pytest.mark.parametrize("page", ["committee", "twins"])
def test_the_page_is_one_file_that_needs_no_network(
    page: str, request: pytest.FixtureRequest
) -> None:
    html = request.getfixturevalue(page).html
    assert not re.search(r"https?:|//[a-z]", html, re.IGNORECASE)
    assert not re.search(r"<(script|link|img|iframe|object)\b|\bsrc=|@import", html)
    # The chart's own references (clip paths, markers) point inside the page.
    assert set(re.findall(r"url\((.)", html)) <= {"#"}
    assert {ref[0] for ref in re.findall(r'href="([^"]*)"', html)} <= {"#"}


# The chart: every variant's line, in sight


def series_groups(dom: Element) -> dict[str, list[Element]]:
    """Each variant's line on the chart: its stretches from one week to the next."""
    chart = dom.find("svg", id="weeks")
    return {
        g.attrs["data-variant"]: g.find_all("path") for g in chart.find_all("g", class_="series")
    }


def test_the_chart_has_a_line_per_variant_with_a_stretch_per_week(committee: Rendered) -> None:
    lines = series_groups(committee.dom)
    assert list(lines) == COMMITTEE_VARIANTS
    assert {len(stretches) for stretches in lines.values()} == {12}  # 13 weeks
    legend = committee.dom.find("svg", id="weeks").text
    for name in COMMITTEE_VARIANTS:
        assert name in legend


def test_identical_lines_take_turns_in_dashes_and_the_page_says_they_are_the_same(
    twins: Rendered,
) -> None:
    lines = series_groups(twins.dom)
    base, same, biweekly = lines["base"], lines["same again"], lines["biweekly"]
    assert [p.attrs["d"] for p in base] == [p.attrs["d"] for p in same]  # they coincide
    for mine, theirs in zip(base, same, strict=True):
        assert mine.style("stroke-dasharray") == theirs.style("stroke-dasharray") != ""
        assert mine.style("stroke-dashoffset") != theirs.style("stroke-dashoffset")
        assert mine.style("stroke") != theirs.style("stroke")
    # Biweekly runs alone where it differs: solid there.
    alone = [p for p, b in zip(biweekly, base, strict=True) if p.attrs["d"] != b.attrs["d"]]
    assert alone and all(p.style("stroke-dasharray") in ("", "none") for p in alone)
    notes = [p.text for p in twins.dom.find_all("p", class_="chart-note")]
    assert "The same number of sessions every week: base, same again." in notes
    assert "same again (= base)" in twins.dom.find("svg", id="weeks").text


def colour_pixels(screenshot: Path, colour: str) -> int:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.open(screenshot).convert("RGB")
    return sum(count for count, pixel in image.getcolors(WINDOW[0] * WINDOW[1]) if pixel == rgb)


def test_the_screenshot_shows_each_of_two_identical_lines(twins: Rendered) -> None:
    """A line drawn over an equal one would leave only its legend swatch (under 100 pixels
    here) of the colour underneath; each takes a share of the line's length."""
    image = Image.open(twins.screenshot)
    assert image.size == WINDOW
    colours = {
        g.attrs["data-variant"]: g.find_all("path")[0].style("stroke")
        for g in twins.dom.find("svg", id="weeks").find_all("g", class_="series")
    }
    assert len(set(colours.values())) == 3
    for name, colour in colours.items():
        assert colour_pixels(twins.screenshot, colour) > 500, name


def test_the_y_axis_has_ticks_and_gridlines_at_whole_numbers(committee: Rendered) -> None:
    chart = committee.dom.find("svg", id="weeks")
    ticks = [g for g in chart.find_all("g") if g.attrs.get("id", "").startswith("ytick_")]
    labels = [g.text.strip() for g in ticks]
    assert labels == [str(n) for n in range(7)]  # the busiest week has 6 sessions
    gridlines = [g for g in ticks if any(p.style("stroke") == "#dddddd" for p in g.find_all())]
    assert len(gridlines) == len(ticks)


# The heat maps: one colour scale


def heat_cells(dom: Element) -> dict[str, list[Element]]:
    return {t.attrs["data-variant"]: t.find_all("td") for t in dom.find_all("table", class_="heat")}


def test_one_colour_scale_for_every_variant_with_its_legend(committee: Rendered) -> None:
    maps = heat_cells(committee.dom)
    assert list(maps) == COMMITTEE_VARIANTS
    legend = committee.dom.find(class_="scale")  # one legend, not one per variant
    steps = {s.attrs["data-count"]: s.style("background") for s in legend.find_all(class_="step")}
    colours: dict[str, set[str]] = defaultdict(set)
    for cells in maps.values():
        for cell in cells:
            colours[cell.attrs["data-count"]].add(cell.style("background"))
    assert {count: {steps[count]} for count in colours} == colours
    assert len(set(steps.values())) == len(steps)  # each count its own colour
    # The scale is shared where it matters: the variants' busiest weeks differ, so a scale
    # per variant would have shaded the same count differently.
    busiest = {name: max(int(c.attrs["data-count"]) for c in cells) for name, cells in maps.items()}
    assert len(set(busiest.values())) > 1


def test_the_legend_of_the_scale_is_in_the_screenshot(twins: Rendered) -> None:
    legend = twins.dom.find(class_="scale")
    deepest = legend.find_all(class_="step")[-1].style("background")
    assert colour_pixels(twins.screenshot, deepest) > 0


# Order and words


def test_people_and_coaches_are_listed_in_natural_order(twins: Rendered) -> None:
    table = twins.dom.find("table", data_variant="base")
    people = [row.find_all("th")[0].text.split()[0] for row in table.find_all("tr")[1:]]
    assert people == [
        "ne-exec-1",
        "ne-exec-2",
        "ne-exec-10",
        "ne-mentor-1",
        "ne-mentor-2",
        "ne-mentor-10",
        "coach-2",
        "coach-10",
    ]
    rows = twins.dom.find("table", id="summary").find_all("tr")
    summary = [row.find_all("th")[0].text for row in rows]
    assert summary.index("check-ins: coach coach-2") < summary.index("check-ins: coach coach-10")


def test_the_check_ins_per_coach_are_shown(twins: Rendered) -> None:
    rows = summary_rows(twins.dom)
    assert rows["check-ins: coach coach-2"] == ["2", "2", "2"]  # one mentor, two months
    assert rows["check-ins: coach coach-10"] == ["4", "4", "4"]


def test_the_title_says_what_if_once(committee: Rendered, twins: Rendered) -> None:
    assert committee.dom.find("title").text == "Executive committee, what-if"
    assert twins.dom.find("title").text == "Twins: what-if"
    assert twins.dom.find("h1").text == "Twins: what-if"


@pytest.mark.parametrize(
    ("scenario", "title"),
    [
        ("Regional rollout", "Regional rollout: what-if"),
        ("What-if on the board", "What-if on the board"),
        ("whatif 2027", "whatif 2027"),
    ],
)
def test_a_title_names_the_scenario_and_what_if(scenario: str, title: str) -> None:
    assert page_title(scenario) == title


def test_the_planner_does_not_load_the_plotting_library() -> None:
    """`tandem plan` must not pay for matplotlib: only drawing the chart imports it."""
    code = (
        "import sys, api.cli, connectors.report_html; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def summary_rows(dom: Element) -> dict[str, list[str]]:
    return {
        row.find_all("th")[0].text: [td.text for td in row.find_all("td")]
        for row in dom.find("table", id="summary").find_all("tr")[1:]
    }


def test_unplaced_sessions_are_listed_with_their_reasons(committee: Rendered) -> None:
    summaries = [s.text for s in committee.dom.find_all("summary")]
    assert "biweekly: every session placed" in summaries
    listed = Counter(
        row.find_all("td")[2].text
        for table in committee.dom.find_all("table", class_="unplaced")
        for row in table.find_all("tr")[1:]
    )
    counted = summary_rows(committee.dom)["unplaced: no_common_free_time"]
    assert listed == {"no_common_free_time": sum(int(n) for n in counted)} != {}
