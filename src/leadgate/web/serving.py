"""What ``leadgate serve`` turns its options into, so that one process or several serve alike.

uvicorn's worker processes each build their own application from an import string; they
cannot be handed the organization the command opened. The command therefore writes these
settings into the environment (``SETTINGS_VARIABLE``) and each worker rebuilds the same
application from them with :func:`app_from_environment`. One process builds it with
:meth:`ServeSettings.app` directly: the same code, without the round trip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadgate.platform import Organization
from leadgate.web.limits import DEFAULT_MAX_BATCH_BODY_SIZE, DEFAULT_MAX_BODY_SIZE
from leadgate.web.protection import DEFAULT_LIMITS, ServiceLimits, ServiceProtection

if TYPE_CHECKING:  # the CLI reads these settings without loading the web framework
    from fastapi import FastAPI

__all__ = ["FACTORY", "SETTINGS_VARIABLE", "ServeSettings", "app_from_environment"]

SETTINGS_VARIABLE = "LEADGATE_SERVE_SETTINGS"
# The import string uvicorn's worker processes call (factory=True).
FACTORY = "leadgate.web.serving:app_from_environment"


@dataclass(frozen=True)
class ServeSettings:
    """Everything a serving process needs besides the code: where the organization is, and
    the limits it applies (each process counts service protection on its own)."""

    database_url: str
    plugins: str | None = None
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    max_batch_body_size: int = DEFAULT_MAX_BATCH_BODY_SIZE
    limits: ServiceLimits = field(default=DEFAULT_LIMITS)

    def app(self, organization: Organization) -> FastAPI:
        """The application serving ``organization`` with these settings."""
        from leadgate.web.app import create_app

        return create_app(
            organization,
            max_body_size=self.max_body_size,
            max_batch_body_size=self.max_batch_body_size,
            service_protection=ServiceProtection(self.limits),
        )

    def to_environment(self) -> str:
        """These settings as the value of ``SETTINGS_VARIABLE``."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_environment(cls, value: str) -> ServeSettings:
        data: dict[str, Any] = json.loads(value)
        return cls(**{**data, "limits": ServiceLimits(**data["limits"])})


def app_from_environment() -> FastAPI:
    """uvicorn's factory in each worker process: open the organization, build its app.

    The organization is closed when the worker stops (a clean close lets SQLite fold its
    write-ahead log back into the database file)."""
    value = os.environ.get(SETTINGS_VARIABLE)
    if value is None:  # a bug in the caller, not user input
        raise RuntimeError(f"{SETTINGS_VARIABLE} is not set: start workers with leadgate serve")
    settings = ServeSettings.from_environment(value)
    organization = Organization.open(settings.database_url, plugins=settings.plugins)
    app = settings.app(organization)

    @contextlib.asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        try:
            yield
        finally:
            organization.close()

    app.router.lifespan_context = lifespan
    return app
