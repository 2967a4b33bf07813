"""Builds the CP-SAT model of one group of sessions: variables, then every hard rule that
the model enforces (the others hold by the candidates themselves)."""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.model.variables import Variables
from scheduler.rules.registry import model_rules


class Model(cp_model.CpModel):
    """A CP-SAT model without the deprecated CamelCase aliases of its methods, which
    OR-Tools adds to every model it makes: 0.45 ms per model, as long as making a small
    group's variables, and a thousand models in a large programme. Nothing calls them."""

    def _add_pre_pep8_methods(self) -> None:
        return


def build_model(
    data: CandidateSet, sessions: Sequence[SessionCandidates]
) -> tuple[cp_model.CpModel, Variables]:
    model = Model()
    variables = Variables(model, sessions)
    for rule in model_rules():
        assert rule.model is not None
        rule.model(model, data, variables)
    return model, variables
