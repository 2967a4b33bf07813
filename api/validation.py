"""What the service accepts from a caller, checked before anything is queued."""

from __future__ import annotations

from typing import Any

from connectors.scenarios import refuse_server_side_calendars
from scheduler.scenario_checks import validate_scenario
from scheduler.whatif import apply_variation, variation_names


def check_submitted(scenario: dict[str, Any]) -> None:
    """A caller's scenario, and each of its variations, must be valid and must name no
    calendar that the server would read for them (its files, its Graph mailboxes)."""
    refuse_server_side_calendars(validate_scenario(scenario))
    for number in range(len(variation_names(scenario))):
        refuse_server_side_calendars(validate_scenario(apply_variation(scenario, number)))
