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


MOST_REPORTED = 100  # problems shown at once: enough to act on, a bounded answer
PATH_SHOWN, MESSAGE_SHOWN = 200, 500  # characters: a message never echoes a 1 MB value


class ScenarioError(Exception):
    """A scenario (or plan) that cannot be used; carries the problems found, all at once
    up to `MOST_REPORTED` (then a last line counts the rest), each cut to a readable
    length."""

    def __init__(self, errors: Iterable[FieldError], source: str | None = None) -> None:
        # Keep the order of discovery (document order), drop exact repeats.
        found = [_shortened(error) for error in dict.fromkeys(errors)]
        self.total = len(found)  # all the problems, shown or not
        if len(found) > MOST_REPORTED:
            more = len(found) - MOST_REPORTED + 1
            found = [*found[: MOST_REPORTED - 1], FieldError("(more)", f"{more:,} more not shown")]
        self.errors = found
        self.source = source
        super().__init__("\n".join(str(error) for error in self.errors))


class ModelDefectError(AssertionError):
    """Strict mode: the model, the greedy and the validator disagree about a rule. Outside
    strict mode the planner falls back to a plan the validator accepts, with a note."""


def _shortened(error: FieldError) -> FieldError:
    if len(error.path) <= PATH_SHOWN and len(error.message) <= MESSAGE_SHOWN:
        return error
    return FieldError(_cut(error.path, PATH_SHOWN), _cut(error.message, MESSAGE_SHOWN))


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
