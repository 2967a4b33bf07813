"""Hypothesis strategies: small random programmes that exercise every rule."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

ZONES = ["Europe/Paris", "America/New_York", "Asia/Singapore", "Asia/Kolkata"]
DAYS = [
    "2027-03-08",
    "2027-03-10",
    "2027-03-12",
    "2027-03-15",
    "2027-03-16",
    "2027-03-24",
    "2027-03-29",
    "2027-04-01",
]


@st.composite
def working_hours(draw: st.DrawFn) -> dict[str, list[str]]:
    start = draw(st.sampled_from(["07:00", "08:00", "09:00", "10:30"]))
    end = draw(st.sampled_from(["12:00", "15:00", "18:00", "20:00"]))
    days = draw(st.sampled_from(["mon-fri", "mon-thu", "tue-sat", "sun-thu", "fri-mon"]))
    return {days: [f"{start}-{end}"]}


@st.composite
def busy_times(draw: st.DrawFn) -> list[dict[str, str]]:
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        day = draw(st.sampled_from(DAYS))
        hour = draw(st.integers(7, 18))
        length = draw(st.sampled_from([30, 60, 90, 180]))
        end_hour, end_minute = divmod(hour * 60 + length, 60)
        status = draw(st.sampled_from(["busy", "busy", "tentative", "oof", "free"]))
        entries.append(
            {
                "start": f"{day}T{hour:02d}:00",
                "end": f"{day}T{end_hour:02d}:{end_minute:02d}",
                "status": status,
            }
        )
    return entries


@st.composite
def people(draw: st.DrawFn, role: str, prefix: str, count: int) -> list[dict[str, Any]]:
    found = []
    for number in range(count):
        person: dict[str, Any] = {
            "id": f"{prefix}{number}",
            "role": role,
            "timezone": draw(st.sampled_from(ZONES)),
            "working_hours": draw(working_hours()),
            "busy": draw(busy_times()),
            "region": draw(st.sampled_from(["eu", "us"])),
        }
        if draw(st.booleans()):
            day = draw(st.sampled_from(DAYS))
            person["out_of_office"] = [{"from": day, "to": day}]
        if role == "mentor" and draw(st.integers(0, 3)) == 0:
            person["available_from"] = draw(st.sampled_from(DAYS))
        if draw(st.integers(0, 3)) == 0:
            person["max_sessions_per_day"] = 1
        found.append(person)
    return found


@st.composite
def programmes(draw: st.DrawFn, uniform_priority: bool = False) -> dict[str, Any]:
    mentors = draw(people("mentor", "m", draw(st.integers(1, 3))))
    executives = draw(people("executive", "e", draw(st.integers(1, 3))))
    pairs = []
    for number in range(draw(st.integers(1, 5))):
        pair: dict[str, Any] = {
            "id": f"p{number}",
            "mentor": draw(st.sampled_from(mentors))["id"],
            "mentee": draw(st.sampled_from(executives))["id"],
            "cadence": draw(st.sampled_from(["weekly", "weekly", "biweekly", "monthly"])),
        }
        if not uniform_priority:
            pair["priority"] = draw(st.sampled_from(["high", "normal", "low"]))
        if draw(st.booleans()):
            pair["preferred"] = {
                "weekdays": draw(
                    st.lists(
                        st.sampled_from(["mon", "tue", "thu"]), min_size=1, max_size=2, unique=True
                    )
                )
            }
        if draw(st.integers(0, 3)) == 0:
            pair["after_decline"] = draw(st.sampled_from(["other_day", "other_time"]))
        pairs.append(pair)
    grid = draw(st.sampled_from([15, 30]))
    return {
        "version": 1,
        "timezone": draw(st.sampled_from(ZONES)),
        "horizon": {"start": "2027-03-08", "weeks": draw(st.integers(1, 4))},
        "grid_minutes": grid,
        "rules": {
            "duration_minutes": draw(st.sampled_from([30, 60, 90])),
            "buffer_minutes": draw(st.sampled_from([0, 5, 15])),
            "min_gap_days": draw(st.integers(0, 6)),
            "max_sessions_per_week": draw(st.integers(1, 3)),
            "tentative": draw(st.sampled_from(["block", "avoid", "allow"])),
        },
        "holidays": draw(
            st.lists(
                st.builds(
                    lambda d, r: {"date": d, **({"regions": [r]} if r else {})},
                    st.sampled_from(DAYS),
                    st.sampled_from([None, "eu", "us"]),
                ),
                max_size=2,
                unique_by=lambda h: h["date"],
            )
        ),
        "people": mentors + executives,
        "pairs": pairs,
        "declined": draw(st.lists(declines([p["id"] for p in pairs]), max_size=2)),
    }


@st.composite
def declines(draw: st.DrawFn, pair_ids: list[str]) -> dict[str, Any]:
    """A start an earlier plan's session 0 of a pair was declined at (every pair needs a
    session 0: its first period starts with the horizon)."""
    day, hour = draw(st.sampled_from(DAYS)), draw(st.integers(7, 18))
    entry = {"pair": draw(st.sampled_from(pair_ids)), "index": 0, "start": f"{day}T{hour:02d}:00"}
    by = draw(st.sampled_from([None, "mentor", "executive"]))
    return {**entry, "by": by} if by else entry
