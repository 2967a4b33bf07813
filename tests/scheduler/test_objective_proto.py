"""The fast objective writer sets the very proto OR-Tools' own `minimize`/`maximize` set."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.model.objective_proto import maximize, minimize
from scheduler.model.variables import summed

terms = st.lists(st.tuples(st.integers(0, 9), st.integers(-50, 50)), min_size=0, max_size=30)


def _objective(model: cp_model.CpModel, chosen: list[tuple[int, int]], offset: int):
    variables = [model.new_bool_var("") for _ in range(10)]
    return summed([coeff * variables[var] for var, coeff in chosen]) + offset


@pytest.mark.parametrize("ours, theirs", [(minimize, "minimize"), (maximize, "maximize")])
@given(chosen=terms, offset=st.integers(-100, 100))
def test_the_objective_proto_is_or_tools_own(ours, theirs, chosen, offset) -> None:
    mine, reference = cp_model.CpModel(), cp_model.CpModel()
    ours(mine, _objective(mine, chosen, offset))
    getattr(reference, theirs)(_objective(reference, chosen, offset))
    assert str(mine.proto) == str(reference.proto)
    assert mine.proto.objective.scaling_factor == reference.proto.objective.scaling_factor


def test_a_constant_objective_is_set_too() -> None:
    model = cp_model.CpModel()
    minimize(model, 7)
    assert model.proto.objective.offset == 7


def test_summed_of_nothing_is_a_plain_zero() -> None:
    assert summed([]) == 0 and isinstance(summed([]), int)
