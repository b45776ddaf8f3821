"""The app's pages, in the order their routes are matched (fixed paths before patterns)."""

from __future__ import annotations

from leadgate.ui import grid, settings

ALL = (settings.router, grid.router)
