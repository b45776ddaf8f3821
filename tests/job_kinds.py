"""Job kinds for the tests: each writes widgets through the pipeline, so that a test counts
how often a job's effects were committed."""

from __future__ import annotations

import time
from typing import Any

from leadgate.platform import CreateRequest, Entity
from leadgate.platform.jobs import JobContext, JobRegistry

__all__ = ["install", "register_test_kinds", "widget"]


def widget(code: str, notes: str | None = None) -> CreateRequest:
    values = {"new_name": code, "new_code": code[:10], "new_size": "M", "new_notes": notes}
    return CreateRequest(Entity("new_widget", **values))


def write_widgets(context: JobContext) -> None:
    """data: {"codes": [...], "pause": seconds before each}; one widget per code, each
    committed with its checkpoint, and noting the worker that wrote it."""
    codes = context.data["codes"]
    start = context.resume_from or 0
    for index in range(start, len(codes)):
        time.sleep(context.data.get("pause", 0))
        context.checkpoint(index + 1, widget(codes[index], context.worker_id))
        context.progress(index + 1, len(codes))


def wait(context: JobContext) -> None:
    """data: {"seconds": N}; renews its lease every tenth of a second meanwhile."""
    deadline = time.monotonic() + context.data["seconds"]
    while time.monotonic() < deadline:
        time.sleep(0.1)
        context.heartbeat()


def register_test_kinds(registry: JobRegistry) -> None:
    registry.register("test.write_widgets", write_widgets)
    registry.register("test.wait", wait)


def install() -> None:
    """Every organization this process opens knows the test kinds (for a subprocess)."""
    original = JobRegistry.__init__

    def patched(self: JobRegistry, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        register_test_kinds(self)

    JobRegistry.__init__ = patched  # type: ignore[method-assign]
