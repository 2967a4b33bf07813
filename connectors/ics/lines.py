"""An iCalendar file as components and content lines, each with the line of the file where
it begins: the reader names those lines in what it reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

NEWLINE = re.compile(r"\r?\n")  # as icalendar splits lines
PROPERTY_NAME = re.compile(r"([A-Za-z0-9-]+)[;:]")


class StructureError(Exception):
    """BEGIN and END lines that do not nest: nothing in the file can be trusted."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Line:
    """One content line, unfolded; `number` is the line of the file where it begins."""

    number: int
    text: str

    @property
    def name(self) -> str:
        """The property name in capitals, or "" for a line that is no property."""
        match = PROPERTY_NAME.match(self.text)
        return match[1].upper() if match else ""

    @property
    def value(self) -> str:
        """The text after the name and parameters (quoted parameters may hold colons)."""
        in_quotes = False
        for index, char in enumerate(self.text):
            if char == '"':
                in_quotes = not in_quotes
            elif char == ":" and not in_quotes:
                return self.text[index + 1 :]
        return ""


@dataclass
class Part:
    """A component (`BEGIN:VEVENT` ... `END:VEVENT`), its own lines and the components in it."""

    name: str
    begin: int
    lines: list[Line] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    def text(self) -> str:
        """The component as iCalendar text (unfolded), without its line numbers."""
        inner = "".join(part.text() for part in self.parts)
        own = "".join(f"{line.text}\r\n" for line in self.lines)
        return f"BEGIN:{self.name}\r\n{own}{inner}END:{self.name}\r\n"

    def first(self, name: str) -> Line | None:
        return next((line for line in self.lines if line.name == name), None)

    @property
    def uid(self) -> str | None:
        line = self.first("UID")
        return line.value.strip() if line else None


def read_parts(text: str) -> list[Part]:
    """The components at the top of the file (normally one VCALENDAR); lines outside any
    component are left out. StructureError when BEGIN and END lines do not match."""
    top: list[Part] = []
    open_parts: list[Part] = []
    for line in _unfolded(text):
        if line.name == "BEGIN":
            open_parts.append(Part(line.value.strip().upper(), line.number))
        elif line.name == "END":
            _close(open_parts, line, top)
        elif open_parts:
            open_parts[-1].lines.append(line)
    if open_parts:
        part = open_parts[-1]
        raise StructureError(part.begin, f"{part.name} without END:{part.name}")
    return top


def _close(open_parts: list[Part], line: Line, top: list[Part]) -> None:
    name = line.value.strip().upper()
    if not open_parts:
        raise StructureError(line.number, f"END:{name} without BEGIN:{name}")
    part = open_parts.pop()
    if part.name != name:
        raise StructureError(
            line.number, f"END:{name} where {part.name} of line {part.begin} should end"
        )
    (open_parts[-1].parts if open_parts else top).append(part)


def _unfolded(text: str) -> Iterator[Line]:
    """Content lines with folds undone (a line that begins with a space or a tab goes on
    the one before it); empty lines are dropped."""
    number, pieces = 0, list[str]()
    for index, physical in enumerate(NEWLINE.split(text), start=1):
        if physical[:1] in (" ", "\t") and pieces:
            pieces.append(physical[1:])
        elif physical:
            if pieces:
                yield Line(number, "".join(pieces))
            number, pieces = index, [physical]
    if pieces:
        yield Line(number, "".join(pieces))
