"""Repeated failed sign-ins are slowed down: after a few, each address must wait longer and
longer before its password is checked again (1, 2, 4… seconds, at most 5 minutes).

Counted per address in this server process: several processes each count their own, which
still slows a guesser down by the same factor (noted in docs/security.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SignInThrottle"]

FREE_ATTEMPTS = 3
LONGEST_WAIT = 300.0
FORGET_AFTER = 900.0  # a quarter of an hour without failure starts the count afresh


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait_needed(self, email: str) -> int:
        """Seconds this address must still wait before another attempt (0: go ahead)."""
        with self._lock:
            failures = self._failures.get(_key(email))
            if failures is None:
                return 0
            now = self._clock()
            if now - failures.last > FORGET_AFTER:
                del self._failures[_key(email)]
                return 0
            if failures.count < FREE_ATTEMPTS:
                return 0
            wait = min(2.0 ** (failures.count - FREE_ATTEMPTS), LONGEST_WAIT)
            remaining = failures.last + wait - now
            return max(0, int(remaining + 0.999))

    def failed(self, email: str) -> None:
        with self._lock:
            failures = self._failures.setdefault(_key(email), _Failures())
            failures.count += 1
            failures.last = self._clock()
            if len(self._failures) > 100_000:  # a flood of made-up addresses: keep memory flat
                oldest = min(self._failures, key=lambda key: self._failures[key].last)
                del self._failures[oldest]

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(_key(email), None)


def _key(email: str) -> str:
    return email.strip().lower()
