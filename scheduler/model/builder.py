"""Builds the CP-SAT model of one group of sessions: variables, then every hard rule that
the model enforces (the others hold by the candidates themselves)."""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.model.variables import Variables
from scheduler.rules.registry import model_rules


def build_model(
    data: CandidateSet, sessions: Sequence[SessionCandidates]
) -> tuple[cp_model.CpModel, Variables]:
    model = cp_model.CpModel()
    variables = Variables(model, sessions)
    for rule in model_rules():
        assert rule.model is not None
        rule.model(model, data, variables)
    return model, variables
