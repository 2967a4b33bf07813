"""Kill `tandem invite` hard at random points, restart it, and check the calendars.

Used by the test suite (a few kills) and by `bench/invite_chaos.py` (many). The sender is
a real process killed with SIGKILL: no cleanup, no `finally`, leases left behind.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.graph.meetings import TAG_PROPERTY
from tests.graph_standin import StandIn

TANDEM = str(Path(sys.executable).parent / "tandem")


@dataclass
class ChaosFigures:
    sessions: int = 0
    runs: int = 0
    kills: int = 0
    requests: int = 0
    seconds: float = 0.0
    duplicates: int = 0  # sessions with more than one live meeting
    missing: int = 0  # planned sessions without a meeting
    misplaced: int = 0  # meetings not at their session's planned time
    strays: int = 0  # live meetings of no planned session
    extra_invitations: int = 0  # invitations beyond one per meeting


def invite_until_done(
    scenario: Path,
    plan: Path,
    environment: dict[str, str],
    state: StandIn,
    kills: int,
    seed: int,
    most_requests_between_kills: int = 60,
) -> ChaosFigures:
    """Run `tandem invite`, killing it `kills` times, each after a random number of Graph
    requests (1 to `most_requests_between_kills`), then once more to the end."""
    rng = random.Random(seed)
    figures = ChaosFigures()
    began = time.monotonic()
    while True:
        figures.runs += 1
        before = len(state.event_requests)
        process = subprocess.Popen(
            [TANDEM, "invite", str(scenario), str(plan)],
            env={**os.environ, **environment},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if figures.kills < kills:
            target = before + rng.randint(1, most_requests_between_kills)
            while process.poll() is None and len(state.event_requests) < target:
                time.sleep(0.001)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.communicate(timeout=30)
                figures.kills += 1
                continue
        out, err = process.communicate(timeout=600)
        if process.returncode == 0:
            break
        if figures.runs > kills + 20:
            raise AssertionError(f"tandem invite keeps failing:\n{out}\n{err}")
    figures.seconds = time.monotonic() - began
    figures.requests = len(state.event_requests)
    return figures


def check_calendars(state: StandIn, plan: dict[str, Any], figures: ChaosFigures) -> ChaosFigures:
    """Count what went wrong: duplicates, missing, misplaced, strays, extra invitations."""
    live = state.live_events()
    planned = {f"{s['pair']}#{s['index']}": s for s in plan["sessions"]}
    found: dict[str, list[Any]] = {}
    for event in live:
        key = str(event.tag.get(TAG_PROPERTY, "")).split("/", 1)[-1].rsplit("/", 1)[0]
        found.setdefault(key, []).append(event)
    figures.sessions = len(planned)
    figures.duplicates = sum(1 for events in found.values() if len(events) > 1)
    figures.missing = sum(1 for key in planned if key not in found)
    figures.strays = sum(len(events) for key, events in found.items() if key not in planned)
    figures.misplaced = sum(
        1
        for key, events in found.items()
        if key in planned
        and events[0].start.strftime("%Y-%m-%dT%H:%M:%SZ") != planned[key]["start"]
    )
    invited = {event_id for _, kind, event_id in state.mail if kind == "invitation"}
    per_tag = Counter(
        event.tag.get(TAG_PROPERTY) for event in state.events.values() if event.id in invited
    )
    figures.extra_invitations = sum(count - 1 for count in per_tag.values())
    return figures


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
