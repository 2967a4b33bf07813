"""What the service accepts from a caller, checked before anything is queued."""

from __future__ import annotations

from typing import Any

from api.problems import Problem
from api.settings import ServiceSettings
from connectors.scenarios import refuse_server_side_calendars
from scheduler.scenario import Scenario
from scheduler.scenario_checks import validate_scenario, variants_of


def check_submitted(settings: ServiceSettings, scenario: dict[str, Any]) -> Scenario:
    """A caller's scenario, and each of its variations, must be valid and must name no
    calendar that the server would read for them (its files, its Graph mailboxes). Each
    variation costs a validation of the whole scenario: their number is capped first."""
    variations = scenario.get("variations")
    if isinstance(variations, list) and len(variations) > settings.max_variations:
        raise Problem(
            422,
            "Too many variations",
            f"{len(variations)} variations; a what-if takes at most {settings.max_variations}",
        )
    valid = validate_scenario(scenario)
    for each in (valid, *variants_of(valid)):
        refuse_server_side_calendars(each)
    return valid
