"""Ids in reading order: numbers inside them compare as numbers."""

from hypothesis import given
from hypothesis import strategies as st

from scheduler.natural_order import natural_key


def test_numbers_inside_ids_compare_as_numbers() -> None:
    ids = ["ne-exec-10", "ne-exec-2", "NE-exec-3", "ne-exec-1", "ne-mentor-1", "coach"]
    assert sorted(ids, key=natural_key) == [
        "coach",
        "ne-exec-1",
        "ne-exec-2",
        "NE-exec-3",
        "ne-exec-10",
        "ne-mentor-1",
    ]


def test_a_number_of_several_parts_compares_part_by_part() -> None:
    ids = ["v1.10", "v1.9", "v2", "v1.9.1"]
    assert sorted(ids, key=natural_key) == ["v1.9", "v1.9.1", "v1.10", "v2"]


@given(st.lists(st.text(alphabet="ab-01239", max_size=8), max_size=12))
def test_the_order_is_total_and_the_same_whatever_the_order_given(ids: list[str]) -> None:
    # Sorting is stable: with ties (`a01` and `a1`), the order given would show through.
    backwards = list(reversed(ids))
    assert sorted(ids, key=natural_key) == sorted(backwards, key=natural_key)
