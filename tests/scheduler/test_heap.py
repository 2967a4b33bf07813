"""The collector pauses and freezes nest: an inner one never undoes an outer one early."""

from __future__ import annotations

import gc

import pytest

from scheduler.heap import collector_paused, heap_frozen


def test_an_inner_pause_leaves_the_outer_one_paused() -> None:
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_paused_collector_comes_back_after_a_failure() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the database went away")
    assert gc.isenabled()


def test_a_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_was_made_before_is_frozen_inside_and_thawed_after_the_outermost() -> None:
    before = gc.get_freeze_count()
    assert before == 0  # nothing in the tests freezes for good
    made = [{"busy": [n]} for n in range(1000)]
    with heap_frozen():
        frozen = gc.get_freeze_count()
        assert frozen >= len(made)
        with heap_frozen():
            pass
        assert gc.get_freeze_count() >= frozen  # the inner one did not thaw the outer's
    assert gc.get_freeze_count() == 0
