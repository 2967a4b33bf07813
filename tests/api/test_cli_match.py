"""`tandem match` and `tandem plan --match` through the installed console script, on the
shipped matching pool and on small pools written for each error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.scenarios import load_problem
from scheduler.matching_check import check_matching
from scheduler.scenario_checks import validate_scenario
from tests.api.test_cli import ROOT, tandem

POOL = ROOT / "scenarios" / "matching-pool.yaml"


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("match") / "matched.yaml"
    return tandem("match", POOL, "--out", out), out


def test_match_writes_the_scenario_with_its_pairs_and_prints_the_reasons(
    matched: tuple[Any, Path],
) -> None:
    result, out = matched
    assert result.returncode == 0, result.stderr
    written = yaml.safe_load(out.read_text())
    original = yaml.safe_load(POOL.read_text())
    fixed = original["pairs"]
    assert written["pairs"][: len(fixed)] == fixed  # the planner's pairs stay, first
    formed = written["pairs"][len(fixed) :]
    executives = [p["id"] for p in original["people"] if p["role"] == "executive"]
    assert len(formed) + len(fixed) < len(executives)  # some are left, with reasons
    assert {p["mentee"] for p in formed}.isdisjoint({p["mentee"] for p in fixed})
    for pair in formed:
        assert f"{pair['mentee']} with {pair['mentor']} ({pair['id']}): " in result.stdout
    assert "ny-exec-17: no mentor; of 80 mentors: " in result.stdout
    assert "78 share no language" in result.stdout
    assert "pa-exec-25: no mentor; " in result.stdout
    assert "have a common start in fewer than 9 of 12 periods" in result.stdout
    assert "proven optimal" in result.stdout
    # The file written plans as it is, and every pair formed keeps every matching rule.
    problem = load_problem(out)
    checked = validate_scenario(written)
    formed_ids = {p["id"] for p in formed}
    assert [v for v in check_matching(checked, problem) if v.pair in formed_ids] == []


def test_plan_match_forms_the_pairs_then_plans_them(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = tandem("plan", POOL, "--match", "--out", out, "--time-limit", "30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("Matching: ") < result.stdout.index("Plan: ")
    plan = json.loads(out.read_text())
    pairs = {s["pair"] for s in plan["sessions"]} | {u["pair"] for u in plan["unplaced"]}
    assert "pa-exec-1-pa-mentor-5" in pairs  # fixed
    assert len(pairs) > 30  # and the formed ones
    # Every mentor of a pair, formed or fixed, has monthly check-ins with a coach.
    mentors = {s["mentor"] for s in plan["sessions"] if s["kind"] == "mentoring"}
    check_ins = [s for s in plan["sessions"] if s["kind"] == "supervision"]
    assert {s["mentee"] for s in check_ins} == mentors
    assert {s["mentor"] for s in check_ins} == {"pa-coach", "ny-coach"}
    assert "Mentors' check-ins with a coach placed: " in result.stdout


def small_pool(tmp_path: Path, **fields: Any) -> Path:
    document: dict[str, Any] = {
        "version": 1,
        "horizon": {"start": "2027-01-04", "weeks": 2},
        "people": [
            {"id": "e1", "role": "executive", "languages": ["en"]},
            {"id": "m1", "role": "mentor", "languages": ["en"]},
        ],
        "pairs": [],
        **fields,
    }
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(document))
    return path


def test_a_person_without_languages_is_an_error_naming_them(tmp_path: Path) -> None:
    path = small_pool(tmp_path)
    document = json.loads(path.read_text())
    del document["people"][1]["languages"]
    path.write_text(json.dumps(document))
    result = tandem("match", path)
    assert result.returncode == 2
    assert "people[1].languages: required to match" in result.stderr
    assert "Traceback" not in result.stderr


def test_greedy_matching_says_it_is_not_optimal_and_json_out_is_json(tmp_path: Path) -> None:
    out = tmp_path / "matched.json"
    result = tandem("match", small_pool(tmp_path), "--greedy", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "greedy, best mentor first: not optimal" in result.stdout
    assert json.loads(out.read_text())["pairs"] == [{"id": "e1-m1", "mentor": "m1", "mentee": "e1"}]


def test_match_refuses_replanning_options(tmp_path: Path) -> None:
    result = tandem("plan", small_pool(tmp_path), "--match", "--now", "2027-01-05T09:00")
    assert result.returncode == 2
    assert "--match" in result.stderr and "Traceback" not in result.stderr


def test_whatif_match_matches_each_variant_with_its_own_fields(tmp_path: Path) -> None:
    path = small_pool(
        tmp_path,
        variations=[
            {
                "name": "m1 learns french, takes two",
                "set": {"people.m1.languages": ["en", "fr"], "people.m1.capacity": 2},
            }
        ],
    )
    document = json.loads(path.read_text())
    document["people"].append({"id": "e2", "role": "executive", "languages": ["fr"]})
    path.write_text(json.dumps(document))
    result = tandem("whatif", path, "--match", "--time-limit", "10")
    assert result.returncode == 0, result.stderr
    assert "base: 1 of 2 executives matched" in result.stdout
    assert "left without a mentor: e2" in result.stdout
    assert "m1 learns french, takes two: 2 of 2 executives matched" in result.stdout
    rows = {line.split("  ")[0]: line.split() for line in result.stdout.splitlines()}
    assert rows["sessions required"][-2:] == ["2", "4"]


def test_check_matching_holds_a_hand_edited_matched_scenario_to_the_rules(
    matched: tuple[Any, Path], tmp_path: Path
) -> None:
    _, out = matched
    kept = tandem("check", out, "--matching")
    # The planner's own pairs may break a rule (the fixed New York pair has too little
    # common time); the pairs formed keep every rule.
    formed = [line for line in kept.stdout.splitlines() if line.startswith("matching: ")]
    assert all("ny-exec-1-ny-mentor-4" in line for line in formed), formed
    edited = yaml.safe_load(out.read_text())
    # By hand: the German-speaking executive gets a mentor who speaks no German.
    edited["pairs"].append({"id": "by-hand", "mentor": "ny-mentor-2", "mentee": "ny-exec-17"})
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(edited, sort_keys=False))
    refused = tandem("check", path, "--matching")
    assert refused.returncode == 1
    assert (
        "matching: by-hand: language: ny-exec-17 and ny-mentor-2 share no language"
        in refused.stdout
    )
    assert tandem("check", path).returncode == 0  # without --matching: the format only


def test_a_matched_scenario_is_written_beside_its_calendar_files(tmp_path: Path) -> None:
    path = small_pool(tmp_path)
    document = json.loads(path.read_text())
    (tmp_path / "e1.ics").write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    document["people"][0]["calendar"] = {"ics": "e1.ics"}
    path.write_text(json.dumps(document))
    (tmp_path / "sub").mkdir()
    elsewhere = tandem("match", path, "--out", tmp_path / "sub" / "matched.json")
    assert elsewhere.returncode == 2 and "Traceback" not in elsewhere.stderr
    assert "--out: write the matched scenario in" in elsewhere.stderr
    assert not (tmp_path / "sub" / "matched.json").exists()
    beside = tandem("match", path, "--out", tmp_path / "matched.json")
    assert beside.returncode == 0, beside.stderr
    assert tandem("check", tmp_path / "matched.json").returncode == 0
