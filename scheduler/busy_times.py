"""A person's busy blocks in UTC, held as compact columns.

A calendar snapshot holds hundreds of blocks per person, and a programme of a thousand
pairs some 700,000: one Python object each would cost more memory and time than the plan
itself. The blocks are kept sorted by start, as seconds since 1970 in `array('q')` columns
(numpy reads them without a copy; the validator, which imports no numpy, reads them as
sequences) with a status code per block. Subjects are never kept.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BLOCKING_STATUSES = frozenset({"busy", "oof"})
TentativePolicy = Literal["block", "avoid", "allow"]
# Status codes, in the order of the scenario format's `status` values.
STATUSES = ("busy", "tentative", "oof", "workingElsewhere", "free")
STATUS_CODE = {status: code for code, status in enumerate(STATUSES)}
BLOCKING_CODES = frozenset({STATUS_CODE["busy"], STATUS_CODE["oof"]})
TENTATIVE_CODE = STATUS_CODE["tentative"]


@dataclass(frozen=True, slots=True)
class Busy:
    """A busy block of a person's calendar, in UTC. Subjects are never kept."""

    start: datetime
    end: datetime
    status: str = "busy"

    def blocks(self, tentative: TentativePolicy) -> bool:
        if self.status in BLOCKING_STATUSES:
            return True
        return self.status == "tentative" and tentative == "block"

    def is_tentative(self) -> bool:
        return self.status == "tentative"


class BusyTimes(Sequence[Busy]):
    """Busy blocks sorted by (start, end): `starts` and `ends` in seconds since 1970 (UTC),
    `statuses` one code of `STATUSES` per block."""

    __slots__ = ("ends", "starts", "statuses")

    def __init__(self, starts: array[int], ends: array[int], statuses: bytes) -> None:
        self.starts = starts
        self.ends = ends
        self.statuses = statuses

    @classmethod
    def empty(cls) -> BusyTimes:
        return cls(array("q"), array("q"), b"")

    @classmethod
    def of(cls, blocks: Iterable[Busy]) -> BusyTimes:
        """From blocks read one by one (a calendar file, Graph), in any order."""
        rows = sorted(
            (_seconds(b.start), _seconds_up(b.end), STATUS_CODE[b.status])
            for b in blocks
            if b.end > b.start
        )
        return cls(
            array("q", (r[0] for r in rows)),
            array("q", (r[1] for r in rows)),
            bytes(r[2] for r in rows),
        )

    @classmethod
    def combined(cls, parts: Iterable[BusyTimes]) -> BusyTimes:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        rows = sorted(
            (start, end, status)
            for part in parts
            for start, end, status in zip(part.starts, part.ends, part.statuses, strict=True)
        )
        return cls(
            array("q", (r[0] for r in rows)),
            array("q", (r[1] for r in rows)),
            bytes(r[2] for r in rows),
        )

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> Busy:  # type: ignore[override]
        return Busy(
            EPOCH + timedelta(seconds=self.starts[index]),
            EPOCH + timedelta(seconds=self.ends[index]),
            STATUSES[self.statuses[index]],
        )

    def __iter__(self) -> Iterator[Busy]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BusyTimes)
            and self.starts == other.starts
            and self.ends == other.ends
            and self.statuses == other.statuses
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BusyTimes({len(self)} blocks)"


def _seconds(moment: datetime) -> int:
    """Whole seconds since 1970, rounded down (a block starts no later than written)."""
    delta = moment - EPOCH
    return delta.days * 86_400 + delta.seconds


def _seconds_up(moment: datetime) -> int:
    """Whole seconds since 1970, rounded up (a block ends no earlier than written)."""
    delta = moment - EPOCH
    return delta.days * 86_400 + delta.seconds + (1 if delta.microseconds else 0)
