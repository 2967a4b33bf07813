"""The service under several tenants' load, with 1 and with 2 worker processes:

    python -m bench.service_bench [--tenants 8] [--smalls 5] [--large-pairs 1000]
                                  [--programme-pairs 1000] [--declines 5]
                                  [--whatif-pairs 600] [--plan-pairs 3000]
                                  [--layouts 1 2 default]

Each tenant submits one large plan (`--large-pairs`, the large queue) and then a small one
(2 pairs) every 2 s; meanwhile a programme of `--programme-pairs` pairs, planned before,
receives `--declines` declines, one every 3 s. Prints, per job size, the wait in the queue
(created to started) and the run (started to finished), p50 and p99, from the jobs' own
times; and per decline, the seconds from the POST to the moment `GET .../sessions` shows
the declined session at its new start, and whether it alone moved.

Then, on the idle service, a what-if of `--whatif-pairs` pairs with 4 variations (5
variants, one job each): the seconds from its POST to its comparison; and a plan of
`--plan-pairs` pairs (large: planned in 2 parts): the seconds from its POST to done.

Layouts: see LAYOUTS (1 and 2 `tandem worker` processes, and `tandem serve` alone).
SQLite, loopback. The programme's calendars are written out as busy times (as a snapshot
of Graph calendars), so the body limit is raised for it.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench.programme import generate_programme, programme_with_calendars
from tests.api.service import TANDEM, create_key, serving

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Decline:
    seconds: float  # POST to visible in GET .../sessions
    alone: bool  # no other session moved


def small_scenario(number: int) -> dict[str, Any]:
    people = [
        {"id": f"m{number}", "role": "mentor"},
        {"id": f"e{number}", "role": "executive"},
        {"id": f"m{number}b", "role": "mentor"},
        {"id": f"e{number}b", "role": "executive"},
    ]
    return {
        "version": 1,
        "timezone": "Europe/Paris",
        "horizon": {"start": "2027-01-04", "weeks": 4},
        "people": people,
        "pairs": [
            {"id": "p1", "mentor": f"m{number}", "mentee": f"e{number}"},
            {"id": "p2", "mentor": f"m{number}b", "mentee": f"e{number}b"},
        ],
    }


VARIATIONS = [
    {"name": "biweekly", "set": {"rules.cadence": "biweekly"}},
    {"name": "60 minutes", "set": {"rules.duration_minutes": 60}},
    {"name": "one a day", "set": {"rules.max_sessions_per_day": 1}},
    {"name": "buffers", "set": {"rules.buffer_minutes": 15}},
]


def whatif_seconds(client: httpx.Client, pairs: int) -> float:
    document = {**generate_programme(pairs), "variations": VARIATIONS}
    began = time.monotonic()
    job = wait_done(client, submit(client, "/v1/whatif", document))
    assert job["status"] == "done", job
    return time.monotonic() - began


def wait_done(client: httpx.Client, href: str) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = client.get(href).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(POLL_SECONDS * 4)


def submit(client: httpx.Client, path: str, document: dict[str, Any]) -> str:
    """POST, retrying when the tenant's job cap answers 429 (as a client should)."""
    while True:
        answer = client.post(path, json=document)
        if answer.status_code != 429:
            assert answer.status_code == 202, answer.text
            return answer.headers["Location"]
        time.sleep(float(answer.headers.get("Retry-After", "1")))


def tenant_load(base: str, key: str, large: dict[str, Any], smalls: int) -> list[dict[str, Any]]:
    with client_for(base, key) as client:
        hrefs = [submit(client, "/v1/plans", large)]
        for number in range(smalls):
            time.sleep(2)
            hrefs.append(submit(client, "/v1/plans", small_scenario(number)))
        return [wait_done(client, href) for href in hrefs]


def declines(base: str, key: str, programme: str, count: int) -> list[Decline]:
    with client_for(base, key) as client:
        sessions = client.get(f"{programme}/sessions", params={"limit": 5000}).json()
        chosen = sessions[:: max(1, len(sessions) // max(1, count))][:count]
        found = []
        for session in chosen:
            time.sleep(3)
            found.append(decline(client, programme, session))
        return found


def decline(client: httpx.Client, programme: str, session: dict[str, Any]) -> Decline:
    key = (session["pair"], session["index"])
    began = time.monotonic()
    answer = client.post(
        f"{programme}/changes", json={"kind": "decline", "pair": key[0], "index": key[1]}
    )
    assert answer.status_code == 202, answer.text
    while True:
        mine = client.get(f"{programme}/sessions", params={"person": session["mentee"]}).json()
        now = next((s for s in mine if (s["pair"], s["index"]) == key), None)
        if now is None or now["start"] != session["start"]:
            break
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - began
    job = wait_done(client, answer.headers["Location"])
    others = [
        (s["pair"], s["index"])
        for s in job["plan"]["sessions"]
        if s["moved"] and (s["pair"], s["index"]) != key
    ]
    return Decline(seconds, not others)  # it moved, or had no other time; nothing else moved


@contextmanager
def client_for(base: str, key: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300
    ) as client:
        yield client


LAYOUTS = {
    "1": "one `tandem worker` process for both queues",
    "2": "two `tandem worker` processes for both queues",
    "default": "`tandem serve` alone: two local processes for small jobs, one for both",
}


@contextmanager
def service(database: str, layout: str, plan_parts: int) -> Iterator[str]:
    environment = {
        "TANDEM_MAX_BODY_BYTES": "200000000",
        "TANDEM_JOB_TIME_LIMIT_SECONDS": "120",
        "TANDEM_PLAN_PARTS": str(plan_parts),
        "TANDEM_BROKER_FOLDER": database.removeprefix("sqlite:///") + ".broker",  # shared
    }
    if layout == "default":
        with serving(database, TANDEM_LOCAL_WORKERS="1", **environment) as base:
            yield base
        return
    with serving(database, TANDEM_WORKER_ENABLED="false", **environment) as base:
        worker = subprocess.Popen(
            [TANDEM, "worker", "--queues", "small,large", "--processes", layout],
            env={**os.environ, "TANDEM_DATABASE_URL": database, **environment},
            start_new_session=True,
        )
        try:
            yield base
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def plan_seconds(client: httpx.Client, pairs: int) -> tuple[float, int]:
    """POST /v1/plans of a programme of `pairs` pairs to done: seconds, and its parts."""
    began = time.monotonic()
    job = wait_done(client, submit(client, "/v1/plans", generate_programme(pairs)))
    assert job["status"] == "done", job
    return time.monotonic() - began, job["parts"]


def seconds_between(job: dict[str, Any], first: str, last: str) -> float:
    return (datetime.fromisoformat(job[last]) - datetime.fromisoformat(job[first])).total_seconds()


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.2f} s" if values else "-"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49]:.2f} s, p99 {cuts[98]:.2f} s"


def run(args: argparse.Namespace, layout: str, directory: Path) -> None:
    database = f"sqlite:///{directory / f'tandem-{layout}.db'}"
    keys = [create_key(database, f"tenant-{n}")[1] for n in range(args.tenants)]
    hr = create_key(database, "hr")[1]
    large = generate_programme(args.large_pairs)
    with service(database, layout, args.plan_parts) as base, client_for(base, hr) as client:
        programme = client.post(
            "/v1/programmes", json=programme_with_calendars(args.programme_pairs)
        ).headers["Location"]
        first = wait_done(client, client.post(f"{programme}/plan").headers["Location"])
        assert first["status"] == "done", first
        jobs: list[dict[str, Any]] = []
        found: list[Decline] = []
        lock = threading.Lock()

        def tenant(key: str) -> None:
            done = tenant_load(base, key, large, args.smalls)
            with lock:
                jobs.extend(done)

        def hr_declines() -> None:
            found.extend(declines(base, hr, programme, args.declines))

        threads = [threading.Thread(target=tenant, args=(key,)) for key in keys]
        threads.append(threading.Thread(target=hr_declines))
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        makespan = time.monotonic() - began
        whatif = whatif_seconds(client, args.whatif_pairs) if args.whatif_pairs else 0.0
        plan, parts = plan_seconds(client, args.plan_pairs) if args.plan_pairs else (0.0, 0)
    print(f"\n{LAYOUTS[layout]}: all jobs of the load in {makespan:.0f} s")
    for size in ("small", "large"):
        mine = [j for j in jobs if j["queue"] == size]
        if not mine:
            continue
        failed = sum(j["status"] != "done" for j in mine)
        waits = [seconds_between(j, "created_at", "started_at") for j in mine]
        runs = [seconds_between(j, "started_at", "finished_at") for j in mine]
        print(
            f"  {size:5} jobs: {len(mine):3} ({failed} failed); "
            f"wait {percentiles(waits)}; run {percentiles(runs)}"
        )
    times = [d.seconds for d in found] or [0.0]
    print(
        f"  decline to visible ({args.programme_pairs} pairs, under that load): "
        f"{', '.join(f'{t:.2f}' for t in times)} s; median {statistics.median(times):.2f} s; "
        f"no other session moved: {sum(d.alone for d in found)} of {len(found)}"
    )
    if args.whatif_pairs:
        print(f"  what-if, {args.whatif_pairs} pairs, 5 variants (idle service): {whatif:.1f} s")
    if args.plan_pairs:
        print(f"  plan of {args.plan_pairs} pairs in {parts} parts (idle service): {plan:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=8)
    parser.add_argument("--smalls", type=int, default=5, help="small jobs per tenant")
    parser.add_argument("--large-pairs", type=int, default=1000)
    parser.add_argument("--programme-pairs", type=int, default=1000)
    parser.add_argument("--declines", type=int, default=5)
    parser.add_argument(
        "--layouts", nargs="+", default=list(LAYOUTS), choices=list(LAYOUTS), help="worker layouts"
    )
    parser.add_argument("--whatif-pairs", type=int, default=600, help="0: no what-if")
    parser.add_argument("--plan-pairs", type=int, default=3000, help="0: no large plan")
    parser.add_argument("--plan-parts", type=int, default=2, help="TANDEM_PLAN_PARTS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for layout in args.layouts:
            run(args, layout, Path(directory))


if __name__ == "__main__":
    main()
