"""Public holidays by country (and subdivision), from the `holidays` package, for every year
the horizon touches; a person's `region` picks them up as it picks up dated holidays."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors.scenarios import problem_from_data
from scheduler.errors import ScenarioError
from scheduler.scenario_checks import validate_scenario, variants_of
from tests.builders import checked_plan, executive, mentor, pair, scenario


def programme(holidays: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    fields.setdefault("pairs", [pair("p1", "m1", "e1"), pair("p2", "m2", "e2")])
    return scenario(
        people=[
            mentor("m1", region="paris", timezone="Europe/Paris"),
            executive("e1", region="paris", timezone="Europe/Paris"),
            mentor("m2", region="munich", timezone="Europe/Berlin"),
            executive("e2", region="munich", timezone="Europe/Berlin"),
        ],
        holidays=holidays,
        **fields,
    )


def test_a_countrys_holidays_reach_the_people_of_its_regions() -> None:
    document = programme(
        [
            {"country": "FR", "regions": ["paris"]},
            {"country": "DE", "subdivision": "BY", "regions": ["munich"]},
        ],
        horizon={"start": "2026-12-28", "weeks": 14},
    )
    people = problem_from_data(document).people
    assert people["e1"].holidays[date(2027, 3, 29)] == "Easter Monday"  # France
    assert date(2027, 1, 6) not in people["e1"].holidays  # Epiphany: not in France
    assert date(2027, 1, 6) in people["e2"].holidays  # but in Bavaria
    assert date(2027, 1, 1) in people["m2"].holidays  # the second year the horizon touches
    assert date(2028, 1, 1) not in people["m1"].holidays  # a year the horizon does not touch


def test_no_session_is_planned_on_a_countrys_holiday() -> None:
    document = programme(
        [{"country": "FR"}],  # everyone's, as a dated holiday without regions
        horizon={"start": "2027-03-29", "weeks": 1},
        pairs=[pair("p1", "m1", "e1", sessions=1)],
    )
    for person in document["people"]:
        person["working_hours"] = {"mon": ["09:00-18:00"]}  # Easter Monday only
    plan = checked_plan(problem_from_data(document))
    assert plan.sessions == ()
    assert "Easter Monday" in plan.unplaced[0].reason


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"country": "XX"}, "unknown country 'XX'"),
        ({"country": "DE", "subdivision": "ZZ"}, "unknown subdivision 'ZZ' of DE"),
        ({"country": "FR", "date": "2027-01-01"}, "unknown key"),
    ],
)
def test_an_unknown_country_or_subdivision_is_an_error(entry: dict[str, Any], error: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        validate_scenario(programme([entry]))
    assert any(e.path.startswith("holidays[0]") and error in e.message for e in raised.value.errors)


def test_a_what_if_variation_can_add_a_country() -> None:
    document = programme([], variations=[{"name": "fr", "set": {"holidays": [{"country": "FR"}]}}])
    [variant] = variants_of(validate_scenario(document))
    assert variant.holidays[0].country == "FR"  # type: ignore[union-attr]
