"""The app's pages, in the order their routes are matched (fixed paths before patterns)."""

from __future__ import annotations

from leadgate.ui import diagnosis, grid, jobs, lifecycle, process_routes, record, settings

ALL = (
    settings.router,
    jobs.router,
    grid.router,
    diagnosis.router,  # before the commands' /{entity_set}/{id}/{command}
    lifecycle.router,
    process_routes.router,
    record.router,
)
