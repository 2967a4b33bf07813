"""Scenario files in, resolved problems out: validation, then each person's calendar."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors.calendar_files import CalendarPathError, calendar_file
from connectors.documents import Document, max_file_bytes, read_document
from connectors.synthetic import CalendarShape, generate_busy
from scheduler import scenario as doc
from scheduler.domain import Busy, BusyTimes, Plan, Problem
from scheduler.errors import FieldError, ScenarioError
from scheduler.group_plans import GroupPlan
from scheduler.heap import collector_paused
from scheduler.parameters import SolverParameters
from scheduler.plan_format import plan_from_dict
from scheduler.plan_parts import (
    pairs_reached,
    part_document,
    planned_pairs,
    released_people,
    with_calendars_of,
    without_calendars,
)
from scheduler.problem import build_problem, horizon_end_day
from scheduler.replan import replan_from_plan, with_plan_suggestions
from scheduler.scenario import Scenario
from scheduler.scenario_checks import validate_scenario
from scheduler.solve import people_suggestions_read, with_suggested_changes
from scheduler.suggestions import people_looked_at
from scheduler.time_notation import parse_working_hours
from scheduler.whatif import BASE, apply_variation, base_of, variation_names
from scheduler.zone_text import zone_named

if TYPE_CHECKING:  # the matching loads OR-Tools' flows: only for the scenarios that match
    from scheduler.matching.match import MatchResult, Method


def load_problem(
    path: Path,
    overrides: dict[str, Any] | None = None,
    additions: dict[str, list[Any]] | None = None,
    processes: int = 1,
) -> Problem:
    """Read, validate and resolve a scenario file; ScenarioError lists what is wrong.
    `overrides` replace top-level keys first (the command line's `--now`, `--current`);
    `additions` extend top-level lists (the declines an earlier plan remembers); a large
    snapshot's busy lists are read on up to `processes` processes."""
    # Millions of objects, none of them garbage (`scheduler.heap`); the problem's own
    # reading pauses the collector itself (`scenario_and_problem`).
    with collector_paused():
        document = read_document(path)
    if isinstance(document.data, dict):
        document.data.update(overrides or {})
        for key, items in (additions or {}).items():
            present = document.data.get(key)
            document.data[key] = [*(present if isinstance(present, list) else []), *items]
    return problem_from_document(document, path.parent, path.stem, processes)


def problem_from_document(
    document: Document, base_dir: Path | None, default_name: str, processes: int = 1
) -> Problem:
    """`base_dir` None: the scenario comes from an API caller, and may name no calendar
    file and no mailbox (the server's files and its Graph tenant are not theirs to read)."""
    return scenario_and_problem(document, base_dir, default_name, processes)[1]


def scenario_and_problem(
    document: Document, base_dir: Path | None, default_name: str, processes: int = 1
) -> tuple[Scenario, Problem]:
    """The validated scenario (with what Graph mailboxes state) and its problem."""
    with collector_paused():  # millions of objects, none of them garbage (`scheduler.heap`)
        scenario = scenario_from_document(document, processes)
        scenario, calendars, warnings = read_calendars(scenario, base_dir, document)
        problem = build_problem(scenario, calendars, default_name=default_name)
    return scenario, replace(problem, input_warnings=tuple(str(w) for w in warnings))


@dataclass(frozen=True)
class Matched:
    """A scenario whose pairs a matching completed: the problem to plan (its calendars
    read once), the matching with its reasons, the scenario's data with the new pairs."""

    scenario: Scenario
    problem: Problem
    result: MatchResult
    data: dict[str, Any]


def matched_from_document(
    document: Document,
    base_dir: Path | None,
    default_name: str,
    method: Method = "optimal",
    memory_budget_mb: int = 2048,
) -> Matched:
    from scheduler.matching.match import match_pool, matched_pairs, with_matched_pairs

    scenario = scenario_from_document(document)
    scenario, calendars, warnings = read_calendars(scenario, base_dir, document)
    problem = build_problem(scenario, calendars, default_name=default_name)
    try:
        result = match_pool(scenario, problem, method, memory_budget_mb)
    except ScenarioError as invalid:
        raise document.locate(invalid.errors) from None
    matched = with_matched_pairs(scenario, result)
    problem = build_problem(matched, calendars, default_name=default_name)
    problem = replace(problem, input_warnings=tuple(str(w) for w in warnings))
    data = dict(document.data)
    data["pairs"] = [*data.get("pairs", []), *matched_pairs(result, scenario)]
    return Matched(matched, problem, result, data)


def scenario_from_document(document: Document, processes: int = 1) -> Scenario:
    try:
        return validate_scenario(document.data, document.source, processes)
    except ScenarioError as invalid:
        raise document.locate(invalid.errors) from None


def problem_from_data(data: Any, source: str = "scenario") -> Problem:
    """A scenario given as data by an API caller: no calendar files, no mailboxes."""
    return problem_from_document(Document(data, source), None, default_name=source)


SERVER_SIDE_SOURCES = (
    "calendar files and Microsoft Graph mailboxes are not read for API callers: send the "
    "busy times in the scenario (`tandem calendars fetch` turns Graph calendars into them)"
)


def refuse_server_side_calendars(scenario: Scenario) -> None:
    """ScenarioError naming each person whose calendar would be read on the server."""
    errors = [
        FieldError(f"people[{index}].calendar", SERVER_SIDE_SOURCES)
        for index, person in enumerate(scenario.people)
        if person.calendar is not None
        and (person.calendar.ics is not None or person.calendar.graph)
    ]
    if errors:
        raise ScenarioError(errors)


def read_calendars(
    scenario: Scenario, base_dir: Path | None, document: Document
) -> tuple[Scenario, dict[str, BusyTimes], list[FieldError]]:
    """Busy times from each person's calendar source; every unreadable source is reported.
    The scenario comes back with the working hours and time zones that Graph mailboxes
    state, for people whose scenario entry gives none, and with the warnings of what the
    readers skipped (located like errors: `people[1].calendar.ics (line 8): ...`)."""
    if base_dir is None:
        try:
            refuse_server_side_calendars(scenario)
        except ScenarioError as refused:
            raise document.locate(refused.errors) from None
    calendars: dict[str, BusyTimes] = {}
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    first_day, end_day = scenario.horizon.start, horizon_end_day(scenario.horizon)
    for index, person in enumerate(scenario.people):
        source = person.calendar
        if source is None:
            continue
        tz = zone_named(person.timezone or scenario.timezone)
        if source.generate is not None:
            calendars[person.id] = BusyTimes.of(_generated(person, tz, first_day, end_day))
        elif source.ics is not None:
            from connectors.ics import IcsError, read_ics, utc_window  # icalendar: lazily

            path = f"people[{index}].calendar.ics"
            try:
                assert base_dir is not None  # refused above for API callers
                file = calendar_file(base_dir, source.ics, max_file_bytes())
                reading = read_ics(file, tz, *utc_window(first_day, end_day))
            except CalendarPathError as refused:
                errors.append(FieldError(path, str(refused)))
                continue
            except IcsError as unreadable:
                errors.extend(FieldError(path, problem) for problem in unreadable.problems)
                continue
            calendars[person.id] = BusyTimes.of(reading.busy)
            warnings.extend(FieldError(path, warning) for warning in reading.warnings)
    graph_people = [
        (i, p) for i, p in enumerate(scenario.people) if p.calendar and p.calendar.graph
    ]
    if graph_people and not errors:
        # Imported here: msal and httpx take half a second to load, and most scenarios
        # read no mailbox.
        from connectors.graph.calendars import read_graph_calendars

        scenario, found, graph_errors = read_graph_calendars(scenario, graph_people)
        calendars.update({person: BusyTimes.of(busy) for person, busy in found.items()})
        errors.extend(graph_errors)
    if errors:
        raise document.locate(errors)
    return scenario, calendars, document.located(warnings)


def _generated(person: doc.PersonEntry, tz: tzinfo, first_day: date, end_day: date) -> list[Busy]:
    assert person.calendar is not None and person.calendar.generate is not None
    spec = person.calendar.generate
    margin = timedelta(days=2)
    shape = CalendarShape(
        tz=tz,
        working_hours=parse_working_hours(person.working_hours),
        first_day=first_day - margin,
        end_day=end_day + margin,
    )
    return generate_busy(person.id, shape, spec.density, spec.seed)


def problem_reading_calendars_of(data: dict[str, Any], pair_ids: list[str]) -> Problem:
    """The scenario's problem in which only the people of `pair_ids` have their busy times
    read; everyone else's are left out. For a re-plan that moves only those pairs' groups
    (a worker then reads a few people's calendars, not the programme's): everything else
    (people, pairs, bookings, the notice window) is the whole scenario's."""
    return _with_calendars_of_pairs(problem_from_data(without_calendars(data)), data, pair_ids)


def _with_calendars_of_pairs(
    problem: Problem, data: dict[str, Any], pair_ids: list[str]
) -> Problem:
    """`problem` with its people of `pair_ids` read from the small scenario of those pairs."""
    if not pair_ids:
        return problem
    part = problem_from_data(part_document(data, pair_ids))
    return replace(problem, people={**problem.people, **part.people})


def with_suggestions_read(
    document: dict[str, Any], skeleton: Problem, plans: list[GroupPlan]
) -> list[GroupPlan]:
    """The plans of a programme's parts, their unplaced sessions with the changes that
    would place them, as one process gives them: reading the calendars of only the people
    the suggestions look at (`skeleton` is the scenario without calendars)."""
    looked_at = people_suggestions_read(skeleton, plans)
    return with_suggested_changes(calendars_read_for(document, skeleton, looked_at), plans)


def calendars_read_for(document: dict[str, Any], problem: Problem, people: set[str]) -> Problem:
    """`problem` (read with some calendars or none) with the calendars of `people` read
    too: through the small scenario of their pairs where every one of them has a pair,
    else through the whole scenario again."""
    if not people:
        return problem
    pairs = [p for p in planned_pairs(document) if people & {p["mentor"], p["mentee"]}]
    if people - {person for p in pairs for person in (p["mentor"], p["mentee"])}:
        return problem_from_data(with_calendars_of(document, people))
    return _with_calendars_of_pairs(problem, document, [p["id"] for p in pairs])


def replan_reading_calendars(
    document: dict[str, Any],
    previous: dict[str, Any],
    changed_people: Collection[str],
    params: SolverParameters,
) -> tuple[Problem, Plan]:
    """A worker's re-plan: only the groups of the changed people and of the declined or
    cancelled sessions are planned again, and only their people's calendars are read, then
    those of the people the suggestions look at; every other session keeps its start.
    The plan is the one made from every calendar."""
    touched = set(changed_people) | released_people(document)
    reached = pairs_reached(planned_pairs(document), touched)
    problem = problem_reading_calendars_of(document, reached)
    last = plan_from_dict(problem, previous, "the programme's last plan")
    plan = replan_from_plan(problem, last, changed_people, params, suggest=False)
    looked_at = people_looked_at(problem, plan.sessions, plan.unplaced)
    return problem, with_plan_suggestions(calendars_read_for(document, problem, looked_at), plan)


def variant_problems(path: Path) -> list[tuple[str, Problem]]:
    """The base scenario and each of its variations, validated and resolved, by name."""
    return _variants(read_document(path), path.parent, path.stem)


def variant_problems_from_data(data: Any, source: str = "scenario") -> list[tuple[str, Problem]]:
    """The same for a scenario given as data by an API caller (no files, no mailboxes)."""
    return _variants(Document(data, source), None, source)


def variant_problem_from_data(
    data: Any, part: int, source: str = "scenario"
) -> tuple[str, Problem]:
    """One variant of a what-if given as data: the base (`part` 0) or variation `part`-1,
    by name (a worker plans each variant on its own)."""
    name, variant = _variant_documents(Document(data, source))[part]
    return name, problem_from_document(variant, None, default_name=source)


def matched_variants(path: Path, memory_budget_mb: int = 2048) -> list[tuple[str, Matched]]:
    """The base scenario and each of its variations, each matched (its own pool: a
    variation may change people's matching fields or the matching section), by name."""
    document = read_document(path)
    scenario_from_document(document)  # the base and every variation, all errors at once
    return [
        (name, matched_from_document(variant, path.parent, path.stem, "optimal", memory_budget_mb))
        for name, variant in _variant_documents(document)
    ]


def _variants(
    document: Document, base_dir: Path | None, default_name: str
) -> list[tuple[str, Problem]]:
    scenario_from_document(document)  # the base and every variation, all errors at once
    return [
        (name, problem_from_document(variant, base_dir, default_name=default_name))
        for name, variant in _variant_documents(document)
    ]


def _variant_documents(document: Document) -> list[tuple[str, Document]]:
    data = document.data
    variants = [(BASE, Document(base_of(data), document.source, document.lines))]
    for number, name in enumerate(variation_names(data)):
        variants.append((name, Document(apply_variation(data, number), document.source)))
    return variants
