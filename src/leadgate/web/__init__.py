"""The Dataverse-compatible Web API: HTTP in front of the platform's messages.

``create_app(organization)`` gives the ASGI application; serve it with uvicorn. It is loaded
on first use, so that ``leadgate.web.limits`` can be read without loading the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leadgate.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from leadgate.web.app import create_app

        return create_app
    raise AttributeError(f"module 'leadgate.web' has no attribute {name!r}")
