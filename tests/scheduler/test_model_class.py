"""The models the solver builds are plain CP-SAT models, only made faster."""

from ortools.sat.python import cp_model

from scheduler.model.builder import Model


def test_a_model_solves_as_cp_sat_s_own() -> None:
    model = Model()
    x, y = model.new_bool_var("x"), model.new_bool_var("y")
    model.add(x + y <= 1)
    model.maximize(x + 2 * y)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert (solver.value(x), solver.value(y)) == (0, 1)


def test_no_camel_case_aliases_are_made() -> None:
    """OR-Tools' own models carry them (the cost this class avoids); ours do not."""
    assert hasattr(cp_model.CpModel(), "NewBoolVar")
    assert not hasattr(Model(), "NewBoolVar")
