"""Plug-ins the benchmarks register by import path (bench/ is on the path of their scripts)."""

from __future__ import annotations

from leadgate.platform import ExecutionContext


def trace_account(context: ExecutionContext) -> None:
    """Does nothing but trace: what a step costs by being there."""
    context.trace("account {0}", context.primary_entity_id)
