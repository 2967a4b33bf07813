"""What the service accepts from a caller, checked before anything is queued."""

from __future__ import annotations

from typing import Any

from api.settings import ServiceSettings
from api.work.admission import beyond_quota
from connectors.scenarios import refuse_server_side_calendars
from scheduler.scenario import Scenario
from scheduler.scenario_checks import validate_scenario, variants_of

SESSIONS_PER_PAIR = 520  # the most `sessions` a pair may ask for
MOST_HOLIDAYS = 10_000


def list_limits(settings: ServiceSettings, scenario: dict[str, Any]) -> dict[str, int]:
    """The most items each list of a scenario may hold at the API: past them the job would
    be refused for its size anyway, and validating item by item first would cost time and
    memory a caller could choose (a 2 MB body holds 600,000 empty items)."""
    pairs = scenario.get("pairs")
    most_sessions = SESSIONS_PER_PAIR * (len(pairs) if isinstance(pairs, list) else 0)
    return {
        "pairs": settings.max_pairs,
        "people": 2 * settings.max_pairs,
        "variations": settings.max_variations,
        "current": max(most_sessions, 1),
        "holidays": MOST_HOLIDAYS,
    }


NOUNS = {"current": "booked sessions"}  # the others read well as their key


def _within_counts(settings: ServiceSettings, scenario: dict[str, Any]) -> None:
    errors = [
        {
            "path": key,
            "message": f"{len(items):,} {NOUNS.get(key, key)}, past the quota of {most:,} per job",
        }
        for key, most in list_limits(settings, scenario).items()
        if isinstance(items := scenario.get(key), list) and len(items) > most
    ]
    if errors:
        raise beyond_quota(errors)


def check_submitted(settings: ServiceSettings, scenario: dict[str, Any]) -> Scenario:
    """A caller's scenario, and each of its variations, must be valid and must name no
    calendar that the server would read for them (its files, its Graph mailboxes). Each
    variation costs a validation of the whole scenario: their number is capped first."""
    _within_counts(settings, scenario)
    valid = validate_scenario(scenario)
    for each in (valid, *variants_of(valid)):
        refuse_server_side_calendars(each)
    return valid
