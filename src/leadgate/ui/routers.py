"""The app's pages, in the order their routes are matched (fixed paths before patterns)."""

from __future__ import annotations

from leadgate.ui import grid, jobs, lifecycle, process_routes, record, settings

ALL = (
    settings.router,
    jobs.router,
    grid.router,
    lifecycle.router,
    process_routes.router,
    record.router,
)
