"""Limits every document is held to before its fields are read, wherever it comes from (a
file, an HTTP body): nesting depth, text that is valid Unicode without NUL characters, and
numbers that can be written back (64-bit whole numbers, finite numbers).

Why: a document nested thousands of levels deep exhausts the stack of every recursive
reader after it (the schema, the variations, the JSON writer), a lone surrogate (`\\ud800`)
cannot be written back as UTF-8 (the plan could never be stored or sent), and PostgreSQL
refuses NUL in text. Each is refused here, with the path of the value, before any of that.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from scheduler.errors import FieldError, PathPart, format_path

MAX_DEPTH = 64  # a scenario needs about 8 (variations[0].set.people.x.working_hours.mon[0])
KEY_SHOWN = 40  # characters of a key in a path: a path never quotes a 2 MB key whole
# A hostile document could break the rules a million times: a few are enough to say so.
MAX_REPORTED = 20
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels (the limit of a document)"


def document_problems(document: Any, check_text: bool = True) -> list[FieldError]:
    """What breaks the limits, with paths; [] when nothing does. `check_text=False` skips
    the text checks where the parser already made them (orjson refuses lone surrogates
    and raw NUL; an escaped `\\u0000` is looked for in the bytes first)."""
    problems: list[FieldError] = []
    for problem in _problems(document, check_text):
        problems.append(problem)
        if len(problems) == MAX_REPORTED:
            break
    return problems


def text_problem(text: str) -> str | None:
    """Why a text cannot be kept, or None."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as problem:
            code = ord(text[problem.start])
            return f"contains a lone surrogate (\\u{code:04x}), which is not valid Unicode"
    return None


def _problems(document: Any, check_text: bool) -> Iterator[FieldError]:
    """Depth first, without recursion: the document's depth is what is being checked."""
    stack: list[tuple[Any, tuple[PathPart, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            yield from _too_deep(path)
            if len(path) < MAX_DEPTH:
                for key, item in reversed(value.items()):
                    yield from _text(key, path, check_text, is_key=True)
                    stack.append((item, (*path, _shown_key(key))))
        elif isinstance(value, list):
            yield from _too_deep(path)
            if len(path) < MAX_DEPTH:
                # The kinds of items first, at C speed: a busy list of 700,000 texts needs
                # no trip through Python per item when its texts need no check.
                kinds = set(map(type, value))
                if (check_text and str in kinds) or kinds & {int, float}:
                    yield from _list_scalars(value, path, check_text)
                if kinds & {dict, list}:
                    stack.extend(
                        (value[i], (*path, i))
                        for i in range(len(value) - 1, -1, -1)
                        if isinstance(value[i], dict | list)
                    )
        elif isinstance(value, str):
            yield from _text(value, path, check_text)
        elif (problem := number_problem(value)) is not None:
            yield FieldError(format_path(path), problem)


def _list_scalars(
    items: list[Any], path: tuple[PathPart, ...], check_text: bool
) -> Iterator[FieldError]:
    """The texts and numbers of a list, in place: a calendar snapshot's busy lists hold
    hundreds of thousands of texts, not worth a trip through the stack each."""
    for i, item in enumerate(items):
        if isinstance(item, str):
            if check_text and text_problem(item) is not None:
                yield from _text(item, (*path, i), check_text)
        elif (problem := number_problem(item)) is not None:
            yield FieldError(format_path((*path, i)), problem)


def number_problem(value: Any) -> str | None:
    """Why a number cannot be kept, or None (for anything that is no number). JSON's
    writers carry whole numbers of 64 bits and finite numbers only: a larger one could
    not be stored, and NaN or Infinity would be stored as null."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return "a whole number too large to be kept (at most 19 digits)"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number (NaN and Infinity cannot be kept)"
    return None


def _too_deep(path: tuple[PathPart, ...]) -> Iterator[FieldError]:
    if len(path) == MAX_DEPTH:
        yield FieldError(format_path(path), TOO_DEEP)


def _text(
    value: Any, path: tuple[PathPart, ...], check_text: bool, is_key: bool = False
) -> Iterator[FieldError]:
    if not check_text or not isinstance(value, str):
        return
    problem = text_problem(value)
    if problem is not None:
        where = format_path((*path, _shown_key(value))) if is_key else format_path(path)
        yield FieldError(where, f"{'the key ' if is_key else ''}{problem}")


def _shown_key(key: Any) -> str:
    """A key as a path part that can itself be printed and stored, and is short."""
    text = str(key)
    text = text if text_problem(text) is None else ascii(text)
    return text if len(text) <= KEY_SHOWN else text[:KEY_SHOWN] + "…"
