"""Scenario people with `calendar: {graph: true}`: their free/busy read through Graph."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from connectors.graph.auth import GraphAuthError
from connectors.graph.client import GraphClient, GraphError, Schedule
from connectors.graph.settings import GraphSettings
from connectors.graph.zone_agreement import first_disagreement
from connectors.ics import utc_window
from scheduler import scenario as doc
from scheduler.domain import Busy
from scheduler.errors import FieldError
from scheduler.plan_format import instant_text
from scheduler.problem import horizon_end_day
from scheduler.zone_text import zone_named

GraphPeople = list[tuple[int, doc.PersonEntry]]
Window = tuple[datetime, datetime]


def read_graph_calendars(
    scenario: doc.Scenario, people: GraphPeople, settings: GraphSettings | None = None
) -> tuple[doc.Scenario, dict[str, list[Busy]], list[FieldError]]:
    """Busy times by person id, the scenario with mailbox working hours filled in where it
    gave none, and an error for each person Graph could not read."""
    try:
        settings = settings or GraphSettings()  # from the environment
    except ValidationError as invalid:
        return scenario, {}, [_settings_error(people, invalid)]
    window = utc_window(scenario.horizon.start, horizon_end_day(scenario.horizon))
    client = GraphClient(settings)
    try:
        schedules = client.schedules([str(p.email) for _, p in people], *window)
    except (GraphError, GraphAuthError) as problem:
        return scenario, {}, [FieldError(f"people[{people[0][0]}].calendar.graph", str(problem))]
    finally:
        client.close()
    errors = [
        FieldError(
            f"people[{i}].calendar.graph",
            f"Graph could not read {p.email}: {schedules[str(p.email)].error}",
        )
        for i, p in people
        if schedules[str(p.email)].error
    ]
    calendars = {p.id: schedules[str(p.email)].busy for _, p in people}
    filled, hours_errors = _with_mailbox_hours(scenario, people, schedules, window)
    return filled, calendars, errors + hours_errors


def _settings_error(people: GraphPeople, invalid: ValidationError) -> FieldError:
    problems = "; ".join(
        f"TANDEM_GRAPH_{str(e['loc'][0]).upper()}: {e['msg']}" if e["loc"] else str(e["msg"])
        for e in invalid.errors()
    )
    return FieldError(f"people[{people[0][0]}].calendar.graph", f"Graph settings: {problems}")


def _with_mailbox_hours(
    scenario: doc.Scenario, people: GraphPeople, schedules: dict[str, Schedule], window: Window
) -> tuple[doc.Scenario, list[FieldError]]:
    """Working hours and their zone from the mailbox, where the scenario states none."""
    updated = list(scenario.people)
    errors = []
    for index, person in people:
        schedule = schedules[str(person.email)]
        if "working_hours" in person.model_fields_set or not schedule.working_hours:
            continue
        try:
            updated[index] = person.model_copy(update=_mailbox_hours(person, schedule, window))
        except ValueError as problem:
            errors.append(FieldError(f"people[{index}].working_hours", str(problem)))
    return scenario.model_copy(update={"people": updated}), errors


def _mailbox_hours(
    person: doc.PersonEntry, schedule: Schedule, window: Window
) -> dict[str, object]:
    """The mailbox's working hours, with its zone when the scenario gives the person none.

    Hours are only ever read in the zone the mailbox states them in: when that zone cannot
    be read, or the scenario puts the person in a zone whose clock differs from it, the
    scenario must state the hours itself (ValueError says so)."""
    mailbox = schedule.mailbox
    assert mailbox is not None and mailbox.hours is not None
    if mailbox.zone is None:
        raise ValueError(
            f"the mailbox of {person.email} states working hours in a time zone Tandem cannot "
            f"read ({mailbox.zone_problem}); give this person's working_hours and timezone in "
            "the scenario (a timezone alone does not say which zone the mailbox means)"
        )
    if person.timezone is None:
        return {"working_hours": mailbox.hours, "timezone": mailbox.zone.text}
    differ = first_disagreement(zone_named(person.timezone), mailbox.zone.zone, *window)
    if differ is not None:
        raise ValueError(
            f"the mailbox of {person.email} states working hours in {mailbox.zone.text}, but "
            f"the scenario puts this person in {person.timezone}, whose clock differs from "
            f"{instant_text(differ)}; give this person's working_hours in the scenario, or "
            "leave out their timezone"
        )
    return {"working_hours": mailbox.hours}
