"""Who is calling: argon2 password hashes and opaque API tokens stored as SHA-256 hashes.

Tokens carry 256 random bits, so a fast hash is enough to store them safely and lets every
request be checked with one indexed lookup; passwords are low-entropy and get argon2.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.driver_statements import DriverStatement
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.types import Language
from leadgate.platform.users.errors import SIGN_IN_FAILED

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PREFIX",
    "SignedInUser",
    "check_password",
    "find_password_user",
    "find_token_user",
    "hash_password",
    "hash_token",
    "new_token",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "lg_"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class SignedInUser:
    user_id: uuid.UUID
    full_name: str
    email: str
    language: Language
    business_unit_id: uuid.UUID | None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.WEAK_PASSWORD(minimum=MIN_PASSWORD_LENGTH)


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str, str]:
    """A fresh token, its stored hash, and a short hint that identifies it in listings."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_token(token), token[: len(TOKEN_PREFIX) + 6]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user_columns(users: sa.Table) -> tuple[sa.ColumnElement, ...]:
    return (
        users.c.systemuserid,
        users.c.fullname,
        users.c.internalemailaddress,
        users.c.isdisabled,
        users.c.uilanguageid,
        users.c.businessunitid,
    )


def find_token_user(connection: sa.Connection, tables: SqlTables, token: str) -> SignedInUser:
    """The enabled user an active, unexpired token belongs to, or a 401-class error."""
    users = tables["systemuser"]
    statement = rows.kept_statement(
        users,
        ("token user",),
        lambda: DriverStatement(_token_user_statement(users), connection.dialect),
    )
    row = statement.first(
        connection, {"tokenhash": hash_token(token), "now": dt.datetime.now(dt.UTC)}
    )
    if row is None:
        raise errors.NOT_AUTHENTICATED()
    return _signed_in(row)


def _token_user_statement(users: sa.Table) -> sa.Select:
    """Kept with the users table (rows.kept_statement) and run on the driver's cursor: every
    Web API request runs it; building it took as long as running it, and SQLAlchemy's result
    path was 6% of a profiled read by id (issue 16)."""
    tokens = store.apitokens
    now = sa.bindparam("now", type_=tokens.c.expireson.type)
    return (
        sa.select(*_user_columns(users))
        .join(tokens, tokens.c.systemuserid == users.c.systemuserid)
        .where(
            tokens.c.tokenhash == sa.bindparam("tokenhash", type_=tokens.c.tokenhash.type),
            tokens.c.revokedon.is_(None),
            sa.or_(tokens.c.expireson.is_(None), tokens.c.expireson > now),
        )
    )


@functools.cache
def _decoy_hash() -> str:
    """Verified against when the address is unknown, so that a wrong address takes as long
    as a wrong password: timing tells nobody which addresses exist."""
    return _hasher.hash(secrets.token_hex(16))


def find_password_user(
    connection: sa.Connection, tables: SqlTables, email: str, password: str
) -> SignedInUser:
    """The enabled user with this address and password; SIGN_IN_FAILED otherwise."""
    users = tables["systemuser"]
    credentials = store.credentials
    row = connection.execute(
        sa.select(*_user_columns(users), credentials.c.passwordhash)
        .join(credentials, credentials.c.systemuserid == users.c.systemuserid)
        .where(sa.func.lower(users.c.internalemailaddress) == email.strip().lower())
    ).first()
    if row is None or not password:
        verify_password(_decoy_hash(), password or "-")
        raise SIGN_IN_FAILED()
    if not verify_password(row.passwordhash, password):
        raise SIGN_IN_FAILED()
    return _signed_in(row._mapping)


def _signed_in(row: Mapping[Any, Any]) -> SignedInUser:
    if row["isdisabled"]:
        raise errors.USER_DISABLED(user=row["internalemailaddress"])
    return SignedInUser(
        user_id=row["systemuserid"],
        full_name=row["fullname"] or "",
        email=row["internalemailaddress"],
        language=Language.from_lcid(row["uilanguageid"]),
        business_unit_id=row["businessunitid"],
    )
