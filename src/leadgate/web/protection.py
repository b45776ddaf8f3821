"""Service protection: how much one user may ask of the Web API, as Dataverse measures it.

Dataverse protects each web server with three per-user limits (docs/limits.md): requests in a
sliding window of 5 minutes (6,000), their combined execution time in that window (1,200 s),
and requests under way at once (52). Past one, a request is answered 429 with ``Retry-After``
and one of Dataverse's own error codes, so a client written for Dataverse backs off the same
way here. Counts live in this process, as Dataverse's live in each web server.

This module loads no web framework, so that the CLI can show the defaults;
``web.protection_asgi`` applies it to requests.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from leadgate.platform.engine.errors import ErrorKind, LeadgateError
from leadgate.platform.engine.i18n import N_

__all__ = [
    "CONCURRENT_OPTION",
    "CONCURRENT_REQUESTS_EXCEEDED",
    "DEFAULT_LIMITS",
    "EXECUTION_TIME_EXCEEDED",
    "EXECUTION_TIME_OPTION",
    "REQUESTS_EXCEEDED",
    "REQUESTS_OPTION",
    "WINDOW_OPTION",
    "Admission",
    "ServiceLimits",
    "ServiceProtection",
    "Throttled",
]

REQUESTS_OPTION = "--max-requests"
WINDOW_OPTION = "--request-window"
EXECUTION_TIME_OPTION = "--max-execution-time"
CONCURRENT_OPTION = "--max-concurrent-requests"

# Dataverse's own codes and sentences ("Service protection API limits"), so that clients
# which recognise them (retry on 0x80072322…) do here what they do against Dataverse.
REQUESTS_EXCEEDED = ErrorKind(
    "requests_exceeded",
    "0x80072322",
    N_("Number of requests exceeded the limit of {limit} over time window of {window} seconds."),
)
EXECUTION_TIME_EXCEEDED = ErrorKind(
    "execution_time_exceeded",
    "0x80072321",
    N_(
        "Combined execution time of incoming requests exceeded limit of {limit} milliseconds "
        "over time window of {window} seconds. Decrease number of concurrent requests or "
        "reduce the duration of requests and try again later."
    ),
)
CONCURRENT_REQUESTS_EXCEEDED = ErrorKind(
    "concurrent_requests_exceeded",
    "0x80072326",
    N_("Number of concurrent requests exceeded the limit of {limit}."),
)


@dataclass(frozen=True)
class ServiceLimits:
    """Per user and per server process; 0 turns a limit off."""

    requests: int = 6000
    window: float = 300.0  # seconds, for requests and execution time
    execution_time: float = 1200.0  # seconds of requests' combined duration in the window
    concurrent: int = 52

    def __post_init__(self) -> None:
        if self.requests < 0 or self.execution_time < 0 or self.concurrent < 0:
            raise ValueError("service protection limits are 0 (off) or more")
        if self.window <= 0:
            raise ValueError("the service protection window is a positive number of seconds")


DEFAULT_LIMITS = ServiceLimits()


@dataclass
class _Usage:
    """One user's recent requests: when each began, how long finished ones took."""

    started: deque[float] = field(default_factory=deque)
    durations: deque[tuple[float, float]] = field(default_factory=deque)  # (end, seconds)
    spent: float = 0.0  # the sum of ``durations``
    running: int = 0

    def forget_before(self, horizon: float) -> None:
        while self.started and self.started[0] <= horizon:
            self.started.popleft()
        while self.durations and self.durations[0][0] <= horizon:
            self.spent -= self.durations.popleft()[1]
        if not self.durations:
            self.spent = 0.0  # no float drift left behind once the window is empty

    def idle(self) -> bool:
        return not (self.started or self.durations or self.running)


class Throttled(Exception):
    """A request refused by a limit: the coded error, and the seconds to wait."""

    def __init__(self, error: LeadgateError, retry_after: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True)
class Admission:
    """A request let in: what the user has left, for the response's headers."""

    user_id: uuid.UUID
    began: float
    requests_remaining: int | None  # None when the limit is off
    time_remaining: float | None


class ServiceProtection:
    """Counts each user's requests; refuses one past a limit with a coded 429 error.

    Thread-safe: synchronous routes authenticate in the thread pool. ``clock`` is monotonic
    seconds (tests give their own).
    """

    def __init__(
        self, limits: ServiceLimits = DEFAULT_LIMITS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._usage: dict[uuid.UUID, _Usage] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def admit(self, user_id: uuid.UUID) -> Admission:
        """Count a request of ``user_id`` as begun, or raise Throttled when it would pass a
        limit (the refused request is not counted). Pair with :meth:`finish`."""
        limits = self.limits
        with self._lock:
            now = self._clock()
            usage = self._usage.setdefault(user_id, _Usage())
            usage.forget_before(now - limits.window)
            if limits.concurrent and usage.running >= limits.concurrent:
                # Requests under way end within seconds: Dataverse asks for a short wait too.
                raise _refusal(CONCURRENT_REQUESTS_EXCEEDED(limit=limits.concurrent), 1)
            if limits.requests and len(usage.started) >= limits.requests:
                # The window slides: a place frees when the oldest request leaves it.
                wait = usage.started[-limits.requests] + limits.window - now
                raise _refusal(
                    REQUESTS_EXCEEDED(limit=limits.requests, window=_number(limits.window)), wait
                )
            if limits.execution_time and usage.spent >= limits.execution_time:
                raise _refusal(
                    EXECUTION_TIME_EXCEEDED(
                        limit=round(limits.execution_time * 1000), window=_number(limits.window)
                    ),
                    self._time_freed_in(usage, now),
                )
            usage.started.append(now)
            usage.running += 1
            return Admission(
                user_id,
                now,
                limits.requests - len(usage.started) if limits.requests else None,
                max(0.0, limits.execution_time - usage.spent) if limits.execution_time else None,
            )

    def finish(self, admission: Admission) -> None:
        """The request ended (answered, failed or abandoned): count the time it took."""
        with self._lock:
            now = self._clock()
            usage = self._usage.setdefault(admission.user_id, _Usage())
            usage.running = max(0, usage.running - 1)
            duration = max(0.0, now - admission.began)
            usage.durations.append((now, duration))
            usage.spent += duration
            usage.forget_before(now - self.limits.window)
            if usage.idle():
                del self._usage[admission.user_id]
            self._forget_idle(now)

    def running(self, user_id: uuid.UUID) -> int:
        """How many requests of ``user_id`` are under way."""
        with self._lock:
            usage = self._usage.get(user_id)
            return usage.running if usage else 0

    def _time_freed_in(self, usage: _Usage, now: float) -> float:
        """Seconds until enough finished requests leave the window to go under the limit."""
        spent = usage.spent
        for end, duration in usage.durations:
            spent -= duration
            if spent < self.limits.execution_time:
                return end + self.limits.window - now
        return self.limits.window

    def _forget_idle(self, now: float) -> None:
        """Drop users whose requests have all left the window, so memory follows activity
        (a sweep at most once a minute: a request's cost does not grow with the users)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + min(self.limits.window, 60.0)
        horizon = now - self.limits.window
        for user_id in list(self._usage):
            usage = self._usage[user_id]
            usage.forget_before(horizon)
            if usage.idle():
                del self._usage[user_id]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _refusal(error: LeadgateError, wait: float) -> Throttled:
    # Retry-After is whole seconds, at least 1: "0" would invite an immediate retry.
    return Throttled(error, max(1, math.ceil(wait)))
