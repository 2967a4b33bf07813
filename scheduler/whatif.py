"""What-if variations: each is a pure transform of the scenario document.

A path is dotted: `rules.cadence`, `pairs.p3.duration_minutes`, `people.ceo.working_hours`.
Where a list holds items with ids, the next part of the path is an id. Setting an id that
does not exist yet with a mapping adds that item (`pairs.p9: {mentor: m1, mentee: ceo}`);
setting an item or key to null removes it (`people.cfo: null`).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from scheduler.errors import FieldError, ScenarioError

BASE = "base"


def variation_names(document: dict[str, Any]) -> list[str]:
    variations = document.get("variations") or []
    return [
        v.get("name", f"variation {i + 1}") for i, v in enumerate(variations) if isinstance(v, dict)
    ]


def base_of(document: dict[str, Any]) -> dict[str, Any]:
    """The scenario without its variations: what each variation starts from (a copy of
    its own; the variations are left out before copying, not after)."""
    return deepcopy(_without_variations(document))


def _without_variations(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "variations"}


def apply_variation(document: dict[str, Any], number: int) -> dict[str, Any]:
    """The base scenario with variation `number` applied; bad paths are errors that name
    the variation and the path."""
    variation = document["variations"][number]
    # Copy on write: only the mappings and lists on a path that is set are copied, so a
    # variation costs what it changes, not the size of the scenario.
    variant = _without_variations(document)
    errors = []
    for path, value in variation["set"].items():
        try:
            _set(variant, path.split("."), deepcopy(value))
        except _PathError as problem:
            errors.append(
                FieldError(
                    f"variations[{number}].set['{path}']",
                    f"variation '{variation['name']}': {problem}",
                )
            )
    if errors:
        raise ScenarioError(errors)
    variant["name"] = f"{document.get('name') or 'scenario'}: {variation['name']}"
    return variant


class _PathError(Exception):
    pass


def _set(node: Any, parts: list[str], value: Any) -> None:
    if not parts or not all(parts):
        raise _PathError("empty path or empty part (two dots in a row?)")
    if isinstance(node, list):
        _set_in_list(node, parts, value)
    elif isinstance(node, dict):
        _set_in_mapping(node, parts, value)
    else:
        raise _PathError(f"'{parts[0]}' is inside a value that has no keys")


def _set_in_mapping(node: dict[str, Any], parts: list[str], value: Any) -> None:
    key, rest = parts[0], parts[1:]
    if not rest:
        if value is None:
            node.pop(key, None)
        else:
            node[key] = value
        return
    if key not in node or node[key] is None:
        node[key] = {}  # `rules.cadence` when the scenario has no rules yet
    node[key] = _own_copy(node[key])
    _set(node[key], rest, value)


def _own_copy(node: Any) -> Any:
    """A container the variant may change: a copy of the shared one, one level deep."""
    if isinstance(node, dict):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    return node


def _set_in_list(items: list[Any], parts: list[str], value: Any) -> None:
    """Lists of people and pairs are addressed by id (ids may themselves contain dots)."""
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    for length in range(len(parts), 0, -1):
        item_id = ".".join(parts[:length])
        if item_id in ids:
            position = ids.index(item_id)
            rest = parts[length:]
            if not rest:
                _replace_item(items, position, item_id, value)
            else:
                items[position] = _own_copy(items[position])
                _set(items[position], rest, value)
            return
    item_id = ".".join(parts)
    if isinstance(value, dict):
        items.append({"id": item_id, **value})  # a new pair or person
        return
    known = ", ".join(str(i) for i in ids[:8]) + (", ..." if len(ids) > 8 else "")
    raise _PathError(f"no item with id '{parts[0]}' here (known: {known})")


def _replace_item(items: list[Any], position: int, item_id: str, value: Any) -> None:
    if value is None:
        del items[position]
    elif isinstance(value, dict):
        items[position] = {"id": item_id, **value}
    else:
        raise _PathError(f"'{item_id}' is a whole item: give a mapping, or null to remove it")
