"""``GET /health``: whether the server can reach its organization's database.

For load balancers and monitors: no token needed, nothing about the organization revealed.
An unreachable database answers 503 with the coded error, as any request would.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from leadgate.platform import Organization

__all__ = ["Health", "router"]

router = APIRouter()


class Health(BaseModel):
    """The answer of a server that can serve requests."""

    status: str = "ok"


@router.get(
    "/health",
    response_model=Health,
    summary="Whether the server can reach its database",
    responses={503: {"description": "The database cannot be reached (a coded error)."}},
)
def health(request: Request) -> Health:
    organization: Organization = request.app.state.organization
    organization.metadata()  # reads the database's generations: fails when it is down
    return Health()
