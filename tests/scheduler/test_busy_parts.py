"""Busy lists read in parts on several processes give what one reading of them all gives:
each person's entries, and every error with its place."""

from __future__ import annotations

import os
import signal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import busy_parts
from scheduler.busy_entries import BusyEntries, read_busy_lists
from scheduler.busy_parts import _parts, read_busy_lists_in_parts
from scheduler.errors import ScenarioError
from scheduler.scenario_checks import validate_scenario
from tests.builders import executive, mentor, scenario
from tests.watchdog import failing_if_it_hangs

COMPACT = [
    "2027-01-04T08:00:00Z/2027-01-04T09:00:00Z",
    "2027-01-05T10:00:00Z/2027-01-05T11:00:00Z oof",
    "2027-01-06T09:00/2027-01-06T09:30 tentative",
    "2027-01-07T10:00+01:00/2027-01-07T11:30+01:00",
]
MAPPING = {"start": "2027-01-08T09:00", "end": "2027-01-08T10:00", "status": "tentative"}
WRONG = [
    "2027-01-07T10:00:00Z/2027-01-07T09:00:00Z",  # end before start
    "2027-01-07T10:00:00Z 2027-01-07T11:00:00Z",  # no slash
    {"start": "2027-01-08T09:00"},  # no end
    "not a time",
    17,
]

busy_lists = st.dictionaries(
    st.integers(0, 40),
    st.one_of(
        st.lists(st.sampled_from(COMPACT), min_size=1, max_size=6),
        st.lists(st.sampled_from([*COMPACT, MAPPING]), max_size=6),
        st.lists(st.sampled_from([*COMPACT, MAPPING, *WRONG]), max_size=6),
        st.just("no list"),
    ),
    max_size=12,
)


def as_rows(found: dict[int, BusyEntries]) -> dict[int, list[tuple[int, int, bool, int]]]:
    return {
        index: list(
            zip(
                entries.starts.tolist(),
                entries.ends.tolist(),
                entries.naive.tolist(),
                entries.statuses.tolist(),
                strict=True,
            )
        )
        for index, entries in found.items()
    }


@settings(max_examples=25, deadline=None)  # each example forks
@given(busy_lists, st.integers(2, 3))
def test_reading_in_parts_gives_what_one_reading_gives(
    lists: dict[int, Any], processes: int
) -> None:
    one_found, one_errors = read_busy_lists(lists)
    found, errors = read_busy_lists_in_parts(lists, processes, parallel_from=0)
    assert as_rows(found) == as_rows(one_found)
    assert sorted(map(str, errors)) == sorted(map(str, one_errors))
    for entries in found.values():  # columns of the right kinds, as the planner reads them
        assert entries.starts.dtype == np.int64 and entries.naive.dtype == np.bool_


@given(busy_lists, st.integers(1, 4))
def test_parts_keep_every_person_once_in_order_and_cut_by_entries(
    lists: dict[int, Any], count: int
) -> None:
    parts = _parts(lists, count)
    assert [index for part in parts for index in part] == list(lists)
    assert len(parts) <= count and all(parts)


def test_parts_share_the_entries_about_evenly() -> None:
    lists = {index: COMPACT * (1 + index % 3) for index in range(300)}
    sizes = [sum(map(len, part.values())) for part in _parts(lists, 2)]
    assert len(sizes) == 2 and abs(sizes[0] - sizes[1]) <= 3 * len(COMPACT)


def test_a_scenario_read_on_two_processes_names_the_wrong_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = [mentor("m1"), executive("e1")]
    raw = scenario(people, [])
    raw["people"][0]["busy"] = COMPACT * 30
    raw["people"][1]["busy"] = [*COMPACT * 30, WRONG[0]]
    lists = {0: raw["people"][0]["busy"], 1: raw["people"][1]["busy"][:-1]}
    monkeypatch.setattr(busy_parts, "PARALLEL_FROM_ENTRIES", 0)
    with pytest.raises(ScenarioError) as invalid:
        validate_scenario(raw, "s.yaml", processes=2)
    assert [str(e) for e in invalid.value.errors] == [
        "people[1].busy[120]: end must be after start"
    ]
    del raw["people"][1]["busy"][-1]
    read = validate_scenario(raw, "s.yaml", processes=2)
    assert sorted(read._busy) == [0, 1]  # read by the reading, not later by `busy_of`
    assert as_rows(read._busy) == as_rows(read_busy_lists(lists)[0])


def _killed(part: int) -> None:
    """A reading process killed mid-way (as the kernel's out-of-memory killer would)."""
    os.kill(os.getpid(), signal.SIGKILL)


def _failed(part: int) -> None:
    raise MemoryError  # a reading process that ran out of memory and said so


@pytest.mark.parametrize("dies", [_killed, _failed])
def test_a_part_whose_process_died_is_read_again_and_nothing_hangs(
    monkeypatch: pytest.MonkeyPatch, dies: Any
) -> None:
    lists = {index: COMPACT * (1 + index % 4) for index in range(60)}
    lists[45] = [*COMPACT, WRONG[0]]  # in the last part, read by a process
    monkeypatch.setattr(busy_parts, "_read_packed_part", dies)
    with failing_if_it_hangs(120):
        found, errors = read_busy_lists_in_parts(lists, 2, parallel_from=0)
    one_found, one_errors = read_busy_lists(lists)
    assert as_rows(found) == as_rows(one_found) and len(found) == 59
    assert (
        [str(e) for e in errors]
        == [str(e) for e in one_errors]
        == ["people[45].busy[4]: end must be after start"]
    )
