"""Rules of a session's shape: on the grid, the pair's duration, the pair's own two people.

The representation keeps them: a candidate is a grid cell, spans the pair's length in
cells, and belongs to one session of one pair. They are listed so that every rule of the
validator has its unit here, saying how it is kept.
"""

from __future__ import annotations

from scheduler.rule_names import RuleName
from scheduler.rules.calendar import BOOKS_CANDIDATES
from scheduler.rules.parts import ByConstruction, HardRule

ON_GRID = HardRule(
    RuleName.ON_GRID,
    candidates=ByConstruction("a candidate start is a grid cell"),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=ByConstruction("never a reason: the grid only decides where starts may be"),
)

DURATION = HardRule(
    RuleName.DURATION,
    candidates=ByConstruction("a candidate spans the pair's duration in grid cells"),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=ByConstruction("never a reason: every layer is checked over the whole length"),
)

PEOPLE = HardRule(
    RuleName.PEOPLE,
    candidates=ByConstruction("a session is made for its pair; its people are the pair's"),
    model=None,
    greedy=BOOKS_CANDIDATES,
    explanation=ByConstruction("never a reason: nobody else is ever invited"),
)

SHAPE_RULES = (ON_GRID, DURATION, PEOPLE)
