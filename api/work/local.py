"""The embedded default: `tandem serve` starts its own `tandem worker` processes on this
machine (`local_small_workers` for small jobs only, so that they never wait behind large
ones, `local_workers` more for both queues, and one for the invitation rounds when Graph
is set), restarts any that dies, and stops them with it."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading

from api.settings import ServiceSettings
from api.work.engine import INVITATIONS
from api.work.isolation import die_with_parent

log = logging.getLogger(__name__)
RESTART_SECONDS = 1.0


def worker_commands(settings: ServiceSettings, rounds: bool) -> list[list[str]]:
    """With `rounds` (Graph is set), one more process for the invitation rounds: a long
    round of sending must not hold up small jobs."""
    base = [sys.executable, "-m", "api.cli", "worker"]
    small = str(settings.local_small_workers)
    commands = [[*base, "--queues", "small", "--processes", small]]
    if settings.local_workers > 0:
        commands.append(
            [*base, "--queues", "large,small", "--processes", str(settings.local_workers)]
        )
    if rounds:
        commands.append([*base, "--queues", INVITATIONS, "--processes", "1"])
    return commands


class LocalWorkers(threading.Thread):
    def __init__(self, settings: ServiceSettings, rounds: bool = False) -> None:
        super().__init__(name="tandem-local-workers", daemon=True)
        self.commands = worker_commands(settings, rounds)
        self.processes: list[subprocess.Popen[bytes] | None] = [None] * len(self.commands)
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                for number, command in enumerate(self.commands):
                    process = self.processes[number]
                    if process is None or process.poll() is not None:
                        if process is not None:
                            log.warning(
                                "local worker %d ended (%s): restarting", number, process.returncode
                            )
                        self.processes[number] = subprocess.Popen(
                            command, preexec_fn=die_with_parent
                        )
            self.stopping.wait(RESTART_SECONDS)

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            running = [p for p in self.processes if p is not None]
            for process in running:
                process.terminate()  # a warm shutdown: running jobs are taken again later
            for process in running:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
