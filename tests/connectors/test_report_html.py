"""The what-if report, rendered by a real headless Chromium."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import chromium

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whatif")
    command = Path(sys.executable).parent / "tandem"
    result = subprocess.run(
        [
            str(command),
            "whatif",
            str(ROOT / "scenarios" / "whatif-committee.yaml"),
            "--html",
            str(out / "report.html"),
            "--out",
            str(out / "plans"),
            "--time-limit",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "differs from base" in result.stdout
    return out


def test_the_page_needs_no_network(report: Path) -> None:
    page = (report / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_chromium_renders_a_chart_per_variant_heat_maps_and_reasons(report: Path) -> None:
    dom = chromium("--dump-dom", (report / "report.html").as_uri()).stdout
    names = [
        "base",
        "biweekly",
        "one hour a week",
        "new mentor for the CHRO",
        "Singapore office joins",
    ]
    for name in names:
        assert f'data-variant="{name}"' in dom
    assert dom.count("<polyline") == len(names)
    assert dom.count("<details") == 2 * len(names)  # a heat map and an unplaced list per variant
    assert "sessions placed" in dom and "unplaced: no_common_free_time" in dom
    base = json.loads((report / "plans" / "base.json").read_text())
    assert f">{base['metrics']['required']}<" in dom


def test_chromium_takes_a_screenshot_of_it(report: Path) -> None:
    shot = report / "page.png"
    chromium("--window-size=1000,1400", f"--screenshot={shot}", (report / "report.html").as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 1400)
    assert len(data) > 30_000  # a page with a chart and tables, not a blank one
