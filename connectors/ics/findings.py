"""What reading one calendar file found: problems that make a busy time unknowable (the
file is refused) and parts that were skipped because they cannot matter (warnings). Each
names the line of the file; none quotes a subject, a place or a description."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.ics.lines import Part

KINDS = {
    "VEVENT": "event",
    "VALARM": "alarm",
    "VTIMEZONE": "time zone definition",
    "VFREEBUSY": "free/busy block",
    "VCALENDAR": "calendar",
}


def described(part: Part) -> str:
    """`event UID board-sync (line 12)`: a component as the messages name it."""
    kind = KINDS.get(part.name, part.name)
    uid = part.uid
    named = f" UID {uid}" if uid else (" without UID" if part.name == "VEVENT" else "")
    return f"{kind} ({part.name}){named} of line {part.begin}"


@dataclass
class Findings:
    source: str  # the file, as the scenario names it
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def warning(self, line: int, message: str) -> None:
        self.warnings.append((line, message))

    def problem_texts(self) -> list[str]:
        return self._texts(self.problems)

    def warning_texts(self) -> list[str]:
        return self._texts(self.warnings)

    def _texts(self, found: list[tuple[int, str]]) -> list[str]:
        ordered = sorted(dict.fromkeys(found), key=lambda item: item[0])
        return [f"{self.source}: line {line}: {message}" for line, message in ordered]
