"""What-if variations are pure transforms of the scenario document."""

import pytest

from scheduler.errors import ScenarioError
from scheduler.whatif import apply_variation, base_of
from tests.builders import executive, mentor, pair, scenario


def variant(*changes: dict) -> dict:  # type: ignore[type-arg]
    document = scenario(
        people=[mentor("m1"), mentor("a.b"), executive("e1")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "a.b", "e1")],
        variations=[{"name": f"v{i}", "set": change} for i, change in enumerate(changes)],
    )
    return apply_variation(document, len(changes) - 1)


def test_set_by_id_and_plain_keys() -> None:
    changed = variant(
        {
            "pairs.p2.duration_minutes": 60,
            "rules.cadence": "biweekly",
            "people.a.b.timezone": "Asia/Singapore",
        }
    )
    assert changed["pairs"][1]["duration_minutes"] == 60
    assert changed["rules"] == {"cadence": "biweekly"}
    assert changed["people"][1]["timezone"] == "Asia/Singapore"
    assert "variations" not in changed
    assert changed["name"] == "test: v0"


def test_add_and_remove_pairs_and_people() -> None:
    changed = variant(
        {
            "people.e2": {"role": "executive"},
            "pairs.p3": {"mentor": "m1", "mentee": "e2"},
            "pairs.p1": None,
        }
    )
    assert [p["id"] for p in changed["pairs"]] == ["p2", "p3"]
    assert changed["people"][-1] == {"id": "e2", "role": "executive"}


def test_the_base_is_untouched() -> None:
    document = scenario(variations=[{"name": "v", "set": {"pairs.p1.cadence": "monthly"}}])
    apply_variation(document, 0)
    assert "cadence" not in document["pairs"][0]
    assert "variations" not in base_of(document) and "variations" in document


def test_bad_paths_name_the_variation_and_the_path() -> None:
    with pytest.raises(ScenarioError) as raised:
        variant({"pairs.p7.cadence": "weekly", "horizon.start.day": 3})
    assert [str(e) for e in raised.value.errors] == [
        "variations[0].set['pairs.p7.cadence']: variation 'v0': "
        "no item with id 'p7' here (known: p1, p2)",
        "variations[0].set['horizon.start.day']: variation 'v0': "
        "'day' is inside a value that has no keys",
    ]
