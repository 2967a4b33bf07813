"""Errors a user can act on: each names the field (as a path) and the reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PathPart = str | int


def format_path(parts: Sequence[PathPart]) -> str:
    """`("pairs", 3, "mentor")` -> `pairs[3].mentor`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ScenarioError(Exception):
    """A scenario (or plan) that cannot be used; carries every problem found at once."""

    def __init__(self, errors: Iterable[FieldError], source: str | None = None) -> None:
        # Keep the order of discovery (document order), drop exact repeats.
        self.errors = list(dict.fromkeys(errors))
        self.source = source
        super().__init__("\n".join(str(error) for error in self.errors))


class ModelDefectError(AssertionError):
    """Strict mode: the model, the greedy and the validator disagree about a rule. Outside
    strict mode the planner falls back to a plan the validator accepts, with a note."""
