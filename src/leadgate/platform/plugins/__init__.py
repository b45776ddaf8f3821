"""Plug-in steps: registrations stored as records, resolved to Python callables imported from
the organization's plug-ins folder (``home``), run by the pipeline in stage and rank order —
asynchronous ones as system jobs (``asynchronous``); ``checks`` says which cannot be loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["register"]


def register(organization: Organization) -> None:
    from leadgate.platform.plugins import asynchronous, steps

    steps.register(organization)
    asynchronous.register(organization)
