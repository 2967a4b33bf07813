"""What changed between two plans: sessions added, removed and moved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SessionKey = tuple[str, int]


@dataclass(frozen=True)
class PlanDiff:
    added: list[tuple[SessionKey, datetime]]
    removed: list[tuple[SessionKey, datetime]]
    moved: list[tuple[SessionKey, datetime, datetime]]  # key, old start, new start

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.removed) + len(self.moved)


def diff_plans(
    old: Sequence[tuple[SessionKey, datetime]], new: Sequence[tuple[SessionKey, datetime]]
) -> PlanDiff:
    before, after = dict(old), dict(new)
    return PlanDiff(
        added=sorted((key, after[key]) for key in after.keys() - before.keys()),
        removed=sorted((key, before[key]) for key in before.keys() - after.keys()),
        moved=sorted(
            (key, before[key], after[key])
            for key in before.keys() & after.keys()
            if before[key] != after[key]
        ),
    )
