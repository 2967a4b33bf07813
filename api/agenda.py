"""`tandem agenda`: a plan shown as a table in the terminal, or written as CSV or ICS."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from itertools import groupby

from rich.console import Console
from rich.table import Table

from api.cli_environment import CommandError, writable_file, writable_folder, write_atomically
from connectors.agenda import (
    Agenda,
    AgendaError,
    AgendaRow,
    agenda_calendars,
    agenda_csv,
    agenda_rows,
    calendar_file_name,
    offset_text,
    read_agenda,
)


def run_agenda(args: argparse.Namespace) -> int:
    if args.format == "ics":
        if args.out is None:
            raise CommandError("--format ics writes one file per person: give --out FOLDER")
        writable_folder(args.out, "--out")
    elif args.out is not None:
        writable_file(args.out, "--out")
    agenda = read_agenda(args.plan)
    try:
        if args.format == "ics":
            _write_calendars(agenda, args)
        elif args.format == "csv":
            _write_csv(agenda_rows(agenda, args.person, args.week), args)
        else:
            _print_table(agenda, agenda_rows(agenda, args.person, args.week), args)
    except AgendaError as wrong:
        raise CommandError(str(wrong)) from None
    return 0


def _write_csv(rows: list[AgendaRow], args: argparse.Namespace) -> None:
    data = agenda_csv(rows)
    if args.out is None:
        print(data.decode("utf-8-sig"), end="")
        return
    write_atomically(args.out, data)
    print(f"{len(rows)} sessions written to {args.out} (CSV, UTF-8)")


def _write_calendars(agenda: Agenda, args: argparse.Namespace) -> None:
    calendars = agenda_calendars(agenda, args.person, args.week, datetime.now(UTC))
    for person, text in calendars.items():
        write_atomically(args.out / calendar_file_name(person), text.encode("utf-8"))
    print(f"{len(calendars)} calendars (one per person) written to {args.out}")


def _print_table(agenda: Agenda, rows: list[AgendaRow], args: argparse.Namespace) -> None:
    # Piped into a file or a pager, rows stay whole lines rather than wrapped at 80 columns.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    if not rows:
        whose = f" of {args.person}" if args.person else ""
        when = f" in the week of {args.week}" if args.week else ""
        console.print(f"No session{whose}{when} is placed in this plan.")
        return
    for monday, week_rows in groupby(rows, key=lambda r: _monday(r.local_start.date())):
        console.print(_week_table(agenda, monday, list(week_rows), args.person))
    console.print(
        "Times are each person's local time (their offset from UTC on that day). "
        "CSV for a spreadsheet: --format csv; calendars: --format ics --out FOLDER."
    )


def _week_table(agenda: Agenda, monday: date, rows: list[AgendaRow], person: str | None) -> Table:
    whose = person or "every session, in its executive's local time"
    table = Table(title=f"{agenda.scenario}: week of {monday} ({whose})", title_justify="left")
    headers = ["Person"] if person is None else []
    for header in [*headers, "Date", "Time", "With", "Their time", "Session"]:
        table.add_column(header, no_wrap=True)
    for r in rows:
        cells = [
            f"{r.local_start:%a %Y-%m-%d}",
            _times(r.local_start, r.local_end),
            r.other,
            _their_time(r),
            f"{r.label}{' (check-in)' if r.kind == 'check-in' else ''}",
        ]
        table.add_row(*([r.person] if person is None else []), *cells)
    return table


def _times(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}-{end:%H:%M} {offset_text(start)}"


def _their_time(row: AgendaRow) -> str:
    """The other person's times; their date too when it is another day than the row's."""
    day = (
        ""
        if row.other_local_start.date() == row.local_start.date()
        else (f"{row.other_local_start:%a} ")
    )
    return day + _times(row.other_local_start, row.other_local_end)


def _monday(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())
