"""Python's cyclic garbage collector around Tandem's bulk data.

A scenario read is millions of small objects (people, busy times, sessions) that live as
long as the plan is made and hold no reference cycles: reference counting frees them. The
cyclic collector cannot know that: each of its full collections walked all of them (a
decline's re-plan of a 1,000-pair programme spent about a second in it, `tandem plan` of
3,000 pairs 0.7 s), and a process forked to plan part of the groups, walking what it
inherited, copied every page it touched. So the collector pauses while such data is made,
and a heap that children inherit is frozen (out of the collector's sight, still freed by
reference counting) while they run; the children collect what they make.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside; as it was after (pauses nest)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Every object made before is out of the collector's sight inside; children forked
    inside inherit it frozen. An outer freeze stays whole: only the outermost thaws."""
    outermost = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if outermost:
            gc.unfreeze()


def collect_own_objects() -> None:
    """In a process just forked: collect what it makes (its parent may have paused the
    collector; what it inherited is frozen)."""
    gc.enable()
