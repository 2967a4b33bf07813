"""The model's choice variables: the warm start the searches get and the plan read back.

Both go through the model's proto as one run of indices; a hint that never reached the
proto would still give valid plans (only slower and other ones), so it is asserted here.
"""

from ortools.sat.python import cp_model

from scheduler.candidates import SessionCandidates, build_candidates
from scheduler.model.builder import build_model
from scheduler.model.variables import Variables
from tests.builders import executive, mentor, pair, problem_of, scenario


def _model() -> tuple[cp_model.CpModel, Variables, list[SessionCandidates]]:
    document = scenario(
        horizon={"start": "2027-01-04", "weeks": 3},
        people=[mentor(), executive("e1"), executive("e2")],
        pairs=[pair("p1", "m1", "e1"), pair("p2", "m1", "e2")],
    )
    data = build_candidates(problem_of(document))
    sessions = list(data.sessions)
    model, variables = build_model(data, sessions)
    return model, variables, sessions


def test_the_hint_names_every_choice_with_the_chosen_ones_on() -> None:
    model, variables, sessions = _model()
    chosen = {sessions[0].number: 2, sessions[3].number: 0}
    variables.hint({sessions[1].number: 1})  # replaced, not added to
    variables.hint(chosen)
    expected = {
        var.index: int(chosen.get(s.number) == c)
        for s in sessions
        for c, var in enumerate(variables.choices(s))
    }
    hint = model.proto.solution_hint
    assert dict(zip(list(hint.vars), list(hint.values), strict=True)) == expected
    assert len(hint.vars) == len(expected) == sum(len(s) for s in sessions)


def test_the_plan_read_back_is_the_solution_of_the_choices() -> None:
    model, variables, sessions = _model()
    forced = {sessions[0].number: 3, sessions[2].number: 1}
    for session in sessions:
        for choice, var in enumerate(variables.choices(session)):
            model.add(var == int(forced.get(session.number) == choice))
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert variables.chosen(solver) == forced
