"""Scenario people with `calendar: {graph: true}`: their free/busy read through Graph."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import ValidationError

from connectors.graph.auth import GraphAuthError
from connectors.graph.client import GraphClient, GraphError, Schedule
from connectors.graph.settings import GraphSettings
from connectors.ics import utc_window
from scheduler import scenario as doc
from scheduler.domain import Busy
from scheduler.errors import FieldError
from scheduler.problem import horizon_end_day

GraphPeople = list[tuple[int, doc.PersonEntry]]


def read_graph_calendars(
    scenario: doc.Scenario, people: GraphPeople, settings: GraphSettings | None = None
) -> tuple[doc.Scenario, dict[str, list[Busy]], list[FieldError]]:
    """Busy times by person id, the scenario with mailbox working hours filled in where it
    gave none, and an error for each person Graph could not read."""
    try:
        settings = settings or GraphSettings()  # from the environment
    except ValidationError as invalid:
        return scenario, {}, [_settings_error(people, invalid)]
    start, end = utc_window(scenario.horizon.start, horizon_end_day(scenario.horizon))
    client = GraphClient(settings)
    try:
        schedules = client.schedules([str(p.email) for _, p in people], start, end)
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
    return _with_mailbox_hours(scenario, people, schedules), calendars, errors


def _settings_error(people: GraphPeople, invalid: ValidationError) -> FieldError:
    problems = "; ".join(
        f"TANDEM_GRAPH_{str(e['loc'][0]).upper()}: {e['msg']}" if e["loc"] else str(e["msg"])
        for e in invalid.errors()
    )
    return FieldError(f"people[{people[0][0]}].calendar.graph", f"Graph settings: {problems}")


def _with_mailbox_hours(
    scenario: doc.Scenario, people: GraphPeople, schedules: dict[str, Schedule]
) -> doc.Scenario:
    """Working hours and their zone from the mailbox, where the scenario states none."""
    updated = list(scenario.people)
    for index, person in people:
        schedule = schedules[str(person.email)]
        changes: dict[str, object] = {}
        if "working_hours" not in person.model_fields_set and schedule.working_hours:
            changes["working_hours"] = schedule.working_hours
            if person.timezone is None and schedule.timezone and _known(schedule.timezone):
                changes["timezone"] = schedule.timezone
        if changes:
            updated[index] = person.model_copy(update=changes)
    return scenario.model_copy(update={"people": updated})


def _known(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except Exception:
        return False
    return True
