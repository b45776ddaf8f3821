"""Failed sign-ins are slowed down per address: 1, 2, 4… seconds after the free attempts, at
most 5 minutes, forgotten after a quiet quarter of an hour or a success."""

from __future__ import annotations

from leadgate.ui.throttle import FORGET_AFTER, FREE_ATTEMPTS, LONGEST_WAIT, SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def failed(throttle: SignInThrottle, email: str, times: int) -> None:
    for _ in range(times):
        throttle.failed(email)


def test_the_first_failures_cost_nothing_then_the_wait_doubles() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    failed(throttle, "a@x.example", FREE_ATTEMPTS - 1)
    assert throttle.wait_needed("a@x.example") == 0
    waits = []
    for _ in range(5):
        throttle.failed("a@x.example")
        waits.append(throttle.wait_needed("a@x.example"))
    assert waits == [1, 2, 4, 8, 16]


def test_the_wait_counts_down_and_is_capped() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    failed(throttle, "a@x.example", FREE_ATTEMPTS + 3)  # 8 seconds
    clock.now += 5.5
    assert throttle.wait_needed("a@x.example") == 3  # rounded up: never "wait 0 seconds"
    clock.now += 2.5
    assert throttle.wait_needed("a@x.example") == 0
    failed(throttle, "a@x.example", 40)
    assert throttle.wait_needed("a@x.example") == LONGEST_WAIT


def test_addresses_are_counted_apart_whatever_their_case() -> None:
    throttle = SignInThrottle(Clock())
    failed(throttle, "Ann@X.example ", FREE_ATTEMPTS)
    assert throttle.wait_needed("ann@x.example") == 1
    assert throttle.wait_needed("bob@x.example") == 0


def test_a_success_or_a_quiet_quarter_of_an_hour_starts_afresh() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock)
    failed(throttle, "a@x.example", FREE_ATTEMPTS + 2)
    throttle.succeeded("a@x.example")
    assert throttle.wait_needed("a@x.example") == 0
    failed(throttle, "b@x.example", FREE_ATTEMPTS + 2)
    clock.now += FORGET_AFTER + 1
    assert throttle.wait_needed("b@x.example") == 0
    throttle.failed("b@x.example")  # counted from one again
    assert throttle.wait_needed("b@x.example") == 0
