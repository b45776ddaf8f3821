"""Who is calling: the bearer token becomes a signed-in user and a service that runs as them."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from leadgate.platform import Organization, OrganizationService
from leadgate.platform.engine.errors import NOT_AUTHENTICATED
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Interface, Language
from leadgate.platform.users.credentials import SignedInUser
from leadgate.web.errors import response_language
from leadgate.web.protection_asgi import admit

__all__ = ["BATCH_CALLER", "BatchCaller", "Session", "signed_in"]

# The scope key under which a request of a $batch carries the batch's caller (web/batch.py).
BATCH_CALLER = "leadgate.batch_caller"


@dataclass(frozen=True)
class BatchCaller:
    """The batch's signed-in user, the service its request runs with (the batch's own, or one
    nested in the transaction of the change set the request belongs to), and the metadata the
    batch read once: a request of a change set takes no second connection from the pool."""

    user: SignedInUser
    service: OrganizationService
    metadata: MetadataSet


@dataclass
class Session:
    """One request's caller: the user, the language they read, and their service."""

    organization: Organization
    user: SignedInUser
    language: Language
    service: OrganizationService
    _metadata: MetadataSet | None = field(default=None, repr=False)

    def metadata(self) -> MetadataSet:
        """The published tables, read once per request from the organization's cache (with
        the token, when the request was authenticated)."""
        if self._metadata is None:
            self._metadata = self.organization.metadata()
        return self._metadata


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NOT_AUTHENTICATED()
    return token.strip()


def signed_in(request: Request) -> Session:
    """FastAPI dependency: authenticate the token (401 when missing, unknown or disabled),
    then count the request against the user's service protection limits (429 past one)."""
    organization: Organization = request.app.state.organization
    batch: BatchCaller | None = request.scope.get(BATCH_CALLER)
    if batch:
        user, metadata = batch.user, batch.metadata
    else:
        user, metadata = organization.authenticate_with_metadata(bearer_token(request))
    # Errors raised later in this request are read in the user's language.
    request.state.user_language = user.language
    admit(request, user.user_id)
    language = response_language(request)
    return Session(
        organization=organization,
        user=user,
        language=language,
        service=batch.service
        if batch
        else organization.service(user.user_id, language=language, interface=Interface.WEB_API),
        _metadata=metadata,
    )
