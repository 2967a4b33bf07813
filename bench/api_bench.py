"""HTTP service benchmark on the 1,000-pair programme (SQLite, loopback only):

    python -m bench.api_bench [--pairs 1000] [--seconds 10] [--clients 8]

Prints the seconds from `POST /v1/plans` to `done`, the same for a programme's first
plan, and requests per second on `GET /v1/programmes/{id}/sessions` (one person's
sessions, and all of them) from concurrent clients, with latency percentiles.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.programme import generate_programme
from tests.api.service import create_key, serving


def wait_done(client: httpx.Client, href: str) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = client.get(href).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)


def load(base: str, key: str, path: str, seconds: float, clients: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        mine = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
            while time.monotonic() < stop:
                began = time.monotonic()
                assert client.get(path).status_code == 200
                mine.append(time.monotonic() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - began), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    document = generate_programme(args.pairs)
    with tempfile.TemporaryDirectory() as directory:
        database = f"sqlite:///{Path(directory) / 'tandem.db'}"
        _, key = create_key(database, "bench")
        with (
            serving(database, TANDEM_JOB_TIME_LIMIT_SECONDS="60") as base,
            httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60
            ) as client,
        ):
            began = time.monotonic()
            job = wait_done(client, client.post("/v1/plans", json=document).headers["Location"])
            plan_seconds = time.monotonic() - began
            programme = client.post("/v1/programmes", json=document).headers["Location"]
            began = time.monotonic()
            wait_done(client, client.post(f"{programme}/plan").headers["Location"])
            programme_seconds = time.monotonic() - began
            placed = len(job["plan"]["sessions"]) if job["plan"] else 0
            print(
                f"{args.pairs} pairs: POST /v1/plans to done {plan_seconds:.1f} s "
                f"({job['status']}, {placed} sessions); "
                f"programme's first plan {programme_seconds:.1f} s"
            )
            for label, path in (
                ("one person's sessions", f"{programme}/sessions?person=e0"),
                ("a page of 1,000 of all sessions", f"{programme}/sessions"),
            ):
                rate, latencies = load(base, key, path, args.seconds, args.clients)
                cuts = statistics.quantiles(latencies, n=100)
                print(
                    f"GET {label}: {rate:.0f} requests/s with {args.clients} clients; "
                    f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms"
                )


if __name__ == "__main__":
    main()
