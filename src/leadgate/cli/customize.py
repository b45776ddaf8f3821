"""``leadgate customize``: tables, columns, choice values and alternate keys, then publish."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, console, language, open_organization, print_table, say
from leadgate.platform.customization.keys import CreateEntityKeyRequest, DeleteEntityKeyRequest
from leadgate.platform.customization.messages import (
    InsertOptionValueRequest,
    PublishAllXmlRequest,
    RetrieveAllEntitiesRequest,
)
from leadgate.platform.customization.tables import CreateAttributeRequest, CreateEntityRequest
from leadgate.platform.engine.i18n import N_, Label
from leadgate.platform.engine.metadata.model import OptionMetadata
from leadgate.platform.engine.types import CascadeType, ColumnType, Ownership, RequiredLevel

__all__ = ["app"]

app = typer.Typer(
    help="Customize tables, columns, choices and keys; changes apply when published.",
    no_args_is_help=True,
)

LabelOption = Annotated[str, typer.Option("--label", help="Display name in English.")]
FrenchOption = Annotated[str | None, typer.Option("--label-fr", help="Display name in French.")]


def _number(text: str | None, option: str) -> Decimal | int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"'{text}' is not a number", param_hint=option) from None


def _option(text: str) -> OptionMetadata:
    """'1=Hot' or '1=Hot|Chaud'."""
    value, separator, labels = text.partition("=")
    try:
        number = int(value)
    except ValueError:
        number = None
    if not separator or number is None or not labels:
        raise typer.BadParameter(
            f"'{text}': write VALUE=English or VALUE=English|Français", param_hint="--option"
        )
    english, _, french = labels.partition("|")
    return OptionMetadata(number, Label(english, french or None), published=False)


@app.command("add-table")
def add_table(
    name: Annotated[
        str, typer.Argument(help="Logical name with a publisher prefix, e.g. new_project.")
    ],
    label: LabelOption,
    label_fr: FrenchOption = None,
    plural: Annotated[str | None, typer.Option(help="Plural display name in English.")] = None,
    plural_fr: Annotated[str | None, typer.Option(help="Plural display name in French.")] = None,
    entity_set: Annotated[
        str | None, typer.Option(help="Web API entity set name (default: NAME + 's').")
    ] = None,
    primary_name: Annotated[
        str | None, typer.Option(help="Primary name column (default: PREFIX_name).")
    ] = None,
    ownership: Annotated[Ownership, typer.Option(help="Who owns its records.")] = Ownership.USER,
    db: DbOption = None,
) -> None:
    """Add a custom table (unpublished until 'leadgate customize publish')."""
    with open_organization(db) as organization:
        response = organization.system_service().execute(
            CreateEntityRequest(
                name=name,
                label=Label(label, label_fr),
                plural_label=Label(plural, plural_fr) if plural else None,
                entity_set=entity_set,
                primary_name=primary_name,
                ownership=ownership,
            )
        )
        say(
            N_(
                "Added table {name} (entity set {entity_set}, name column {primary}). "
                "Publish to create it: leadgate customize publish"
            ),
            name=response.name,
            entity_set=response.entity_set,
            primary=response.primary_name,
        )


@app.command("add-column")
def add_column(
    table: Annotated[str, typer.Argument(help="The table, e.g. lead.")],
    name: Annotated[
        str, typer.Argument(help="Logical name with a publisher prefix, e.g. new_score.")
    ],
    type_: Annotated[ColumnType, typer.Option("--type", help="Column type.")],
    label: LabelOption,
    label_fr: FrenchOption = None,
    required: Annotated[RequiredLevel, typer.Option(help="Required level.")] = RequiredLevel.NONE,
    max_length: Annotated[int | None, typer.Option(help="Maximum length (text columns).")] = None,
    precision: Annotated[int | None, typer.Option(help="Decimal places (decimal, money).")] = None,
    minimum: Annotated[str | None, typer.Option("--min", help="Smallest value (numbers).")] = None,
    maximum: Annotated[str | None, typer.Option("--max", help="Largest value (numbers).")] = None,
    target: Annotated[
        list[str] | None, typer.Option("--target", help="Target table (lookups).")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="A choice: VALUE=English|Français (repeat)."),
    ] = None,
    format_: Annotated[
        str | None, typer.Option("--format", help="text: email, phone, url; datetime: dateonly.")
    ] = None,
    cascade: Annotated[
        CascadeType, typer.Option(help="Lookups: what deleting the target does.")
    ] = CascadeType.REMOVE_LINK,
    db: DbOption = None,
) -> None:
    """Add a column to a table (unpublished until 'leadgate customize publish')."""
    with open_organization(db) as organization:
        response = organization.system_service().execute(
            CreateAttributeRequest(
                table=table,
                name=name,
                type=type_,
                label=Label(label, label_fr),
                required=required,
                max_length=max_length,
                precision=precision,
                min_value=_number(minimum, "--min"),
                max_value=_number(maximum, "--max"),
                targets=tuple(target or ()),
                options=tuple(_option(text) for text in option or ()),
                format=format_,
                cascade_delete=cascade,
            )
        )
        say(
            N_("Added column {table}.{name}. Publish to create it: leadgate customize publish"),
            table=response.table,
            name=response.name,
        )


@app.command("add-choice")
def add_choice(
    table: Annotated[str, typer.Argument(help="The table, e.g. lead.")],
    column: Annotated[str, typer.Argument(help="A choice column, or statuscode.")],
    label: LabelOption,
    label_fr: FrenchOption = None,
    value: Annotated[
        int | None, typer.Option(help="The value (default: the next from 100000000).")
    ] = None,
    state: Annotated[
        int | None, typer.Option(help="For statuscode: the state the status reason belongs to.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a value to a choice column (for statuscode, with its state)."""
    with open_organization(db) as organization:
        response = organization.system_service().execute(
            InsertOptionValueRequest(table, column, Label(label, label_fr), value, state)
        )
        say(
            N_(
                "Added choice {value} ({label}) to {table}.{column}. Publish to use it: "
                "leadgate customize publish"
            ),
            value=response.new_option_value,
            label=label,
            table=table,
            column=column,
        )
        lang = language()
        for warning in response.warnings:
            say(N_("Warning: {message}"), message=warning.message.in_language(lang))
            for fix in warning.fixes:
                console.print(f"  - {fix.in_language(lang)}", soft_wrap=True, markup=False)


@app.command("add-key")
def add_key(
    table: Annotated[str, typer.Argument(help="The table, e.g. account.")],
    name: Annotated[
        str, typer.Argument(help="The key's name with a publisher prefix, e.g. new_accountnumber.")
    ],
    column: Annotated[
        list[str],
        typer.Option("--column", help="A column of the key (repeat for a key of several)."),
    ],
    db: DbOption = None,
) -> None:
    """Add an alternate key: columns whose values name one record (in Web API URLs such as
    accounts(accountnumber='A-1')); refused while records share values. Publishing creates
    its unique index."""
    with open_organization(db) as organization:
        response = organization.system_service().execute(
            CreateEntityKeyRequest(table, name, tuple(column))
        )
        say(
            N_(
                "Added key {name} to {table} ({columns}). Publish to enforce it with a unique "
                "index: leadgate customize publish"
            ),
            name=response.name,
            table=response.table,
            columns=", ".join(response.columns),
        )


@app.command("remove-key")
def remove_key(
    table: Annotated[str, typer.Argument(help="The table, e.g. account.")],
    name: Annotated[str, typer.Argument(help="The key's name.")],
    db: DbOption = None,
) -> None:
    """Remove an alternate key an administrator added, and its unique index, at once."""
    with open_organization(db) as organization:
        response = organization.system_service().execute(DeleteEntityKeyRequest(table, name))
        say(
            N_("Removed key {name} ({columns}) from {table}, and its unique index.")
            if response.published
            else N_("Removed the pending key {name} ({columns}) from {table}."),
            name=response.name,
            table=response.table,
            columns=", ".join(response.columns),
        )


@app.command("publish")
def publish(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change, change nothing.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Apply pending customizations: create tables and columns, make choices usable."""
    with open_organization(db) as organization:
        response = organization.system_service().execute(PublishAllXmlRequest(dry_run=dry_run))
        lang = language()
        if not response.changes:
            say(N_("Nothing to publish."))
            return
        for change in response.changes:
            console.print(f"  {change.description.in_language(lang)}", soft_wrap=True)
        if dry_run:
            say(
                N_("{count} change(s) would be applied (dry run: nothing changed)."),
                count=len(response.changes),
            )
        else:
            say(N_("Published {count} change(s)."), count=len(response.changes))


@app.command("list")
def list_metadata(
    table: Annotated[str | None, typer.Argument(help="Show this table's columns.")] = None,
    db: DbOption = None,
) -> None:
    """List tables, or one table's columns, choices and keys (drafts marked 'pending')."""
    lang = language()
    with open_organization(db) as organization:
        metadata = (
            organization.system_service()
            .execute(RetrieveAllEntitiesRequest(include_unpublished=True))
            .metadata
        )
        if table is None:
            print_table(
                ["table", "entity set", "label", "columns", "ownership", "state"],
                (
                    (
                        t.name,
                        t.entity_set,
                        t.label.in_language(lang),
                        len(t.columns),
                        t.ownership.value,
                        "published" if t.published else "pending",
                    )
                    for t in sorted(metadata.tables.values(), key=lambda t: t.name)
                ),
            )
            return
        found = metadata.table(table)
        print_table(
            ["column", "type", "label", "required", "choices", "state"],
            (
                (
                    c.name,
                    c.describe_type(),
                    c.label.in_language(lang),
                    c.required.value,
                    "; ".join(
                        f"{o.value} {o.label.in_language(lang)}"
                        + (f" (state {o.state})" if o.state is not None else "")
                        + ("" if o.published else " [pending]")
                        for o in c.options
                    ),
                    "published" if c.published else "pending",
                )
                for c in found.columns.values()
            ),
            title=f"{found.name} ({found.label.in_language(lang)})",
        )
        if found.keys:
            print_table(
                ["key", "columns", "state"],
                (
                    (key.name, ", ".join(key.columns), "published" if key.published else "pending")
                    for key in found.keys
                ),
                title=f"{found.name}: alternate keys",
            )
