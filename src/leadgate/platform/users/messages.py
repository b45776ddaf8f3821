"""Passwords and API tokens: written, like everything else, by messages in the pipeline."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.engine.types import Language
from leadgate.platform.records.crud import UpdateRequest
from leadgate.platform.security.privileges import Depth, Right
from leadgate.platform.users import credentials as auth

__all__ = [
    "MESSAGES",
    "ApiToken",
    "CreateApiTokenRequest",
    "CreateApiTokenResponse",
    "RetrieveApiTokensRequest",
    "RetrieveApiTokensResponse",
    "RevokeApiTokenRequest",
    "RevokeApiTokenResponse",
    "SetPasswordRequest",
    "SetPasswordResponse",
    "SetUserLanguageRequest",
    "SetUserLanguageResponse",
]


@dataclass(frozen=True)
class SetPasswordRequest:
    user: EntityReference
    password: str

    def __repr__(self) -> str:  # never print a password
        return f"SetPasswordRequest(user={self.user!s}, password='***')"


@dataclass(frozen=True)
class SetPasswordResponse:
    pass


@dataclass(frozen=True)
class SetUserLanguageRequest:
    """The language a user reads (uilanguageid): everyone may choose their own, as Dynamics
    lets every user edit their personal options; another user's needs Write on them."""

    language: Language
    user: EntityReference | None = None  # None: the caller


@dataclass(frozen=True)
class SetUserLanguageResponse:
    pass


@dataclass(frozen=True)
class CreateApiTokenRequest:
    """A new token for ``user``; with ``replace``, active tokens of the same name are revoked."""

    user: EntityReference
    name: str = "api"
    replace: bool = False
    # A browser session's token ends by itself; None: the token lasts until revoked.
    lifetime: dt.timedelta | None = None


@dataclass(frozen=True)
class CreateApiTokenResponse:
    token: str
    token_id: uuid.UUID
    revoked: int = 0

    def __repr__(self) -> str:
        return f"CreateApiTokenResponse(token='***', token_id={self.token_id})"


@dataclass(frozen=True)
class RevokeApiTokenRequest:
    """Revoke by the token itself, or by the id or hint shown in listings."""

    token: str


@dataclass(frozen=True)
class RevokeApiTokenResponse:
    revoked: int


@dataclass(frozen=True)
class ApiToken:
    token_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    hint: str
    created_on: object
    revoked_on: object | None


@dataclass(frozen=True)
class RetrieveApiTokensRequest:
    user: EntityReference | None = None


@dataclass(frozen=True)
class RetrieveApiTokensResponse:
    tokens: tuple[ApiToken, ...]


def _check_user(operation: Operation, user: EntityReference) -> None:
    table = operation.table("systemuser")
    if user.logical_name != "systemuser" or not rows.existing_ids(
        operation.connection, table, operation.sql_table("systemuser"), [user.id]
    ):
        raise errors.RECORD_NOT_FOUND(table="systemuser", id=user.id)


def validate_set_password(operation: Operation) -> None:
    auth.check_password(operation.request.password)


def set_password(operation: Operation[SetPasswordRequest]) -> SetPasswordResponse:
    request = operation.request
    _check_user(operation, request.user)
    credentials = store.credentials
    hashed = auth.hash_password(request.password)
    with translate_errors("systemuser"):
        operation.connection.execute(
            credentials.delete().where(credentials.c.systemuserid == request.user.id)
        )
        operation.connection.execute(
            credentials.insert().values(
                systemuserid=request.user.id, passwordhash=hashed, changedon=operation.now()
            )
        )
    return SetPasswordResponse()


def set_user_language(operation: Operation[SetUserLanguageRequest]) -> SetUserLanguageResponse:
    request = operation.request
    user = request.user or EntityReference("systemuser", operation.caller.user_id)
    _check_user(operation, user)
    # Authorized above (the caller's own, or Write on the user): saved by the platform.
    operation.execute_as_system(
        UpdateRequest(Entity("systemuser", user.id, uilanguageid=request.language.lcid))
    )
    return SetUserLanguageResponse()


def create_api_token(operation: Operation[CreateApiTokenRequest]) -> CreateApiTokenResponse:
    request = operation.request
    _check_user(operation, request.user)
    tokens = store.apitokens
    revoked = 0
    if request.replace:
        revoked = operation.connection.execute(
            tokens.update()
            .where(
                tokens.c.systemuserid == request.user.id,
                tokens.c.name == request.name,
                tokens.c.revokedon.is_(None),
            )
            .values(revokedon=operation.now())
        ).rowcount
    token, token_hash, hint = auth.new_token()
    token_id = uuid.uuid4()
    operation.connection.execute(
        tokens.insert().values(
            apitokenid=token_id,
            systemuserid=request.user.id,
            name=request.name[:100],
            tokenhash=token_hash,
            hint=hint,
            createdon=operation.now(),
            expireson=operation.now() + request.lifetime if request.lifetime else None,
        )
    )
    return CreateApiTokenResponse(token, token_id, revoked)


def revoke_api_token(operation: Operation[RevokeApiTokenRequest]) -> RevokeApiTokenResponse:
    request = operation.request
    tokens = store.apitokens
    given = request.token.strip()
    conditions = [tokens.c.tokenhash == auth.hash_token(given)]
    with contextlib.suppress(ValueError):
        conditions.append(tokens.c.apitokenid == uuid.UUID(given))
    if len(given) >= len(auth.TOKEN_PREFIX) + 6 and not given.startswith(auth.TOKEN_PREFIX + "*"):
        conditions.append(tokens.c.hint == given)
    matching = sa.and_(sa.or_(*conditions), tokens.c.revokedon.is_(None))
    owners = set(
        operation.connection.execute(sa.select(tokens.c.systemuserid).where(matching)).scalars()
    )
    users = operation.table("systemuser")
    for owner in owners - {operation.caller.user_id}:  # another user's token needs Write on them
        record = operation.record_owner(users, owner)
        if record is not None:
            operation.require(Right.WRITE, users, record)
    revoked = operation.connection.execute(
        tokens.update().where(matching).values(revokedon=operation.now())
    ).rowcount
    if not revoked:
        raise errors.TOKEN_NOT_FOUND(token=given[:12] + ("…" if len(given) > 12 else ""))
    return RevokeApiTokenResponse(revoked)


def retrieve_api_tokens(
    operation: Operation[RetrieveApiTokensRequest],
) -> RetrieveApiTokensResponse:
    request = operation.request
    tokens = store.apitokens
    statement = sa.select(tokens).order_by(tokens.c.createdon)
    if request.user is not None:
        statement = statement.where(tokens.c.systemuserid == request.user.id)
    elif (
        operation.principal is not None
        and operation.principal.depth("prvReadUser") < Depth.ORGANIZATION
    ):
        statement = statement.where(tokens.c.systemuserid == operation.caller.user_id)
    return RetrieveApiTokensResponse(
        tuple(
            ApiToken(
                row.apitokenid, row.systemuserid, row.name, row.hint, row.createdon, row.revokedon
            )
            for row in operation.connection.execute(statement)
        )
    )


def _user_target(request: object) -> tuple[str | None, uuid.UUID | None]:
    user = getattr(request, "user", None)
    return ("systemuser", user.id) if user is not None else ("systemuser", None)


def _authorize_for_user(right: Right) -> Callable[[Operation], None]:
    """Your own password and tokens are yours; another user's need Write (or Read) on them."""

    def authorize(operation: Operation) -> None:
        user = getattr(operation.request, "user", None)
        if user is None or user.id == operation.caller.user_id:
            if user is None and right is Right.READ:
                operation.require(right, operation.table("systemuser"))
            return
        table = operation.table("systemuser")
        record = operation.record_owner(table, user.id)
        if record is not None:
            operation.require(right, table, record)

    return authorize


MESSAGES = {
    SetPasswordRequest: Message(
        "SetPassword",
        set_password,
        validate_set_password,
        _user_target,
        authorize=_authorize_for_user(Right.WRITE),
    ),
    SetUserLanguageRequest: Message(
        "lg_SetUserLanguage",
        set_user_language,
        target=_user_target,
        authorize=_authorize_for_user(Right.WRITE),
    ),
    CreateApiTokenRequest: Message(
        "CreateApiToken",
        create_api_token,
        target=_user_target,
        authorize=_authorize_for_user(Right.WRITE),
    ),
    # Checked in the handler: which user a token belongs to is only known once it is found.
    RevokeApiTokenRequest: Message(
        "RevokeApiToken", revoke_api_token, authorize=checked_by_nested_messages
    ),
    RetrieveApiTokensRequest: Message(
        "RetrieveApiTokens",
        retrieve_api_tokens,
        target=_user_target,
        writes=False,
        authorize=_authorize_for_user(Right.READ),
    ),
}
