"""Ids in the order people read them: `ne-exec-2` before `ne-exec-10`."""

from __future__ import annotations

import re

DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[str | int, ...], str]:
    """Runs of digits compare as numbers, the rest as text without case; the text itself
    breaks ties (`a01` and `a1`), so that the order is total and the same on every run."""
    parts = DIGITS.split(text)
    # split() puts text at even places and digits at odd ones, so compared tuples never
    # meet a number against a text at the same place.
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)), text
