"""Programmes of many sessions for the sender's tests, and what a calendar must show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.invitations.runs import Prepared, prepare
from scheduler.plan_format import PlanDocument
from tests.builders import executive, mentor, pair, scenario

FIRST_DAY = datetime(2027, 1, 4, 8, tzinfo=UTC)


def big_scenario(pairs: int, sessions: int, mentors: int | None = None) -> dict[str, Any]:
    """`pairs` pairs of `sessions` sessions; mentors shared when fewer than pairs."""
    mentors = mentors or pairs
    return scenario(
        people=[
            *[
                mentor(f"m{n}", email=f"mentor{n}@contoso.example", timezone="Europe/Paris")
                for n in range(mentors)
            ],
            *[
                executive(f"e{n}", email=f"exec{n}@contoso.example", timezone="America/New_York")
                for n in range(pairs)
            ],
        ],
        pairs=[pair(f"p{n}", f"m{n % mentors}", f"e{n}", sessions=sessions) for n in range(pairs)],
        horizon={"start": "2027-01-04", "weeks": 12},
    )


def spread_plan(raw: dict[str, Any], shift_minutes: int = 0) -> dict[str, Any]:
    """Every session at its own quarter hour (the sender does not re-check calendars)."""
    sessions = []
    for number, item in enumerate(
        (p, index) for p in raw["pairs"] for index in range(p["sessions"])
    ):
        p, index = item
        start = FIRST_DAY + timedelta(minutes=15 * number + shift_minutes)
        sessions.append(
            {
                "pair": p["id"],
                "index": index,
                "mentor": p["mentor"],
                "mentee": p["mentee"],
                "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": (start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "moved": False,
            }
        )
    return {"sessions": sessions, "unplaced": []}


def record(
    store: sessionmaker[Session], raw: dict[str, Any], plan: dict[str, Any], name: str = "test"
) -> Prepared:
    return prepare(store, raw, PlanDocument.read(plan), name, dry_run=False)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
