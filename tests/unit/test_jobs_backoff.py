"""The wait before a job's next try: exponential from the base, never past the cap."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform.jobs import backoff
from leadgate.platform.jobs.runner import BACKOFF_BASE, BACKOFF_CAP


def test_the_wait_doubles_from_the_base():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        BACKOFF_BASE,
        BACKOFF_BASE * 2,
        BACKOFF_BASE * 4,
        BACKOFF_BASE * 8,
    ]


def test_the_wait_stops_at_the_cap():
    assert backoff(1000) == BACKOFF_CAP
    assert backoff(3, base=dt.timedelta(seconds=1), cap=dt.timedelta(seconds=3)) == dt.timedelta(
        seconds=3
    )


@given(st.integers(min_value=1, max_value=10**6))
def test_the_wait_grows_and_stays_within_bounds(retry):
    wait = backoff(retry)
    assert BACKOFF_BASE <= wait <= BACKOFF_CAP
    assert backoff(retry + 1) >= wait
