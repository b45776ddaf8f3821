"""The Dataverse-compatible Web API: HTTP in front of the platform's messages.

``create_app(organization)`` gives the ASGI application; serve it with uvicorn.
"""

from leadgate.web.app import create_app

__all__ = ["create_app"]
