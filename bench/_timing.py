"""Timing shared by the benchmarks: rounds that alternate, medians that resist noise."""

from __future__ import annotations

import time
from collections.abc import Callable


def timed(action: Callable[[], object], count: int) -> float:
    """Seconds per call of ``action``, over ``count`` calls."""
    started = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - started) / count
