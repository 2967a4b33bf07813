"""A plan file as an agenda: who meets whom, when, in each person's local time.

`tandem agenda` shows it as a table, writes it as a CSV for a spreadsheet, or as one ICS
calendar per person. Every row is seen from one person's side (`person`, their local
date and times) with the other person's local times beside it; without a chosen person,
each session is seen from its executive's side (for a check-in: the supervised mentor's).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from connectors.documents import read_document
from connectors.session_calendar import SessionEvent, calendar_text, session_uid
from scheduler.errors import FieldError, ScenarioError
from scheduler.plan_format import PlanDocument, PlanSession


class AgendaError(ValueError):
    """A choice of the agenda that the plan cannot answer (unknown person, a week outside
    the plan): one line for the planner."""


@dataclass(frozen=True)
class AgendaRow:
    """One session seen from `person`'s side."""

    session: PlanSession
    person: str
    local_start: datetime  # in the person's own offset on that day
    other: str
    other_local_start: datetime

    @property
    def duration(self) -> timedelta:
        return self.session.end - self.session.start

    @property
    def local_end(self) -> datetime:
        return self.local_start + self.duration

    @property
    def other_local_end(self) -> datetime:
        return self.other_local_start + self.duration

    @property
    def label(self) -> str:
        return f"{self.session.pair} #{self.session.index}"

    @property
    def kind(self) -> str:
        return "check-in" if self.session.kind == "supervision" else "mentoring"


@dataclass(frozen=True)
class Agenda:
    scenario: str
    sessions: list[PlanSession]
    people: list[str]  # everyone the plan names, placed or not, sorted


def read_agenda(path: Path) -> Agenda:
    """The plan file at `path`; a ScenarioError when it is no plan (a scenario given by
    mistake, another document) or a field of it is wrong."""
    data = read_document(path).data
    if not isinstance(data, dict) or "sessions" not in data:
        hint = (
            " (it looks like a scenario: plan it first with `tandem plan SCENARIO --out PLAN.json`)"
            if isinstance(data, dict) and "pairs" in data
            else " (`tandem plan SCENARIO --out PLAN.json` writes one)"
        )
        raise ScenarioError([FieldError(str(path), f"is not a plan: no `sessions`{hint}")])
    plan = PlanDocument.read(data, str(path))
    people = {p for s in plan.sessions for p in (s.mentor, s.mentee)}
    people |= {p for u in plan.unplaced for p in u.people}
    ordered = sorted(plan.sessions, key=lambda s: (s.start, s.pair, s.index))
    return Agenda(plan.scenario, ordered, sorted(people))


def agenda_rows(agenda: Agenda, person: str | None, week: date | None) -> list[AgendaRow]:
    """The rows of `person` (or of every session), in the week starting on Monday `week`
    (the row person's local dates) or over the whole plan."""
    if person is not None and person not in agenda.people:
        known = ", ".join(agenda.people[:8]) + (", ..." if len(agenda.people) > 8 else "")
        raise AgendaError(f"--person {person}: not in this plan (its people: {known})")
    rows = [row for s in agenda.sessions for row in _rows_of(s, person)]
    if week is None:
        return rows
    _check_week(agenda, week)
    return [r for r in rows if week <= r.local_start.date() < week + timedelta(days=7)]


def _rows_of(session: PlanSession, person: str | None) -> list[AgendaRow]:
    sides = ((session.mentee, session.mentor), (session.mentor, session.mentee))
    return [
        AgendaRow(session, me, _local(session, me), other, _local(session, other))
        for me, other in sides
        if (person is None and me == session.mentee) or me == person
    ]


def _local(session: PlanSession, person: str) -> datetime:
    """The start in the person's offset, as the plan wrote it (`mentee_local`,
    `mentor_local`); the UTC start when the plan gives none."""
    local = session.mentee_local if person == session.mentee else session.mentor_local
    return local or session.start


def _check_week(agenda: Agenda, week: date) -> None:
    if week.weekday() != 0:
        monday = week - timedelta(days=week.weekday())
        raise AgendaError(f"--week {week}: a {week:%A}; give the week's Monday ({monday})")
    if not agenda.sessions:
        raise AgendaError(f"--week {week}: the plan has no session placed")
    first = _monday(agenda.sessions[0].start.date()) - timedelta(days=7)  # far time zones
    last = _monday(agenda.sessions[-1].start.date()) + timedelta(days=7)
    if not first <= week <= last:
        raise AgendaError(
            f"--week {week}: outside the plan (its sessions lie in the weeks of "
            f"{_monday(agenda.sessions[0].start.date())} to "
            f"{_monday(agenda.sessions[-1].start.date())})"
        )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def offset_text(moment: datetime) -> str:
    """`UTC+01:00`: the plan keeps each person's offset, not their zone's name."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


CSV_COLUMNS = (
    "date",
    "start",
    "end",
    "utc_offset",
    "person",
    "with",
    "their_date",
    "their_start",
    "their_end",
    "their_utc_offset",
    "pair",
    "session",
    "kind",
    "start_utc",
)


def agenda_csv(rows: Iterable[AgendaRow]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads names in any script; dates and
    times in separate columns (ISO dates, 24-hour times) that a spreadsheet sorts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                *_date_and_times(r.local_start, r.local_end),
                r.person,
                r.other,
                *_date_and_times(r.other_local_start, r.other_local_end),
                r.session.pair,
                r.session.index,
                r.kind,
                r.session.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _date_and_times(start: datetime, end: datetime) -> list[str]:
    return [start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}", offset_text(start)]


def agenda_calendars(
    agenda: Agenda, person: str | None, week: date | None, stamp: datetime
) -> dict[str, str]:
    """One ICS calendar per person (the chosen one, or everyone with a session): the same
    neutral, private events as the service's feed."""
    people = [person] if person is not None else agenda.people
    calendars = {}
    for someone in people:
        rows = agenda_rows(agenda, someone, week)
        if rows or someone == person:
            calendars[someone] = calendar_text((_event(agenda, r) for r in rows), stamp)
    return calendars


def _event(agenda: Agenda, row: AgendaRow) -> SessionEvent:
    s = row.session
    return SessionEvent(
        uid=session_uid(_safe(agenda.scenario) or "plan", s.pair, s.index),
        start=s.start,
        end=s.end,
        mentor=s.mentor,
        mentee=s.mentee,
        check_in=s.kind == "supervision",
    )


def calendar_file_name(person: str) -> str:
    """A file name for the person's calendar that no id can turn into a path elsewhere."""
    return f"{_safe(person) or 'person'}.ics"


def _safe(text: str) -> str:
    """Letters, digits, `-`, `_` and inner dots only: a file name, a part of a uid."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip(".")
