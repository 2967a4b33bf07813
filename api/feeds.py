"""A person's sessions as an ICS feed a calendar subscribes to.

Each event keeps its UID across plans; `SEQUENCE` is how often the session's start
changed since it was first placed, by the programme's history (a calendar takes the
higher one as the newer, so it never goes back, even for a session dropped and placed
again, whose plan counts its moves from nothing), `DTSTAMP` the time the feed was made. The
summary is the scenario's invitation subject, naming the other person: the subject
template's own placeholder for them, or "with <name>" after it when it has none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from string import Formatter
from typing import Any

from api.storage.models import ProgrammeSession
from connectors.session_calendar import SessionEvent, calendar_text, session_uid
from scheduler.scenario import Invitations

PRIVATE = ("private", "confidential")  # Outlook's sensitivities a calendar shows as private


def person_feed(
    programme_id: str,
    person: str,
    rows: Sequence[ProgrammeSession],
    scenario: dict[str, Any],
    plan: dict[str, Any] | None,
    made_at: datetime,
    sequences: dict[tuple[str, int], int],
) -> bytes:
    template = Invitations.model_validate(scenario.get("invitations") or {})
    names = {p["id"]: p.get("name") or p["id"] for p in scenario.get("people", [])}
    totals = _session_totals(plan)
    title = scenario.get("name") or ""
    events = (
        SessionEvent(
            uid=session_uid(programme_id, row.pair, row.index),
            start=row.start,
            end=row.end,
            mentor=row.mentor,
            mentee=row.mentee,
            check_in=row.kind == "supervision",
            sequence=max(sequences.get((row.pair, row.index), 0), row.moves),
            title=summary(template, row, person, _fields(row, names, totals[row.pair], title)),
            private=template.sensitivity in PRIVATE,
        )
        for row in rows
    )
    return calendar_text(events, made_at).encode("utf-8")


def _session_totals(plan: dict[str, Any] | None) -> Counter[str]:
    """Each pair's sessions in the plan, placed and unplaced: the templates' `{total}`."""
    if not plan:
        return Counter()
    return Counter(s["pair"] for s in [*plan.get("sessions", []), *plan.get("unplaced", [])])


def _fields(
    row: ProgrammeSession, names: dict[str, str], total: int, programme: str
) -> dict[str, Any]:
    """A check-in's row holds its coach as `mentor` and the supervised mentor as `mentee`."""
    first, second = names.get(row.mentor, row.mentor), names.get(row.mentee, row.mentee)
    people = (
        {"coach": first, "mentor": second}
        if row.kind == "supervision"
        else {"mentor": first, "executive": second}
    )
    return {**people, "programme": programme, "number": row.index + 1, "total": total}


def summary(
    template: Invitations, row: ProgrammeSession, person: str, fields: dict[str, Any]
) -> str:
    text = template.supervision_subject if row.kind == "supervision" else template.subject
    first, second = ("coach", "mentor") if row.kind == "supervision" else ("mentor", "executive")
    other = second if person == row.mentor else first
    rendered = text.format(**fields)
    if other in _placeholders(text):
        return rendered
    return f"{rendered} with {fields[other]}"


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}
