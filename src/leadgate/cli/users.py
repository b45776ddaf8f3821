"""``leadgate users`` and ``leadgate token``: people and their API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, console, open_organization, print_table, say
from leadgate.cli.security import find_role, find_unit
from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.types import SYSTEM_USER_ID, Language
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.users.messages import (
    CreateApiTokenRequest,
    RetrieveApiTokensRequest,
    RevokeApiTokenRequest,
    SetPasswordRequest,
)

__all__ = ["token_app", "users_app"]

users_app = typer.Typer(help="Add, list, move, enable and disable users.", no_args_is_help=True)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)

EmailOption = Annotated[str, typer.Option("--email", help="The user's e-mail address.")]


def _split_name(name: str) -> tuple[str | None, str]:
    parts = name.strip().rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


@users_app.command("add")
def add(
    email: EmailOption,
    name: Annotated[str, typer.Option("--name", help='Full name, e.g. "Ada Lovelace".')],
    password: Annotated[
        str | None, typer.Option("--password", help="Sign-in password (at least 8 characters).")
    ] = None,
    language: Annotated[
        Language, typer.Option("--language", help="The user's language.")
    ] = Language.ENGLISH,
    title: Annotated[str | None, typer.Option("--title", help="Job title.")] = None,
    business_unit: Annotated[
        str | None,
        typer.Option("--business-unit", help="The user's business unit (default: the root unit)."),
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role", help="A security role, e.g. Salesperson (repeat for more; without: none)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user in a business unit, with security roles (with no role, a user can do nothing)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        unit = find_unit(system, business_unit)
        roles = {found.id: found for found in (find_role(system, r, "--role") for r in role or ())}
        first, last = _split_name(name)
        user = EntityReference("systemuser", uuid.uuid4())
        values = {
            "firstname": first,
            "lastname": last,
            "internalemailaddress": email.strip(),
            "businessunitid": unit.to_reference(),
            "uilanguageid": language.lcid,
            "title": title,
        }
        # The user, their password and their roles together: all of it or nothing.
        requests: list[object] = [CreateRequest(Entity("systemuser", user.id, values))]
        if password is not None:
            requests.append(SetPasswordRequest(user, password))
        requests += [
            CreateRequest(Entity("systemuserroles", systemuserid=user, roleid=found.to_reference()))
            for found in roles.values()
        ]
        system.execute(ExecuteTransactionRequest(tuple(requests)))
        say(N_("Added user {email} ({id})."), email=email, id=user.id)
        if not roles:
            say(
                N_(
                    "{email} has no security role yet: give one with "
                    "leadgate roles assign <role> --user {email}"
                ),
                email=email,
            )


@users_app.command("list")
def list_users(db: DbOption = None) -> None:
    """List the users: business unit, security roles (their own; teams' roles are in teams list)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        users = system.retrieve_multiple_all(
            "systemuser",
            columns=[
                "fullname",
                "internalemailaddress",
                "isdisabled",
                "uilanguageid",
                "businessunitid",
            ],
        )
        units = {
            unit.id: unit["name"]
            for unit in system.retrieve_multiple_all("businessunit", columns=["name"])
        }
        role_names = {
            role.id: role["name"] for role in system.retrieve_multiple_all("role", columns=["name"])
        }
        roles: dict[object, list[str]] = {}
        for link in system.retrieve_multiple_all(
            "systemuserroles", columns=["systemuserid", "roleid"]
        ):
            roles.setdefault(link["systemuserid"].id, []).append(role_names[link["roleid"].id])
        print_table(
            ["email", "name", "business unit", "roles", "language", "enabled", "id"],
            (
                (
                    user["internalemailaddress"],
                    user["fullname"],
                    units.get(user["businessunitid"].id) if user["businessunitid"] else "",
                    ", ".join(sorted(roles.get(user.id, ()))),
                    Language.from_lcid(user["uilanguageid"]).value,
                    "no" if user["isdisabled"] else "yes",
                    user.id,
                )
                for user in sorted(users, key=lambda u: u["internalemailaddress"])
                if user.id != SYSTEM_USER_ID
            ),
        )


@users_app.command("move")
def move(
    email: EmailOption,
    business_unit: Annotated[str, typer.Option("--business-unit", help="The new business unit.")],
    db: DbOption = None,
) -> None:
    """Move a user to another business unit (their roles and records stay theirs)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        user = system.find_user(email)
        unit = find_unit(system, business_unit)
        system.update(Entity("systemuser", user.id, businessunitid=unit.to_reference()))
        say(N_("{email} is now in the business unit {unit}."), email=email, unit=unit["name"])


def _set_disabled(email: str, disabled: bool, db: str | None) -> None:
    with open_organization(db) as organization:
        system = organization.system_service()
        user = system.find_user(email)
        system.update(Entity("systemuser", user.id, isdisabled=disabled))
        say(
            N_("{email} is now disabled.") if disabled else N_("{email} is now enabled."),
            email=email,
        )


@users_app.command("disable")
def disable(email: EmailOption, db: DbOption = None) -> None:
    """Disable a user: their tokens stop working, their records stay."""
    _set_disabled(email, True, db)


@users_app.command("enable")
def enable(email: EmailOption, db: DbOption = None) -> None:
    """Enable a disabled user again."""
    _set_disabled(email, False, db)


@users_app.command("set-password")
def set_password(
    email: EmailOption,
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="The new password (asked for when omitted).",
        ),
    ],
    db: DbOption = None,
) -> None:
    """Set a user's sign-in password."""
    with open_organization(db) as organization:
        system = organization.system_service()
        user = system.find_user(email)
        system.execute(SetPasswordRequest(user.to_reference(), password))
        say(N_("Password changed for {email}."), email=email)


@token_app.command("create")
def create_token(
    email: EmailOption,
    name: Annotated[str, typer.Option("--name", help="A name to recognise the token by.")] = "api",
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Revoke this user's active tokens of the same name first."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an API token and print only the token: send it as 'Authorization: Bearer <token>'."""
    with open_organization(db) as organization:
        system = organization.system_service()
        user = system.find_user(email)
        response = system.execute(CreateApiTokenRequest(user.to_reference(), name, replace))
        typer.echo(response.token)


@token_app.command("revoke")
def revoke_token(
    token: Annotated[
        str, typer.Argument(help="The token, or its id or hint from 'leadgate token list'.")
    ],
    db: DbOption = None,
) -> None:
    """Revoke an API token: requests that use it are refused from now on."""
    with open_organization(db) as organization:
        revoked = organization.system_service().execute(RevokeApiTokenRequest(token)).revoked
        say(N_("Revoked {count} token(s)."), count=revoked)


@token_app.command("list")
def list_tokens(
    email: Annotated[str | None, typer.Option("--email", help="Only this user's tokens.")] = None,
    db: DbOption = None,
) -> None:
    """List API tokens (never the tokens themselves, only a hint)."""
    with open_organization(db) as organization:
        system = organization.system_service()
        user = system.find_user(email).to_reference() if email else None
        tokens = system.execute(RetrieveApiTokensRequest(user)).tokens
        emails = {
            u.id: u["internalemailaddress"]
            for u in system.retrieve_multiple_all("systemuser", columns=["internalemailaddress"])
        }
        print_table(
            ["hint", "name", "user", "created", "revoked", "id"],
            (
                (
                    t.hint + "…",
                    t.name,
                    emails.get(t.user_id, t.user_id),
                    f"{t.created_on:%Y-%m-%d %H:%M}",
                    f"{t.revoked_on:%Y-%m-%d %H:%M}" if t.revoked_on else "",
                    t.token_id,
                )
                for t in tokens
            ),
        )
        if not tokens:
            console.print("(no tokens)")
