"""One invitation worker per database: a second process waits until the first one's hold
expires or is released."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from api.invitations.election import hold, release


def test_one_holder_at_a_time_renewed_by_it_and_taken_over_when_it_lapses(
    store: sessionmaker[Session],
) -> None:
    short = timedelta(seconds=0.5)
    assert hold(store, "invitation-worker", "first", short)
    assert not hold(store, "invitation-worker", "second", short)
    assert hold(store, "invitation-worker", "first", short)  # the holder renews
    assert hold(store, "another-job", "second", short)  # names are independent
    time.sleep(0.6)
    assert hold(store, "invitation-worker", "second", short)  # the first stopped renewing
    assert not hold(store, "invitation-worker", "first", short)
    release(store, "invitation-worker", "second")
    assert hold(store, "invitation-worker", "first", short)
