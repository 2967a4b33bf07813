"""Synthetic programmes for benchmarks and the large example scenario.

Executives are about 75% busy and mentors about 50%, mostly weekly pairs, in three
regions. As in real programmes, mentors are scarcer than executives: about three pairs in
ten go to a mentor who already coaches someone, and one executive in ten has two mentors,
so people form small linked groups that compete for the same hours.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.synthetic import CalendarShape, generate_busy
from scheduler.busy_entries import compact_text
from scheduler.time_notation import parse_working_hours

REGIONS = (
    ("paris", "Europe/Paris"),
    ("new-york", "America/New_York"),
    ("singapore", "Asia/Singapore"),
)


def generate_programme(
    pairs: int,
    weeks: int = 12,
    seed: int = 7,
    executive_density: float = 0.75,
    mentor_density: float = 0.5,
    start: date = date(2027, 1, 4),
) -> dict[str, Any]:
    rng = random.Random(seed)
    people: list[dict[str, Any]] = []
    pair_list: list[dict[str, Any]] = []
    executives: list[tuple[str, str]] = []
    mentors: list[tuple[str, str]] = []
    couples: set[tuple[str, str]] = set()
    for number in range(pairs):
        region, _ = REGIONS[number % len(REGIONS)]
        executive = _reuse(rng, executives, region, 0.1) or _new_person(
            people, executives, "e", region, "executive", executive_density, rng
        )
        mentor = _reuse(rng, mentors, region, 0.3)
        if mentor is None or (mentor, executive) in couples:  # one pair per couple
            mentor = _new_person(people, mentors, "m", region, "mentor", mentor_density, rng)
        couples.add((mentor, executive))
        pair_list.append(
            {
                "id": f"p{number}",
                "mentor": mentor,
                "mentee": executive,
                **({"cadence": "biweekly"} if rng.random() < 0.1 else {}),
            }
        )
    return {
        "version": 1,
        "name": f"Synthetic programme, {pairs} pairs",
        "timezone": "UTC",
        "horizon": {"start": start.isoformat(), "weeks": weeks},
        "rules": {
            "duration_minutes": 45,
            "buffer_minutes": 0,
            "min_gap_days": 2,
            "max_sessions_per_day": 2,
            "max_sessions_per_week": 5,
        },
        "holidays": [
            {"date": "2027-01-18", "name": "Martin Luther King Jr. Day", "regions": ["new-york"]},
            {"date": "2027-02-08", "name": "Chinese New Year", "regions": ["singapore"]},
        ],
        "people": people,
        "pairs": pair_list,
    }


def _reuse(
    rng: random.Random, pool: list[tuple[str, str]], region: str, chance: float
) -> str | None:
    """Sometimes a recent person of the region who already has a pair takes another."""
    if rng.random() >= chance:
        return None
    local = [person for person, where in pool[-30:] if where == region]
    return rng.choice(local) if local else None


def _new_person(
    people: list[dict[str, Any]],
    pool: list[tuple[str, str]],
    prefix: str,
    region: str,
    role: str,
    density: float,
    rng: random.Random,
) -> str:
    person_id = f"{prefix}{len(pool)}"
    timezone = dict(REGIONS)[region]
    people.append(
        {
            "id": person_id,
            "role": role,
            "timezone": timezone,
            "region": region,
            "calendar": {
                "generate": {
                    "density": round(rng.uniform(density - 0.05, density + 0.05), 2),
                    "seed": len(people),
                }
            },
        }
    )
    pool.append((person_id, region))
    return person_id


def programme_with_calendars(pairs: int, weeks: int = 12, seed: int = 7) -> dict[str, Any]:
    """The same programme with every person's calendar written out as busy times in the
    compact form, as `tandem calendars fetch` writes a snapshot of Graph calendars."""
    document = generate_programme(pairs, weeks=weeks, seed=seed)
    first = date.fromisoformat(document["horizon"]["start"])
    margin = timedelta(days=2)
    hours = parse_working_hours({"mon-fri": ["09:00-18:00"]})
    for person in document["people"]:
        spec = person.pop("calendar")["generate"]
        shape = CalendarShape(
            ZoneInfo(person["timezone"]),
            hours,
            first - margin,
            first + timedelta(weeks=weeks) + margin,
        )
        busy = generate_busy(person["id"], shape, spec["density"], spec["seed"])
        person["busy"] = [compact_text(b) for b in busy]
    return document
