"""Run `tandem serve` for real, on a free port, against a given database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

TANDEM = str(Path(sys.executable).parent / "tandem")


def run_tandem(
    *args: str | Path, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `tandem` command, with `environment` added to this process's."""
    return subprocess.run(
        [TANDEM, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(environment or {})},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    database_url: str, port: int | None = None, log: Path | None = None, **environment: str
) -> Iterator[str]:
    """The service's output goes to `log` (a file of its own when not given), never to a
    pipe nobody reads: past 64 KB of log lines the service would block writing them."""
    port = port or free_port()
    # Each service its own embedded broker (its workers' queue), unless the test gives one.
    broker = tempfile.mkdtemp(prefix="tandem-broker-")
    log = log or Path(broker) / "serve.log"
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_BROKER_FOLDER": broker,
        **environment,
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [TANDEM, "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.kill()
        process.wait(timeout=10)


def _wait_until_up(base: str, process: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tandem serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("tandem serve did not come up in 60 s")


def create_key(database_url: str, tenant: str) -> tuple[str, str]:
    result = subprocess.run(
        [TANDEM, "keys", "create", "--tenant", tenant],
        capture_output=True,
        text=True,
        env={**os.environ, "TANDEM_DATABASE_URL": database_url},
        timeout=60,
        check=True,
    )
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    return lines["key id"].strip(), lines["key"].strip()


@contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A new database for one run, dropped afterwards."""
    name = f"tandem_test_{uuid.uuid4().hex[:12]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
