"""What reading one calendar file found: problems that make a busy time unknowable (the
file is refused) and parts that were skipped because they cannot matter (warnings). Each
names the line of the file and the component it is in (its kind, UID or TZID, and BEGIN
line); none quotes a subject, a place or a description."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.ics.lines import Part

KINDS = {
    "VEVENT": "event",
    "VALARM": "alarm",
    "VTIMEZONE": "time zone definition",
    "VFREEBUSY": "free/busy block",
}


def described(part: Part, line: int) -> str:
    """`event UID board-sync (VEVENT of line 12)`: the component a line of it is in."""
    kind = KINDS.get(part.name, part.name.lower())
    tzid = part.first("TZID") if part.name == "VTIMEZONE" else None
    if tzid is not None:
        kind += f" TZID {tzid.value.strip()!r}"
    elif part.uid:
        kind += f" UID {part.uid}"
    elif part.name == "VEVENT":
        kind += " without UID"
    begin = "" if line == part.begin else f" of line {part.begin}"
    return f"{kind} ({part.name}{begin})"


@dataclass
class Findings:
    source: str  # the file, as the scenario names it
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def problem(self, line: int, message: str, part: Part | None = None) -> None:
        self.problems.append((line, _in_part(line, message, part)))

    def warning(self, line: int, message: str, part: Part | None = None) -> None:
        self.warnings.append((line, _in_part(line, message, part)))

    def problem_texts(self) -> list[str]:
        return self._texts(self.problems)

    def warning_texts(self) -> list[str]:
        return self._texts(self.warnings)

    def _texts(self, found: list[tuple[int, str]]) -> list[str]:
        ordered = sorted(dict.fromkeys(found), key=lambda item: item[0])
        return [f"{self.source}: line {line}: {message}" for line, message in ordered]


def _in_part(line: int, message: str, part: Part | None) -> str:
    return f"{described(part, line)}: {message}" if part is not None else message
