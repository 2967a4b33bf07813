"""Reading YAML and JSON documents with the line of every field, for errors people can find.

YAML is read the way a planner expects, close to YAML 1.2: only `true`/`false` are
booleans (a region `NO` stays Norway), dates and times stay text for the schema to parse,
`12:30` is no base-60 number, and a key given twice is an error instead of a silent
overwrite.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scheduler.document_limits import MAX_DEPTH, TOO_DEEP, document_problems
from scheduler.errors import FieldError, ScenarioError

# A file larger than this is refused before it is read (TANDEM_MAX_FILE_MB). Generous: a
# calendar snapshot of 3,000 pairs over 12 weeks is about 95 MB of JSON.
DEFAULT_MAX_FILE_MB = 128
# libyaml's parser when PyYAML was built with it (the wheels are): ten to a hundred times
# faster than the pure-Python one, which took minutes on a 50 MB snapshot.
_FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentLoader(_FastLoader):  # type: ignore[valid-type,misc]
    """A safe loader with YAML 1.2 core scalars."""


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


def _core_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    """YAML 1.2's integers: `09` is nine (YAML 1.1 read a leading zero as octal, and `09`
    then broke the reader), `0o17` octal, `0x1F` hexadecimal."""
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


DocumentLoader.add_constructor("tag:yaml.org,2002:int", _core_int)


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
    content = _bytes_within_limit(path, max_file_bytes())
    if path.suffix.lower() == ".json":
        return parse_json(content, str(path))  # orjson checks the UTF-8 itself
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise ScenarioError(
            [FieldError(str(path), f"cannot be read: {problem}")], str(path)
        ) from None
    return parse_yaml(text, str(path))


def max_file_bytes() -> int:
    """The size limit of a file read as a document: TANDEM_MAX_FILE_MB, in megabytes of
    1,000,000 bytes, a whole number of at least 1; a value that is none is an error, not
    silently the default."""
    text = os.environ.get("TANDEM_MAX_FILE_MB", "").strip()
    if not text:
        return DEFAULT_MAX_FILE_MB * 1_000_000
    if not text.isdigit() or int(text) < 1:
        problem = f"{text[:20]!r} is not a whole number of megabytes, 1 or more"
        raise ScenarioError([FieldError("TANDEM_MAX_FILE_MB", problem)])
    return int(text) * 1_000_000


def _bytes_within_limit(path: Path, limit: int) -> bytes:
    """The file's bytes, refused before reading when it is larger than `limit` (and, for
    a file whose size the system does not know ahead, once it has read past it)."""
    try:
        with path.open("rb") as file:
            if os.fstat(file.fileno()).st_size > limit:
                raise _too_large(path, limit)
            content = file.read(limit + 1)
    except FileNotFoundError:
        raise ScenarioError([FieldError(str(path), "no such file")], str(path)) from None
    except OSError as problem:
        reason = problem.strerror or type(problem).__name__
        raise ScenarioError(
            [FieldError(str(path), f"cannot be read: {reason}")], str(path)
        ) from None
    if len(content) > limit:
        raise _too_large(path, limit)
    return content


def too_large_message(limit: int) -> str:
    """Why a file past the size limit is not read (documents and calendar files alike)."""
    return (
        f"larger than the limit of {limit // 1_000_000} MB for a file "
        "(set TANDEM_MAX_FILE_MB to read larger ones)"
    )


def _too_large(path: Path, limit: int) -> ScenarioError:
    return ScenarioError([FieldError(str(path), too_large_message(limit))], str(path))


def parse_json(text: str | bytes, source: str) -> Document:
    """orjson: a calendar snapshot of a large programme is tens of megabytes of JSON. It
    refuses lone surrogates and raw control characters itself, and nests at most 1,024
    levels; the document's own limits are checked after it."""
    try:
        data = orjson.loads(text)
    except json.JSONDecodeError as problem:  # orjson's error is one of these
        reason = problem.msg
        if "depth" in reason.lower() or "recursion" in reason.lower():
            reason = TOO_DEEP
        raise ScenarioError(
            [FieldError(f"line {problem.lineno}", f"JSON syntax error: {reason}")], source
        ) from None
    escaped_nul = b"\\u0000" in (text.encode() if isinstance(text, str) else text)
    _refuse_problems(document_problems(data, check_text=escaped_nul), source)
    return Document(data, source)


def _refuse_problems(problems: list[FieldError], source: str) -> None:
    if problems:
        raise ScenarioError(problems, source)


def parse_yaml(text: str, source: str) -> Document:
    _refuse_deep_nesting(text, source)
    loader = DocumentLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([FieldError("(document)", "the file is empty")], source)
        lines: dict[str, int] = {}
        _Indexer(lines).visit(node, "")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as problem:
        raise _syntax_error(problem, source) from None
    except yaml.YAMLError as problem:
        raise ScenarioError([FieldError("(document)", f"YAML error: {problem}")], source) from None
    finally:
        loader.dispose()
    document = Document(data, source, lines)
    problems = document_problems(data)
    if problems:
        raise document.locate(problems)
    return document


def _refuse_deep_nesting(text: str, source: str) -> None:
    """Nesting is counted on the parser's events, before any node is built: building
    nodes recurses, and a document thousands of levels deep would exhaust the stack."""
    parser = DocumentLoader(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise ScenarioError([FieldError(f"line {line}", TOO_DEEP)], source)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as problem:
        raise _syntax_error(problem, source) from None
    except yaml.YAMLError as problem:  # the reader's: a character YAML does not allow
        raise ScenarioError([FieldError("(document)", f"YAML error: {problem}")], source) from None
    finally:
        parser.dispose()


def _syntax_error(problem: yaml.MarkedYAMLError, source: str) -> ScenarioError:
    mark = problem.problem_mark or problem.context_mark
    where = f"line {mark.line + 1}" if mark else "(document)"
    reason = TOO_DEEP if "nesting depth" in str(problem.problem) else problem.problem
    return ScenarioError([FieldError(where, f"YAML syntax error: {reason}")], source)


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _Indexer:
    """Records each field's line and refuses keys given twice in one mapping.

    Aliases are followed (a shared block of working hours is fine) but a recursive alias,
    or aliases that add more than `MAX_ALIASED` values to the document (a "billion laughs"),
    are refused: both would exhaust memory. The document's own values are not counted:
    its size is bounded by the file's.
    """

    MAX_ALIASED = 2_000_000

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.aliased = 0  # values visited again, through an alias
        self.seen: set[int] = set()
        self.open: set[int] = set()

    def visit(self, node: Node, path: str, depth: int = 0) -> None:
        if depth > MAX_DEPTH:  # aliases can nest a block deeper than the text shows
            raise DuplicateKeyError(problem=TOO_DEEP, problem_mark=node.start_mark)
        if id(node) in self.seen:
            self.aliased += 1
            if self.aliased > self.MAX_ALIASED:
                raise DuplicateKeyError(
                    problem=f"aliases add more than {self.MAX_ALIASED:,} values to the document",
                    problem_mark=node.start_mark,
                )
        else:
            self.seen.add(id(node))
        if id(node) in self.open:
            raise DuplicateKeyError(
                problem="an alias refers to itself", problem_mark=node.start_mark
            )
        if path:
            self.lines.setdefault(path, node.start_mark.line + 1)
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                self._mapping(node, path, depth)
            elif isinstance(node, SequenceNode):
                for position, item in enumerate(node.value):
                    self.visit(item, f"{path}[{position}]", depth + 1)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, path: str, depth: int) -> None:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            if key in seen:
                raise DuplicateKeyError(
                    problem=f"key '{key}' is given twice (first on line {seen[key]})",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
            self.visit(value_node, f"{path}.{key}" if path else str(key), depth + 1)
