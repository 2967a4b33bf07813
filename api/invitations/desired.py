"""The meetings a plan wants: for each placed session, who organises, who attends, when,
and what the invitation says (from the programme's template)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.graph.meetings import meeting_zone
from scheduler.domain import Pair
from scheduler.errors import FieldError, ScenarioError
from scheduler.plan_format import PlanDocument
from scheduler.scenario import Invitations, PairEntry, PersonEntry, Scenario
from scheduler.supervision import check_in_pairs

SessionKey = tuple[str, int]


@dataclass(frozen=True)
class WantedMeeting:
    pair: str
    index: int
    organiser: str
    attendees: tuple[tuple[str, str | None], ...]
    time_zone: str
    content: dict[str, Any]
    start: datetime  # UTC
    end: datetime

    @property
    def who(self) -> tuple[Any, ...]:
        """What cannot change on a live meeting: changing it means a new meeting."""
        return (self.organiser.lower(), tuple(a.lower() for a, _ in self.attendees))


def wanted_meetings(scenario: Scenario, plan: PlanDocument) -> dict[SessionKey, WantedMeeting]:
    people = {person.id: (number, person) for number, person in enumerate(scenario.people)}
    totals = Counter([*(s.pair for s in plan.sessions), *(u.pair for u in plan.unplaced)])
    _require_emails(plan, people)
    check_ins = {pair.id for pair in check_in_pairs(scenario)}
    wanted = {}
    for session in plan.sessions:
        first, second = people[session.mentor][1], people[session.mentee][1]
        number = {"number": session.index + 1, "total": totals[session.pair]}
        if session.pair in check_ins:
            meeting = _check_in(scenario, first, second, number)
        else:
            meeting = _mentoring(scenario, first, second, number)
        wanted[session.key] = WantedMeeting(
            session.pair,
            session.index,
            *meeting,
            start=session.start.astimezone(UTC),
            end=session.end.astimezone(UTC),
        )
    return wanted


# Who organises, who attends, in which zone, and what the meeting says.
Meeting = tuple[str, tuple[tuple[str, str | None], ...], str, dict[str, Any]]


def _mentoring(
    scenario: Scenario, mentor: PersonEntry, executive: PersonEntry, number: dict[str, int]
) -> Meeting:
    """The mentor organises (or the programme's mailbox, with the mentor attending); the
    executive attends."""
    template = scenario.invitations
    fields = {
        "mentor": mentor.name or mentor.id,
        "executive": executive.name or executive.id,
        "programme": scenario.name or "",
        **number,
    }
    by_mailbox = template.organizer != "mentor"
    attendees = [(str(executive.email), executive.name)]
    if by_mailbox:  # the mentor must receive it too; still nobody else
        attendees.insert(0, (str(mentor.email), mentor.name))
    texts = (template.subject, template.body, template.cancel_comment)
    return (
        template.organizer if by_mailbox else str(mentor.email),
        tuple(attendees),
        meeting_zone(mentor.timezone or scenario.timezone),
        _content(template, texts, fields),
    )


def _check_in(
    scenario: Scenario, coach: PersonEntry, mentor: PersonEntry, number: dict[str, int]
) -> Meeting:
    """A supervision check-in: the coach organises, the mentor attends (a programme
    mailbox organises mentoring sessions only)."""
    template = scenario.invitations
    fields = {
        "coach": coach.name or coach.id,
        "mentor": mentor.name or mentor.id,
        "programme": scenario.name or "",
        **number,
    }
    texts = (template.supervision_subject, template.supervision_body, CHECK_IN_CANCEL)
    return (
        str(coach.email),
        ((str(mentor.email), mentor.name),),
        meeting_zone(coach.timezone or scenario.timezone),
        _content(template, texts, fields),
    )


CHECK_IN_CANCEL = "This check-in is no longer planned at this time."


def _content(
    template: Invitations, texts: tuple[str, str, str], fields: dict[str, Any]
) -> dict[str, Any]:
    subject, body, cancel_comment = texts
    return {
        "subject": subject.format(**fields),
        "body": body.format(**fields),
        "cancel_comment": cancel_comment.format(**fields),
        "sensitivity": template.sensitivity,
        "teams": template.teams,
    }


def parse_instant(text: str) -> datetime:
    """A plan's or a stored time (`Z` or an offset) as a datetime."""
    return datetime.fromisoformat(text)


def _require_emails(plan: PlanDocument, people: dict[str, tuple[int, PersonEntry]]) -> None:
    """Everyone with a placed session needs an address before anything is sent."""
    missing = sorted(
        {
            people[person_id][0]
            for session in plan.sessions
            for person_id in (session.mentor, session.mentee)
            if not people[person_id][1].email
        }
    )
    if missing:
        raise ScenarioError(
            [
                FieldError(f"people[{number}].email", "required: invitations go through Outlook")
                for number in missing
            ]
        )


def check_plan_against(scenario: Scenario, plan: Any, source: str) -> None:
    """A plan names the scenario's pairs and people, and times with offsets."""
    if not isinstance(plan, dict) or not isinstance(plan.get("sessions"), list):
        raise ScenarioError([FieldError("sessions", "required: a plan from `tandem plan`")], source)
    pairs: dict[str, PairEntry | Pair] = {pair.id: pair for pair in scenario.pairs}
    pairs |= {pair.id: pair for pair in check_in_pairs(scenario)}
    errors = []
    for number, session in enumerate(plan["sessions"]):
        where = f"sessions[{number}]"
        if not isinstance(session, dict):
            errors.append(FieldError(where, "must be a session"))
            continue
        pair = pairs.get(str(session.get("pair")))
        if pair is None:
            errors.append(FieldError(f"{where}.pair", f"unknown pair '{session.get('pair')}'"))
        elif (session.get("mentor"), session.get("mentee")) != (pair.mentor, pair.mentee):
            errors.append(FieldError(where, f"mentor and mentee are not those of pair '{pair.id}'"))
        errors.extend(_instant_errors(session, where))
        if session.get("status", "booked") != "booked":  # written by hand: not a plan yet
            errors.append(
                FieldError(
                    f"{where}.status",
                    f"a {session['status']} session is not sent: re-plan first "
                    "(tandem plan --current)",
                )
            )
    if errors:
        raise ScenarioError(errors, source)


def _instant_errors(session: dict[str, Any], where: str) -> list[FieldError]:
    errors = []
    moments = []
    for key in ("start", "end"):
        try:
            moment = parse_instant(str(session.get(key)))
        except ValueError:
            errors.append(FieldError(f"{where}.{key}", "not a date and time"))
            continue
        if moment.tzinfo is None:
            errors.append(FieldError(f"{where}.{key}", "needs an offset (a plan's times do)"))
        moments.append(moment)
    if not errors and moments[0] >= moments[1]:
        errors.append(FieldError(f"{where}.end", "must be after start"))
    if not isinstance(session.get("index"), int):
        errors.append(FieldError(f"{where}.index", "must be a number"))
    return errors
