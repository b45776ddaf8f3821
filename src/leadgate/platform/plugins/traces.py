"""The plug-in trace log: what steps traced, as the records that keep it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.settings import organization_setting
from leadgate.platform.plugins.registry import TraceRecord
from leadgate.platform.records.crud import CreateRequest

__all__ = ["trace_requests"]

_TEXT_LIMIT = 10240  # the trace log's columns keep the end of longer texts


def trace_requests(
    traces: list[TraceRecord], connection: sa.Connection, tables: SqlTables
) -> list[CreateRequest]:
    """The creates of the ``plugintracelog`` rows the organization's setting keeps
    (0: none, 1: failures only, 2: all)."""
    setting = int(organization_setting(connection, tables, "plugintracelogsetting", 2))
    return [
        CreateRequest(_trace_entity(trace))
        for trace in traces
        if setting == 2 or (setting == 1 and trace.exception)
    ]


def _trace_entity(trace: TraceRecord) -> Entity:
    values: dict[str, Any] = {
        "typename": trace.step.handler_path[:400],
        "pluginstepid": trace.step.id,
        "messagename": trace.message_name,
        "primaryentity": trace.primary_entity,
        "stage": int(trace.stage),
        "depth": trace.depth,
        "mode": int(trace.step.mode),
        "correlationid": trace.correlation_id,
        "messageblock": "\n".join(trace.lines)[-_TEXT_LIMIT:],
        "exceptiondetails": (trace.exception or "")[-_TEXT_LIMIT:] or None,
        "performanceexecutionstarttime": trace.started_on,
        "performanceexecutionduration": trace.duration_ms,
    }
    return Entity("plugintracelog", values=values)
