"""``leadgate leads``: qualify, disqualify, reactivate and list leads (REFERENCE §3).

Each command sends the message Dataverse names for it (QualifyLead, SetState) as SYSTEM, or
with ``--as EMAIL`` as that user, so that their security applies: how an administrator
reproduces what a salesperson meets ("Insufficient permissions", a closed lead…).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leadgate.cli.bulk_qualify import lead_ids_from_file, matching, qualify_many
from leadgate.cli.duplicates import matches_of, print_duplicates
from leadgate.cli.output import (
    AsOption,
    DbOption,
    errors_console,
    language,
    open_organization,
    print_table,
    say,
    service_for,
)
from leadgate.cli.output import record_id as lead_id
from leadgate.cli.reasons import reason_help, status_reason
from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    FilterExpression,
    OrderExpression,
    Organization,
    OrganizationService,
    PagingInfo,
    QueryExpression,
    SetStateRequest,
    UpdateRequest,
)
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.validation import DEFAULT_STATUS
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest
from leadgate.sales.errors import DUPLICATE_ON_QUALIFY
from leadgate.sales.qualify import QualifyLeadRequest

__all__ = [
    "AccountFlag",
    "ContactFlag",
    "CurrencyOption",
    "CustomerOption",
    "LeadArgument",
    "OpportunityFlag",
    "StatusOption",
    "app",
    "currency_reference",
    "customer_reference",
    "lead_id",
    "service_for",
]

app = typer.Typer(help="Qualify, disqualify, reactivate and list leads.", no_args_is_help=True)


class LeadState(StrEnum):
    OPEN = "open"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


OPEN, QUALIFIED, DISQUALIFIED = 0, 1, 2
STATES = {LeadState.OPEN: OPEN, LeadState.QUALIFIED: QUALIFIED,
          LeadState.DISQUALIFIED: DISQUALIFIED}  # fmt: skip

LeadArgument = Annotated[
    str,
    typer.Argument(
        metavar="LEAD_ID", help="The lead's id (see: leadgate leads list).", show_default=False
    ),
]


def _labels(table: TableMetadata, state: int, status: int) -> tuple[str, str]:
    lang = language()
    state_option = table.column("statecode").option(state)
    status_option = table.column("statuscode").option(status)
    return (
        state_option.label.in_language(lang) if state_option else str(state),
        status_option.label.in_language(lang) if status_option else str(status),
    )


def _say_status(organization: Organization, service: OrganizationService, lead: uuid.UUID) -> None:
    """The lead's state and status reason now, read by whoever ran the command."""
    record = service.retrieve("lead", lead, ["fullname", "statecode", "statuscode"])
    state, status = _labels(
        organization.metadata().table("lead"), record["statecode"], record["statuscode"]
    )
    say(
        N_("Lead {name} ({id}) is now {state}: {status}."),
        name=record.get("fullname") or "", id=lead, state=state, status=status,
    )  # fmt: skip


def currency_reference(service: OrganizationService, code: str) -> EntityReference:
    rows = service.retrieve_multiple_all("transactioncurrency", columns=["isocurrencycode"])
    for row in rows:
        if str(row["isocurrencycode"]).casefold() == code.strip().casefold():
            return row.to_reference()
    known = ", ".join(sorted(str(row["isocurrencycode"]) for row in rows)) or "none"
    raise typer.BadParameter(f"no currency has the code '{code}' (known: {known})",
                             param_hint="--currency")  # fmt: skip


def customer_reference(text: str) -> EntityReference:
    table, separator, key = text.partition(":")
    if not separator or not table.strip():
        raise typer.BadParameter(
            f"'{text}': write TABLE:ID, e.g. account:<GUID>", param_hint="--customer"
        )
    return EntityReference(table.strip().lower(), lead_id(key, "--customer"))


def _qualify(
    service: OrganizationService,
    lead: uuid.UUID,
    links: dict[str, EntityReference],
    request: QualifyLeadRequest,
) -> list[EntityReference]:
    """Qualify, after linking the chosen existing records to the lead: both in one
    transaction, so that a refusal leaves the lead as it was."""
    if not links:
        return list(service.execute(request).created_entities)
    link = UpdateRequest(Entity("lead", lead, links))
    answer = service.execute(ExecuteTransactionRequest((link, request)))
    return list(answer.responses[-1].created_entities)


def _warn(organization: Organization, error: LeadgateError) -> None:
    """The duplicate warning: the error, the records found, and how to go on."""
    errors_console.print(f"error {error.code}: {error.message(language())}", soft_wrap=True)
    print_duplicates(matches_of(error))
    say(
        N_("Link an existing record with --use-account ID or --use-contact ID, or create new "
           "records anyway with --continue.")
    )  # fmt: skip


# QualifyLead's options, shared by ``leads qualify`` and ``leads diagnose``.
AccountFlag = Annotated[
    bool | None,
    typer.Option("--account/--no-account", help="Create an account (or not).", show_default=False),
]
ContactFlag = Annotated[
    bool | None,
    typer.Option("--contact/--no-contact", help="Create a contact (or not).", show_default=False),
]
OpportunityFlag = Annotated[
    bool | None,
    typer.Option(
        "--opportunity/--no-opportunity", help="Create an opportunity (or not).", show_default=False
    ),
]
StatusOption = Annotated[
    int | None,
    typer.Option(
        "--status",
        help="The Qualified status reason to give the lead (default: the Qualified state's "
        "default reason).",
        show_default=False,
    ),
]
CurrencyOption = Annotated[
    str | None,
    typer.Option("--currency", metavar="ISO", help="The opportunity's currency, e.g. EUR."),
]
CustomerOption = Annotated[
    str | None,
    typer.Option(
        "--customer",
        metavar="TABLE:ID",
        help="The opportunity's customer, an existing account or contact.",
    ),
]


@app.command("qualify")
def qualify(
    lead: Annotated[
        str | None,
        typer.Argument(
            metavar="LEAD_ID",
            help="The lead's id (see: leadgate leads list); or use --all-matching or --file.",
            show_default=False,
        ),
    ] = None,
    account: AccountFlag = None,
    contact: ContactFlag = None,
    opportunity: OpportunityFlag = None,
    status: StatusOption = None,
    currency: CurrencyOption = None,
    customer: CustomerOption = None,
    campaign: Annotated[
        str | None, typer.Option("--campaign", metavar="ID", help="The source campaign's id.")
    ] = None,
    use_account: Annotated[
        str | None,
        typer.Option(
            "--use-account",
            metavar="ID",
            help="Link this existing account to the lead (its Existing Account) instead of "
            "creating one.",
        ),
    ] = None,
    use_contact: Annotated[
        str | None,
        typer.Option(
            "--use-contact",
            metavar="ID",
            help="Link this existing contact to the lead (its Existing Contact) instead of "
            "creating one.",
        ),
    ] = None,
    go_on: Annotated[
        bool,
        typer.Option("--continue", help="Create new records even if duplicates exist."),
    ] = False,
    all_matching: Annotated[
        str | None,
        typer.Option(
            "--all-matching",
            metavar="FILTER",
            help="Qualify every open lead this OData $filter matches (the Web API's syntax), "
            "e.g. \"leadsourcecode eq 8 and contains(companyname,'Contoso')\".",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="PATH",
            exists=True,
            dir_okay=False,
            help="Qualify the leads whose ids this file lists, one a line (blank lines and # "
            "comments are ignored).",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="With --all-matching or --file: wait for the system jobs, running them here "
            "if no worker does, with a progress bar (or only queue them).",
        ),
    ] = True,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Qualify a lead: create its account, contact and opportunity, and close it as Qualified.

    A record left unnamed among --[no-]account/contact/opportunity follows the organization
    setting: created when it creates all three; when it asks, name all three.

    As from the lead form, the account and contact about to be created are first checked for
    duplicates: when some exist, nothing is created and they are listed; pick one with
    --use-account / --use-contact, or create new records anyway with --continue.

    With --all-matching or --file, many leads are qualified by system jobs, as from the Leads
    grid: no duplicate check, each lead on its own (one refused leaves the others qualified).
    """
    if all_matching is not None or file is not None:
        single = {"LEAD_ID": lead, "--currency": currency, "--customer": customer,
                  "--campaign": campaign, "--use-account": use_account,
                  "--use-contact": use_contact, "--continue": go_on or None}  # fmt: skip
        given = [name for name, value in single.items() if value is not None]
        if all_matching is not None and file is not None:
            raise typer.BadParameter("give --all-matching or --file, not both",
                                     param_hint="--file")  # fmt: skip
        if given:
            raise typer.BadParameter(
                f"{given[0]} cannot go with --all-matching or --file, which qualify many "
                "leads as the grid does", param_hint=given[0],
            )  # fmt: skip
        ids = lead_ids_from_file(file) if file is not None else ()
        with open_organization(db) as organization:
            service = service_for(organization, as_user)
            many = BulkQualifyLeadsRequest(
                lead_ids=ids,
                query=matching(organization, all_matching) if all_matching is not None else None,
                status=DEFAULT_STATUS if status is None else status,
                create_account=account, create_contact=contact, create_opportunity=opportunity,
            )  # fmt: skip
            qualify_many(organization, service, many, wait=wait)
        return
    if lead is None:
        raise typer.BadParameter("give a lead's id, or --all-matching FILTER, or --file PATH",
                                 param_hint="LEAD_ID")  # fmt: skip
    record = lead_id(lead, "LEAD_ID")
    links = {
        column: EntityReference(table, lead_id(value, option))
        for column, table, value, option in (
            ("parentaccountid", "account", use_account, "--use-account"),
            ("parentcontactid", "contact", use_contact, "--use-contact"),
        )
        if value is not None
    }
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        request = QualifyLeadRequest(
            EntityReference("lead", record),
            status=DEFAULT_STATUS if status is None else status,
            create_account=account,
            create_contact=contact,
            create_opportunity=opportunity,
            opportunity_currency_id=currency_reference(service, currency) if currency else None,
            opportunity_customer_id=customer_reference(customer) if customer else None,
            source_campaign_id=(
                EntityReference("campaign", lead_id(campaign, "--campaign")) if campaign else None
            ),
            # The lead form's path (REFERENCE §5): duplicates are looked for, unless Continue.
            suppress_duplicate_detection=go_on,
        )
        try:
            created = _qualify(service, record, links, request)
        except LeadgateError as error:
            if error.kind is not DUPLICATE_ON_QUALIFY:
                raise
            _warn(organization, error)
            raise typer.Exit(1) from None
        metadata = organization.metadata()
        for reference in created:
            table = metadata.table(reference.logical_name)
            name = service.retrieve(reference.logical_name, reference.id, [table.primary_name])
            say(
                N_("Created {table} {id} ({name})."),
                table=reference.logical_name, id=reference.id,
                name=name.get(table.primary_name) or "",
            )  # fmt: skip
        if not created:
            say(N_("No record was created."))
        _say_status(organization, service, record)


@app.command("disqualify", cls=reason_help("lead", DISQUALIFIED))
def disqualify(
    lead: LeadArgument,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="REASON",
            help="Why: a status reason of the Disqualified state, by value or label (listed "
            "below).",
            show_default=False,
        ),
    ],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Disqualify an open lead (SetState: Disqualified, with the reason)."""
    _set_state(lead, DISQUALIFIED, lambda table: status_reason(table, DISQUALIFIED, reason),
               as_user, db)  # fmt: skip


@app.command("reactivate", cls=reason_help("lead", OPEN, "--status"))
def reactivate(
    lead: LeadArgument,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="REASON",
            help="The Open status reason to give it, by value or label (listed below; "
            "default: the Open state's default reason).",
            show_default=False,
        ),
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Reopen a qualified or disqualified lead (SetState: Open)."""
    _set_state(
        lead, OPEN,
        lambda table: DEFAULT_STATUS if status is None else status_reason(table, OPEN, status),
        as_user, db,
    )  # fmt: skip


def _set_state(
    lead: str,
    state: int,
    status: Callable[[TableMetadata], int],
    as_user: str | None,
    db: str | None,
) -> None:
    """SetState with the status reason ``status`` reads from the lead table's metadata."""
    record = lead_id(lead, "LEAD_ID")
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        reason = status(organization.metadata().table("lead"))
        service.execute(SetStateRequest(EntityReference("lead", record), state, reason))
        _say_status(organization, service, record)


def _owner_names(system: OrganizationService, owners: set[EntityReference]) -> dict[uuid.UUID, str]:
    names: dict[uuid.UUID, str] = {}
    for table, column in (("systemuser", "fullname"), ("team", "name")):
        ids = tuple(owner.id for owner in owners if owner.logical_name == table)
        if not ids:
            continue
        criteria = FilterExpression(conditions=(ConditionExpression(table + "id", "in", ids),))
        for row in system.retrieve_multiple_all(table, criteria=criteria, columns=[column]):
            assert row.id is not None
            names[row.id] = str(row[column] or "")
    return names


@app.command("list")
def list_leads(
    state: Annotated[
        LeadState | None, typer.Option("--state", help="Only the leads in this state.")
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", metavar="EMAIL", help="Only the leads this user owns."),
    ] = None,
    as_user: AsOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="At most this many, newest first.")] = 50,
    ids: Annotated[
        bool,
        typer.Option(
            "--ids",
            help="Print only the ids, one a line: LEAD=$(leadgate leads list --ids --top 1).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """List leads, newest first: name, company, status reason, owner and id."""
    conditions: tuple[ConditionExpression, ...] = (
        (ConditionExpression.make("statecode", "eq", STATES[state]),) if state else ()
    )
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        if owner is not None:
            user = organization.system_service().find_user(owner)
            conditions += (ConditionExpression.make("ownerid", "eq", user.id),)
        leads = service.retrieve_multiple(
            QueryExpression(
                "lead",
                ColumnSet.of("fullname", "companyname", "statecode", "statuscode", "ownerid"),
                FilterExpression(conditions=conditions),
                (OrderExpression("createdon", descending=True), OrderExpression("leadid")),
                top_count=top,
                page_info=PagingInfo(count=top),
            )
        ).entities
        if ids:
            for lead in leads:
                typer.echo(str(lead.id))
            return
        if not leads:
            say(N_("(no leads)"))
            return
        owners = {lead["ownerid"] for lead in leads if lead.get("ownerid") is not None}
        names = _owner_names(organization.system_service(), owners)
        table = organization.metadata().table("lead")
        print_table(
            ["name", "company", "status", "owner", "id"],
            (
                (
                    lead["fullname"],
                    lead["companyname"],
                    _labels(table, lead["statecode"], lead["statuscode"])[1],
                    names.get(lead["ownerid"].id, lead["ownerid"].id) if lead["ownerid"] else "",
                    lead.id,
                )
                for lead in leads
            ),
        )
