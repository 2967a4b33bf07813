"""Reading YAML and JSON documents with the line of every field, for errors people can find.

YAML is read the way a planner expects, close to YAML 1.2: only `true`/`false` are
booleans (a region `NO` stays Norway), dates and times stay text for the schema to parse,
`12:30` is no base-60 number, and a key given twice is an error instead of a silent
overwrite.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scheduler.errors import FieldError, ScenarioError


class DocumentLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars."""


DocumentLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag
        not in (
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:timestamp",
        )
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DocumentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
DocumentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)


@dataclass
class Document:
    data: Any
    source: str
    lines: dict[str, int] = field(default_factory=dict)  # field path -> line (1-based)

    def locate(self, errors: list[FieldError]) -> ScenarioError:
        """The errors with the line of each field where the document knows it."""
        return ScenarioError(self.located(errors), self.source)

    def located(self, found: list[FieldError]) -> list[FieldError]:
        """Errors or warnings with the line of each field where the document knows it."""
        return [
            FieldError(f"{e.path} (line {self.lines[e.path]})", e.message)
            if e.path in self.lines
            else e
            for e in found
        ]


def read_document(path: Path) -> Document:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([FieldError(str(path), "no such file")], str(path)) from None
    except OSError as problem:
        raise ScenarioError(
            [FieldError(str(path), f"cannot be read: {problem}")], str(path)
        ) from None
    if path.suffix.lower() == ".json":
        return parse_json(content, str(path))  # orjson checks the UTF-8 itself
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise ScenarioError(
            [FieldError(str(path), f"cannot be read: {problem}")], str(path)
        ) from None
    return parse_yaml(text, str(path))


def parse_json(text: str | bytes, source: str) -> Document:
    """orjson: a calendar snapshot of a large programme is tens of megabytes of JSON."""
    try:
        return Document(orjson.loads(text), source)
    except json.JSONDecodeError as problem:  # orjson's error is one of these
        raise ScenarioError(
            [FieldError(f"line {problem.lineno}", f"JSON syntax error: {problem.msg}")], source
        ) from None


def parse_yaml(text: str, source: str) -> Document:
    loader = DocumentLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([FieldError("(document)", "the file is empty")], source)
        lines: dict[str, int] = {}
        _Indexer(lines).visit(node, "")
        return Document(loader.construct_document(node), source, lines)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        where = f"line {mark.line + 1}" if mark else "(document)"
        raise ScenarioError(
            [FieldError(where, f"YAML syntax error: {problem.problem}")], source
        ) from None
    except yaml.YAMLError as problem:
        raise ScenarioError([FieldError("(document)", f"YAML error: {problem}")], source) from None
    finally:
        loader.dispose()


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _Indexer:
    """Records each field's line and refuses keys given twice in one mapping.

    Aliases are followed (a shared block of working hours is fine) but a recursive alias
    or one that expands past `MAX_VALUES` values is refused: both would exhaust memory.
    """

    MAX_VALUES = 2_000_000

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.values = 0
        self.open: set[int] = set()

    def visit(self, node: Node, path: str) -> None:
        self.values += 1
        if self.values > self.MAX_VALUES:
            raise DuplicateKeyError(
                problem=f"the document expands to more than {self.MAX_VALUES:,} values (aliases?)",
                problem_mark=node.start_mark,
            )
        if id(node) in self.open:
            raise DuplicateKeyError(
                problem="an alias refers to itself", problem_mark=node.start_mark
            )
        if path:
            self.lines.setdefault(path, node.start_mark.line + 1)
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                self._mapping(node, path)
            elif isinstance(node, SequenceNode):
                for position, item in enumerate(node.value):
                    self.visit(item, f"{path}[{position}]")
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, path: str) -> None:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            if key in seen:
                raise DuplicateKeyError(
                    problem=f"key '{key}' is given twice (first on line {seen[key]})",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
            self.visit(value_node, f"{path}.{key}" if path else str(key))
