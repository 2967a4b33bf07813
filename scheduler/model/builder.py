"""Builds the CP-SAT model of one group of sessions: variables, then every hard rule."""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.candidates import CandidateSet, SessionCandidates
from scheduler.model.constraints import HARD_RULES
from scheduler.model.variables import Variables


def build_model(
    data: CandidateSet, sessions: Sequence[SessionCandidates]
) -> tuple[cp_model.CpModel, Variables]:
    model = cp_model.CpModel()
    variables = Variables(model, sessions)
    for _, add_rule in HARD_RULES:
        add_rule(model, data, variables)
    return model, variables
