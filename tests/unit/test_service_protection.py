"""The service protection count alone: a sliding window that never lets more than the limit
through, a Retry-After that is enough, and a concurrency limit that holds across threads."""

from __future__ import annotations

import threading
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.web.protection import (
    CONCURRENT_REQUESTS_EXCEEDED,
    REQUESTS_EXCEEDED,
    ServiceLimits,
    ServiceProtection,
    Throttled,
)

USER = uuid.UUID("22222222-2222-4222-8222-222222222222")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(
    limit=st.integers(1, 5),
    window=st.integers(1, 30),
    gaps=st.lists(st.integers(0, 40).map(lambda quarters: quarters / 4), min_size=1, max_size=40),
)
def test_no_window_ever_holds_more_than_the_limit_and_the_advised_wait_is_enough(
    limit, window, gaps
):
    clock = Clock()
    protection = ServiceProtection(
        ServiceLimits(requests=limit, window=window, execution_time=0), clock=clock
    )
    admitted: list[float] = []
    for gap in gaps:
        clock.now += gap
        try:
            protection.finish(protection.admit(USER))
            admitted.append(clock.now)
        except Throttled as refusal:
            assert refusal.error.code == REQUESTS_EXCEEDED.code
            assert refusal.retry_after >= 1
            # Waiting as told is enough (when nobody sends in between).
            clock.now += refusal.retry_after
            protection.finish(protection.admit(USER))
            admitted.append(clock.now)
    for start in admitted:
        inside = [t for t in admitted if start <= t < start + window]
        assert len(inside) <= limit


def test_the_concurrent_limit_holds_across_threads():
    protection = ServiceProtection(ServiceLimits(concurrent=3))
    everyone_tried = threading.Barrier(10)
    admitted, refused = [], []

    def request() -> None:
        try:
            admission = protection.admit(USER)
        except Throttled as refusal:
            refused.append(refusal)
            everyone_tried.wait(10)
            return
        admitted.append(admission)
        everyone_tried.wait(10)  # still under way while the others try

    threads = [threading.Thread(target=request) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert (len(admitted), len(refused)) == (3, 7)
    assert {r.error.code for r in refused} == {CONCURRENT_REQUESTS_EXCEEDED.code}
    assert {r.retry_after for r in refused} == {1}
    assert protection.running(USER) == 3
    for admission in admitted:
        protection.finish(admission)
    assert protection.running(USER) == 0
    protection.finish(protection.admit(USER))  # room again


def test_users_idle_past_the_window_are_forgotten():
    clock = Clock()
    protection = ServiceProtection(ServiceLimits(window=10), clock=clock)
    for _ in range(2000):
        protection.finish(protection.admit(uuid.uuid4()))
    clock.now += 11
    protection.finish(protection.admit(USER))
    assert len(protection._usage) <= 1


def test_limits_are_checked_when_set():
    with pytest.raises(ValueError):
        ServiceLimits(window=0)
    with pytest.raises(ValueError):
        ServiceLimits(requests=-1)
