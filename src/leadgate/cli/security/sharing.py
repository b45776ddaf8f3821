"""``leadgate share``: share a record with a user or a team (GrantAccess, ModifyAccess,
RevokeAccess), or list who it is shared with."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, console, open_organization, print_table, say
from leadgate.cli.security.lookup import (
    RIGHTS,
    TeamOption,
    UserOption,
    _names,
    _principal,
    _rights,
    rights_text,
)
from leadgate.platform import EntityReference, OrganizationService
from leadgate.platform.engine.i18n import N_
from leadgate.platform.security.privileges import Right
from leadgate.platform.security.sharing import (
    GrantAccessRequest,
    ModifyAccessRequest,
    PrincipalAccess,
    RetrieveSharedPrincipalsAndAccessRequest,
    RevokeAccessRequest,
)

__all__ = ["share"]

# --- sharing ------------------------------------------------------------------------------


def share(
    table: Annotated[str, typer.Argument(metavar="TABLE", help="The record's table, e.g. lead.")],
    record: Annotated[str, typer.Argument(metavar="ID", help="The record's id.")],
    user: UserOption = None,
    team: TeamOption = None,
    rights: Annotated[
        str | None, typer.Option("--rights", help=f"Comma-separated: {RIGHTS}.")
    ] = None,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Stop sharing (only the --rights given, if any).")
    ] = False,
    show: Annotated[
        bool, typer.Option("--list", help="List who the record is shared with.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Share a record with a user or a team (GrantAccess), stop sharing it, or list its shares."""
    try:
        target = EntityReference(table.strip().lower(), uuid.UUID(record))
    except ValueError:
        raise typer.BadParameter(f"'{record}' is not a record id", param_hint="ID") from None
    if show and (user is not None or team is not None or revoke or rights is not None):
        raise typer.BadParameter("--list takes no other option", param_hint="--list")
    mask = _rights(rights) if rights is not None else None
    if not show and not revoke and mask is None:
        raise typer.BadParameter(f"say which rights to share: {RIGHTS}", param_hint="--rights")
    with open_organization(db) as organization:
        system = organization.system_service()
        if show:
            _list_shares(system, target)
            return
        principal, shown = _principal(system, user, team)
        params = {"table": target.logical_name, "id": target.id, "principal": shown}
        if not revoke:
            assert mask is not None
            response = system.execute(GrantAccessRequest(target, PrincipalAccess(principal, mask)))
            now = response.principal_accesses[0].access_mask
            say(
                N_("Shared {table} {id} with {principal}: {rights}."),
                rights=rights_text(now),
                **params,
            )
            return
        left = 0
        if mask is not None:  # take only these rights away: ModifyAccess with the rest
            shares = system.execute(RetrieveSharedPrincipalsAndAccessRequest(target))
            held = [
                int(s.access_mask)
                for s in shares.principal_accesses
                if s.principal.id == principal.id
            ]
            left = (held[0] if held else 0) & ~int(mask)
        if left:
            system.execute(ModifyAccessRequest(target, PrincipalAccess(principal, Right(left))))
            say(
                N_("Shared {table} {id} with {principal}: {rights}."),
                rights=rights_text(left),
                **params,
            )
        else:
            system.execute(RevokeAccessRequest(target, principal))
            say(N_("{table} {id} is no longer shared with {principal}."), **params)


def _list_shares(system: OrganizationService, target: EntityReference) -> None:
    shares = system.execute(RetrieveSharedPrincipalsAndAccessRequest(target)).principal_accesses
    names = {**_names(system, "systemuser", "internalemailaddress"), **_names(system, "team")}
    print_table(
        ["shared with", "name", "rights", "id"],
        (
            (
                item.principal.logical_name,
                names.get(item.principal.id, ""),
                rights_text(item.access_mask),
                item.principal.id,
            )
            for item in shares
        ),
    )
    if not shares:
        console.print("(not shared)")
