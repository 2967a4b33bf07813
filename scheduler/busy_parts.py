"""Every person's busy list read on several processes, for a snapshot too large for one.

Reading is the only step of `tandem plan` before the groups are planned, and it ran on
one core while the other idled: the busy lists of a 3,000-pair snapshot (two million
entries) took 1.4 s of `tandem plan`'s reading of 2.3 s. People's lists are independent,
so they are cut into parts of about as many entries each; forked processes read all parts
but the first, which the parent reads meanwhile (measured at 3,000 pairs: 1.4 s -> 1.0 s;
threads gave 1.1 s, the parsing holding Python's lock for much of its time). A part comes
back as one set of columns and each person's rows, not as one small array per person:
pickling thousands of small arrays would cost more than reading them.

The result is the same as one `read_busy_lists` of every list: each person's entries and
errors depend on that person's list alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from scheduler.busy_entries import BusyEntries, read_busy_lists
from scheduler.errors import FieldError
from scheduler.forked_pool import forked_pool, usable_processes
from scheduler.heap import heap_frozen

log = logging.getLogger(__name__)

# Below this many entries one process reads faster than two start: forking and carrying a
# part back cost some 50 ms, the reading some 0.7 microseconds per entry (measured).
PARALLEL_FROM_ENTRIES = 200_000

PathOf = Callable[[int], str]

# Set in the parent before the processes fork: they inherit the lists instead of
# receiving them through a pipe.
_SHARED: tuple[list[dict[int, Any]], PathOf] | None = None


def read_busy_lists_in_parts(
    lists: dict[int, Any],
    processes: int,
    path_of: PathOf = lambda i: f"people[{i}].busy",
    parallel_from: int | None = None,
) -> tuple[dict[int, BusyEntries], list[FieldError]]:
    """`read_busy_lists(lists)`, on up to `processes` processes when the lists hold at
    least `parallel_from` entries (default `PARALLEL_FROM_ENTRIES`)."""
    least = PARALLEL_FROM_ENTRIES if parallel_from is None else parallel_from
    count = usable_processes(processes, len(lists))
    parts = _parts(lists, count) if count > 1 and _entries(lists) >= least else [lists]
    if len(parts) < 2:  # small, one process asked, or one person holds nearly all entries
        return read_busy_lists(lists, path_of)
    global _SHARED
    _SHARED = (parts, path_of)
    try:
        # The lists are no garbage; the children inherit them frozen.
        with heap_frozen(), forked_pool(len(parts) - 1) as pool:
            others = [pool.submit(_read_packed_part, part) for part in range(1, len(parts))]
            read = [read_busy_lists(parts[0], path_of)]
            read += [
                _part_read(parts[part], path_of, other) for part, other in enumerate(others, 1)
            ]
    finally:
        _SHARED = None
    found: dict[int, BusyEntries] = {}
    errors: list[FieldError] = []
    for part_found, part_errors in read:
        found.update(part_found)
        errors.extend(part_errors)
    return found, errors


def _part_read(
    part: dict[int, Any], path_of: PathOf, reading: Future[_Packed]
) -> tuple[dict[int, BusyEntries], list[FieldError]]:
    """A part as its process read it; read here if that process died (killed for its
    memory, say) or failed, so that nothing hangs and nothing is lost: the reading here
    gives the same result, or raises the failure itself."""
    try:
        return reading.result().unpacked()
    except Exception as failed:  # any failure there is retried here
        log.warning(
            "a process reading busy lists failed (%s); its part is read again here",
            type(failed).__name__,
        )
        return read_busy_lists(part, path_of)


def _entries(lists: dict[int, Any]) -> int:
    return sum(len(listed) for listed in lists.values() if isinstance(listed, list))


def _parts(lists: dict[int, Any], count: int) -> list[dict[int, Any]]:
    """Consecutive people, a new part begun where the entries so far pass the next share
    of all; at most `count` parts, none empty."""
    share = max(1, _entries(lists) // max(1, count))
    parts: list[dict[int, Any]] = [{}]
    taken = 0
    for index, listed in lists.items():
        if taken >= share * len(parts) and len(parts) < count:
            parts.append({})
        parts[-1][index] = listed
        taken += len(listed) if isinstance(listed, list) else 0
    return [part for part in parts if part]


def _read_packed_part(part: int) -> _Packed:
    assert _SHARED is not None
    parts, path_of = _SHARED
    return _Packed.of(*read_busy_lists(parts[part], path_of))


@dataclass(frozen=True)
class _Packed:
    """One part's entries as four columns and each person's rows; its errors."""

    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    naive: npt.NDArray[np.bool_]
    statuses: npt.NDArray[np.uint8]
    rows: dict[int, tuple[int, int]]
    errors: list[FieldError]

    @classmethod
    def of(cls, found: dict[int, BusyEntries], errors: list[FieldError]) -> _Packed:
        rows, at = {}, 0
        for index, entries in found.items():
            rows[index] = (at, at + len(entries.starts))
            at += len(entries.starts)
        people = list(found.values())

        def column(name: str, dtype: Any) -> Any:
            values = [getattr(entries, name) for entries in people]
            return np.concatenate(values) if values else np.zeros(0, dtype=dtype)

        return cls(
            column("starts", np.int64),
            column("ends", np.int64),
            column("naive", np.bool_),
            column("statuses", np.uint8),
            rows,
            errors,
        )

    def unpacked(self) -> tuple[dict[int, BusyEntries], list[FieldError]]:
        found = {
            index: BusyEntries(
                self.starts[first:stop],
                self.ends[first:stop],
                self.naive[first:stop],
                self.statuses[first:stop],
            )
            for index, (first, stop) in self.rows.items()
        }
        return found, self.errors
