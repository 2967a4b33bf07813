"""`tandem calendars fetch`: a copy of a scenario whose Graph calendars are replaced by
their busy times, free/busy only, to plan offline and to share without meeting details."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import orjson
import yaml

from connectors.documents import read_document
from connectors.graph.calendars import read_graph_calendars
from connectors.scenarios import scenario_from_document
from scheduler.busy_entries import compact_text

HEADER = (
    "# Snapshot of {source}: Microsoft Graph calendars replaced by their free/busy times\n"
    "# (no subject, place or body). Plan it offline like any scenario.\n"
)


def snapshot(path: Path, as_json: bool = False) -> str:
    """The snapshot's text: YAML with a header, or JSON (`as_json`: no comments in JSON,
    and a large programme's snapshot reads several times faster)."""
    data = snapshot_data(path)
    if as_json:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    return HEADER.format(source=path.name) + _yaml(data)


def snapshot_data(path: Path) -> Any:
    document = read_document(path)
    scenario = scenario_from_document(document)
    people = [(i, p) for i, p in enumerate(scenario.people) if p.calendar and p.calendar.graph]
    if not people:
        return document.data
    filled, calendars, errors = read_graph_calendars(scenario, people)
    if errors:
        raise document.locate(errors)
    data = deepcopy(document.data)
    for index, person in people:
        entry = data["people"][index]
        entry.pop("calendar", None)
        entry["busy"] = [*entry.get("busy", []), *map(compact_text, calendars[person.id])]
        now = filled.people[index]
        if "working_hours" not in entry and now.working_hours != person.working_hours:
            entry["working_hours"] = now.working_hours
        if "timezone" not in entry and now.timezone:
            entry["timezone"] = now.timezone
    return data


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
