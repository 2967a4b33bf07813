"""Whole-document checks of a scenario, and the one entry point `validate_scenario`.

The cross-field checks read the raw document defensively, so that they still report
unknown ids or swapped roles when some other field is malformed: a planner sees every
problem of a file at once.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from pydantic import ValidationError

from scheduler.busy_parts import read_busy_lists_in_parts
from scheduler.errors import FieldError, ScenarioError, format_path
from scheduler.scenario import Rules, Scenario
from scheduler.supervision_checks import supervision_errors
from scheduler.whatif import apply_variation, variation_names

_GRID_CHOICES = (5, 10, 15, 30, 60)


def validate_scenario(raw: Any, source: str | None = None, processes: int = 1) -> Scenario:
    """The validated scenario, or ScenarioError listing every problem with its path.

    Busy lists are read apart (`scheduler.busy_entries`, column-wise: a calendar snapshot
    holds hundreds of thousands of them; a large one on up to `processes` processes,
    `scheduler.busy_parts`); their errors join the others in document order.
    """
    if not isinstance(raw, dict):
        raise ScenarioError([FieldError("(document)", "a scenario is a mapping of keys")], source)
    without_busy, busy_lists = _busy_apart(raw)
    scenario, shape_errors = _shape(without_busy)
    busy, busy_errors = read_busy_lists_in_parts(busy_lists, processes)
    errors = _in_document_order([*shape_errors, *busy_errors])
    errors += list(cross_field_errors(raw))
    if errors:
        raise ScenarioError(errors, source)
    variants, errors = _variants(raw)
    if errors:
        raise ScenarioError(errors, source)
    assert scenario is not None
    scenario._busy = busy
    scenario._variants = variants
    return scenario


def variants_of(scenario: Scenario) -> list[Scenario]:
    """The variations of a scenario made by `validate_scenario`, each applied and valid."""
    return list(scenario._variants)


def _busy_apart(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[int, Any]]:
    """The document without its people's busy lists, and those lists by person position."""
    people = raw.get("people")
    if not isinstance(people, list):
        return raw, {}
    busy_lists: dict[int, Any] = {}
    stripped = []
    for index, person in enumerate(people):
        if isinstance(person, dict) and "busy" in person:
            busy_lists[index] = person["busy"]
            person = {key: value for key, value in person.items() if key != "busy"}
        stripped.append(person)
    return {**raw, "people": stripped}, busy_lists


def _in_document_order(errors: list[FieldError]) -> list[FieldError]:
    """Errors of one list item together, items in their order (`people[3]` before
    `people[12]`), sections in the order they were first reported."""
    rank: dict[str, int] = {}
    for error in errors:
        rank.setdefault(_item(error)[0], len(rank))
    return sorted(errors, key=lambda error: (rank[_item(error)[0]], _item(error)[1]))


def _item(error: FieldError) -> tuple[str, int]:
    head, _, rest = error.path.partition("[")
    number = rest.split("]", 1)[0]
    return head, int(number) if number.isdigit() else -1


def _variants(raw: dict[str, Any]) -> tuple[list[Scenario], list[FieldError]]:
    """Each variation must give a valid scenario too (validated once, here); its errors
    name it."""
    names = variation_names(raw)
    variants: list[Scenario] = []
    errors: list[FieldError] = []
    seen: set[str] = set()
    for number, name in enumerate(names):
        if name in seen:
            errors.append(
                FieldError(f"variations[{number}].name", f"duplicate variation name '{name}'")
            )
            continue
        seen.add(name)
        try:
            variants.append(validate_scenario(apply_variation(raw, number)))
        except ScenarioError as invalid:
            errors += [_in_variation(number, name, error) for error in invalid.errors]
    return variants, errors


def _in_variation(number: int, name: str, error: FieldError) -> FieldError:
    prefix = "" if error.path.startswith("variations[") else f"variations[{number}] '{name}': "
    return FieldError(f"{prefix}{error.path}", error.message)


def _shape(raw: dict[str, Any]) -> tuple[Scenario | None, list[FieldError]]:
    try:
        return Scenario.model_validate(raw), []
    except ValidationError as invalid:
        return None, [_field_error(error) for error in invalid.errors()]


def _field_error(error: Any) -> FieldError:
    location = [part for part in error["loc"] if not _is_union_branch(part)]
    kind = error["type"]
    if kind == "extra_forbidden":
        return FieldError(format_path(location), "unknown key (not in the scenario format)")
    if kind == "missing":
        return FieldError(format_path(location), "required")
    message = str(error["msg"]).removeprefix("Value error, ")
    return FieldError(format_path(location), message)


def _is_union_branch(part: Any) -> bool:
    """Pydantic names the branch of a union it tried (`int`, `literal['weekly',...]`)."""
    return isinstance(part, str) and (part in ("int", "str", "float") or "[" in part)


def cross_field_errors(raw: dict[str, Any]) -> Iterator[FieldError]:
    people = _items(raw, "people")
    roles = yield from _unique_ids(people, "people")
    pairs = _items(raw, "pairs")
    pair_ids = yield from _unique_ids(pairs, "pairs")
    yield from _pair_people(pairs, roles)
    yield from _pairs_met_twice(pairs)
    yield from _durations_on_grid(raw, pairs)
    yield from _people_fields(people)
    yield from _matching_fields(people)
    yield from _reporting_lines(people, _items(raw, "managers"))
    check_ins = yield from supervision_errors(raw, roles, pairs)
    yield from _current_pairs(raw, {**pair_ids, **dict.fromkeys(check_ins)})


def _items(raw: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _unique_ids(
    items: list[tuple[int, dict[str, Any]]], key: str
) -> Generator[FieldError, None, dict[str, Any]]:
    """Yields duplicate-id errors; returns {id: role-or-None} of the first of each id."""
    seen: dict[str, int] = {}
    roles: dict[str, Any] = {}
    for index, item in items:
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            yield FieldError(
                f"{key}[{index}].id", f"duplicate id '{item_id}' (first at {key}[{seen[item_id]}])"
            )
            continue
        seen[item_id] = index
        roles[item_id] = item.get("role")
    return roles


def _pair_people(
    pairs: list[tuple[int, dict[str, Any]]], roles: dict[str, Any]
) -> Iterator[FieldError]:
    for index, pair in pairs:
        for field, wanted in (("mentor", "mentor"), ("mentee", "executive")):
            person = pair.get(field)
            if not isinstance(person, str):
                continue
            path = f"pairs[{index}].{field}"
            if person not in roles:
                yield FieldError(path, f"unknown person '{person}'")
            elif roles[person] == "coach":
                yield FieldError(
                    path,
                    f"'{person}' is a coach: coaches meet mentors in supervision check-ins "
                    "(see supervision), not in pairs",
                )
            elif roles[person] in ("mentor", "executive") and roles[person] != wanted:
                yield FieldError(
                    path,
                    f"'{person}' is {_article(roles[person])} {roles[person]}, not "
                    f"{_article(wanted)} {wanted} (mentor and mentee swapped?)",
                )
        if pair.get("mentor") is not None and pair.get("mentor") == pair.get("mentee"):
            yield FieldError(f"pairs[{index}].mentee", "the mentee cannot be the pair's mentor")


def _pairs_met_twice(pairs: list[tuple[int, dict[str, Any]]]) -> Iterator[FieldError]:
    """Two pairs of the same mentor and mentee would double their sessions, silently; a
    pair that should meet more often says so with its cadence or `sessions`."""
    first: dict[tuple[str, str], tuple[int, Any]] = {}
    for index, pair in pairs:
        mentor, mentee = pair.get("mentor"), pair.get("mentee")
        if not isinstance(mentor, str) or not isinstance(mentee, str):
            continue
        if (mentor, mentee) in first:
            earlier, earlier_id = first[(mentor, mentee)]
            yield FieldError(
                f"pairs[{index}]",
                f"the same mentor and mentee as pairs[{earlier}] ('{earlier_id}'): one pair "
                "per mentor and mentee (set its cadence or sessions to meet more often)",
            )
        else:
            first[(mentor, mentee)] = (index, pair.get("id"))


def _article(role: str) -> str:
    return "an" if role == "executive" else "a"


def _durations_on_grid(
    raw: dict[str, Any], pairs: list[tuple[int, dict[str, Any]]]
) -> Iterator[FieldError]:
    """Each pair's duration (its own, else the rules') is a whole number of grid steps."""
    grid = raw.get("grid_minutes", 15)
    if grid not in _GRID_CHOICES:
        return
    rules = raw.get("rules") if isinstance(raw.get("rules"), dict) else {}
    written = isinstance(rules, dict) and "duration_minutes" in rules
    default = rules.get("duration_minutes") if written else Rules().duration_minutes  # type: ignore[union-attr]
    if written and _off_grid(default, grid):
        yield FieldError(
            "rules.duration_minutes", f"{default} is not a multiple of grid_minutes ({grid})"
        )
    for index, pair in pairs:
        duration = pair.get("duration_minutes")
        if duration is None and not written and _off_grid(default, grid):
            yield FieldError(
                f"pairs[{index}].duration_minutes",
                f"the default duration ({default}) is not a multiple of grid_minutes ({grid}); "
                "set duration_minutes here or in rules",
            )
        elif _off_grid(duration, grid):
            yield FieldError(
                f"pairs[{index}].duration_minutes",
                f"{duration} is not a multiple of grid_minutes ({grid})",
            )


def _off_grid(minutes: Any, grid: int) -> bool:
    """True for a number of minutes that is not a whole number of grid steps (50.0 too)."""
    numeric = isinstance(minutes, int | float) and not isinstance(minutes, bool)
    return numeric and minutes % grid != 0


def _people_fields(people: list[tuple[int, dict[str, Any]]]) -> Iterator[FieldError]:
    for index, person in people:
        if person.get("role") == "executive" and person.get("available_from") is not None:
            yield FieldError(
                f"people[{index}].available_from",
                "only mentors have an available_from date (training); remove it here",
            )
        calendar = person.get("calendar")
        if isinstance(calendar, dict) and calendar.get("graph") and not person.get("email"):
            yield FieldError(
                f"people[{index}].email", "required: the calendar is read through Microsoft Graph"
            )


# Matching fields that speak of one side only: what an executive wants, what a mentor offers.
_FIELDS_OF_ROLE = {
    "level": "executive",
    "topics": "executive",
    "skills": "mentor",
    "capacity": "mentor",
}


def _matching_fields(people: list[tuple[int, dict[str, Any]]]) -> Iterator[FieldError]:
    for index, person in people:
        role = person.get("role")
        for field, wanted in _FIELDS_OF_ROLE.items():
            if person.get(field) is not None and isinstance(role, str) and role != wanted:
                yield FieldError(
                    f"people[{index}].{field}",
                    f"only {wanted}s have {field}; remove it here",
                )
        skills = person.get("skills")
        if isinstance(skills, dict):
            yield from _skills_once(index, [k for k in skills if isinstance(k, str)])


def _skills_once(index: int, topics: list[str]) -> Iterator[FieldError]:
    """Topics compare without regard to case: `LinkedIn: 3` beside `linkedin: 1` would
    leave one level silently."""
    seen: dict[str, str] = {}
    for topic in topics:
        if topic.lower() in seen:
            yield FieldError(
                f"people[{index}].skills",
                f"'{topic}' and '{seen[topic.lower()]}' are one topic (case does not count); "
                "give it once",
            )
        seen.setdefault(topic.lower(), topic)


def _reporting_lines(
    people: list[tuple[int, dict[str, Any]]], managers: list[tuple[int, dict[str, Any]]]
) -> Iterator[FieldError]:
    """`reports_to` names a person or a manager; ids are shared by both; no line loops."""
    places: dict[str, str] = {}
    line: dict[str, str] = {}
    for key, items in (("people", people), ("managers", managers)):
        for index, item in items:
            item_id = item.get("id")
            if not isinstance(item_id, str):
                continue
            if key == "managers" and item_id in places:
                yield FieldError(
                    f"managers[{index}].id", f"'{item_id}' is already {places[item_id]}"
                )
                continue
            places.setdefault(item_id, f"{key}[{index}]")
            if isinstance(item.get("reports_to"), str):
                line[item_id] = item["reports_to"]
    looping = _on_a_loop(line)
    for item_id, boss in line.items():
        where = f"{places[item_id]}.reports_to"
        if boss not in places:
            yield FieldError(
                where,
                f"unknown person '{boss}' (add them to people, or to managers if "
                "they take part in no session)",
            )
        elif item_id in looping:
            yield FieldError(where, f"the reporting line of '{item_id}' comes back to them")


def _on_a_loop(line: dict[str, str]) -> set[str]:
    """The ids whose reporting line comes back to them (not those that only lead into a
    loop). Each id is walked once: a line 10,000 managers deep is 10,000 steps, not 10,000
    walks of it."""
    looping: set[str] = set()
    walked: set[str] = set()
    for start in line:
        path: dict[str, int] = {}  # this walk, in order
        boss: str | None = start
        while boss is not None and boss not in walked and boss not in path:
            path[boss] = len(path)
            boss = line.get(boss)
        if boss is not None and boss in path:
            looping.update(list(path)[path[boss] :])
        walked.update(path)
    return looping


def _current_pairs(raw: dict[str, Any], pair_ids: dict[str, Any]) -> Iterator[FieldError]:
    for key in ("current", "declined"):
        for index, booked in _items(raw, key):
            pair = booked.get("pair")
            if isinstance(pair, str) and pair not in pair_ids:
                yield FieldError(f"{key}[{index}].pair", f"unknown pair '{pair}'")
