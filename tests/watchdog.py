"""A bound on code that must never hang: it fails the test instead of hanging the suite."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def failing_if_it_hangs(seconds: int = 300) -> Iterator[None]:
    """TimeoutError after `seconds` (far above what the guarded code takes: this is no
    timing assertion, only the difference between finishing and waiting forever)."""

    def hung(signum: int, frame: Any) -> None:
        raise TimeoutError(f"not done in {seconds} s: it hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
