"""Customization: add choice values, publish the drafts, import solutions (tables and
columns: ``tables``).

Changes are drafts until PublishAllXml turns them into SQL (plan, then apply). Names that
administrators choose carry a publisher prefix; only shipped solutions (ImportSolution) use
plain names, like Microsoft's own tables in Dataverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from leadgate.platform.customization.errors import OPTION_LABEL_TAKEN
from leadgate.platform.customization.keys import (
    add_solution_keys,
    check_pending_keys,
    publish_keys,
)
from leadgate.platform.customization.solutions import (
    SolutionDefinition,
)
from leadgate.platform.customization.tables import (
    invalid_definition,
    load_drafts,
    needs,
    table_target,
)
from leadgate.platform.customization.upgrades import UpgradeSolutionRequest
from leadgate.platform.engine import errors, rows, schema
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.metadata import names, store
from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    MetadataSet,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.engine.validation import option_list
from leadgate.platform.maps.rules import MapWarning, warnings_for_new_option
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import ensure_privileges, install_role

__all__ = [
    "MESSAGES",
    "ImportSolutionRequest",
    "ImportSolutionResponse",
    "InsertOptionValueRequest",
    "InsertOptionValueResponse",
    "PublishAllXmlRequest",
    "PublishAllXmlResponse",
    "RetrieveAllEntitiesRequest",
    "RetrieveAllEntitiesResponse",
]

CUSTOM_OPTION_START = 100_000_000  # Dataverse's default publisher option prefix (10000) x 10^4
MAX_OPTION_VALUE = 2_147_483_647


@dataclass(frozen=True)
class InsertOptionValueRequest:
    """Add a value to a choice column; for statuscode, ``state`` says which state it belongs to."""

    table: str
    column: str
    label: Label
    value: int | None = None
    state: int | None = None


@dataclass(frozen=True)
class InsertOptionValueResponse:
    new_option_value: int
    # Attribute maps from this column that the new value would make fail, with the fixes.
    warnings: tuple[MapWarning, ...] = ()


@dataclass(frozen=True)
class PublishAllXmlRequest:
    dry_run: bool = False


@dataclass(frozen=True)
class PublishAllXmlResponse:
    changes: tuple[schema.SchemaChange, ...]
    applied: bool


@dataclass(frozen=True)
class ImportSolutionRequest:
    solution: SolutionDefinition


@dataclass(frozen=True)
class ImportSolutionResponse:
    name: str
    version: int
    previous_version: int | None
    tables_added: tuple[str, ...] = ()
    columns_added: tuple[str, ...] = ()
    options_added: tuple[str, ...] = ()
    records_added: int = 0
    changes: tuple[schema.SchemaChange, ...] = ()
    # What UpgradeSolution did to the data, when the database held an older version.
    upgrade_steps: tuple[Text, ...] = ()


@dataclass(frozen=True)
class RetrieveAllEntitiesRequest:
    include_unpublished: bool = False


@dataclass(frozen=True)
class RetrieveAllEntitiesResponse:
    metadata: MetadataSet
    relationships: tuple[RelationshipMetadata, ...] = field(default=())


# --- InsertOptionValue ------------------------------------------------------------------


def _option_labelled(column: ColumnMetadata, label: Label) -> OptionMetadata | None:
    """The option that already has this label, in English or in French (case ignored)."""

    def folded(text: str | None) -> str:
        return (text or "").strip().casefold()

    for option in column.options:
        if folded(label.en) == folded(option.label.en) or (
            folded(label.fr) and folded(label.fr) == folded(option.label.fr)
        ):
            return option
    return None


def insert_option_value(
    operation: Operation[InsertOptionValueRequest],
) -> InsertOptionValueResponse:
    request = operation.request
    drafts = load_drafts(operation)
    table = drafts.table(request.table)
    column = table.column(request.column)
    if not column.type.is_choice:
        raise errors.NOT_A_CHOICE_COLUMN(
            column=column.name, table=table.name, type=column.type.value
        )
    known = {option.value: option for option in column.options}
    value = request.value
    if value is None:
        value = max([CUSTOM_OPTION_START - 1, *known]) + 1
    if not -MAX_OPTION_VALUE - 1 <= value <= MAX_OPTION_VALUE:
        raise invalid_definition(
            "column",
            f"{table.name}.{column.name}",
            Text(N_("option values are whole numbers between -2147483648 and 2147483647.")),
        )
    if value in known:
        raise errors.OPTION_VALUE_TAKEN(
            value=value, column=column.name, table=table.name, label=known[value].label
        )
    taken = _option_labelled(column, request.label)
    if taken is not None:
        raise OPTION_LABEL_TAKEN(
            column=column.name, table=table.name, label=taken.label, value=taken.value
        )
    state = None
    if column.type is ColumnType.STATUS:
        states = table.column("statecode")
        if request.state not in {option.value for option in states.options}:
            raise errors.INVALID_STATE(
                state=request.state, table=table.name, valid=option_list(states)
            )
        state = request.state
    elif request.state is not None:
        raise invalid_definition(
            "column",
            f"{table.name}.{column.name}",
            Text(N_("only status reasons belong to a state.")),
        )
    store.insert_option(
        operation.connection,
        table.name,
        column.name,
        OptionMetadata(value, request.label, state=state, published=False),
        position=len(known),
    )
    store.bump_generation(operation.connection, metadata=True)
    warnings = warnings_for_new_option(
        operation.connection, operation.metadata, table, column, value, state, request.label
    )
    return InsertOptionValueResponse(value, warnings)


# --- PublishAllXml ----------------------------------------------------------------------


def _pending(connection: sa.Connection) -> list[Text]:
    """Metadata-only drafts (choice values, relationships), for the publish plan."""
    found: list[Text] = []
    options = store.meta_options
    draft_columns = {
        (row.table_name, row.name)
        for row in connection.execute(
            sa.select(store.meta_columns.c.table_name, store.meta_columns.c.name).where(
                store.meta_columns.c.published.is_(False)
            )
        )
    }
    for row in connection.execute(
        sa.select(options)
        .where(options.c.published.is_(False))
        .order_by(options.c.table_name, options.c.column_name, options.c.value)
    ):
        if (row.table_name, row.column_name) in draft_columns:
            continue  # comes with its new column
        found.append(
            Text(
                N_("add choice {value} ({label}) to {table}.{column}"),
                value=row.value,
                label=Label(row.label_en, row.label_fr),
                table=row.table_name,
                column=row.column_name,
            )
        )
    relationships = store.meta_relationships
    for row in connection.execute(
        sa.select(relationships)
        .where(relationships.c.published.is_(False))
        .order_by(relationships.c.name)
    ):
        found.append(
            Text(
                N_("add relationship {name} ({referencing}.{column} -> {referenced})"),
                name=row.name,
                referencing=row.referencing_table,
                column=row.referencing_column,
                referenced=row.referenced_table,
            )
        )
    return found


def publish(operation: Operation, *, dry_run: bool = False) -> tuple[schema.SchemaChange, ...]:
    connection = operation.connection
    drafts = store.load(connection, include_unpublished=True)
    schema_plan = schema.plan(connection, drafts, _pending(connection))
    check_pending_keys(operation, drafts)  # before their unique indexes, in a dry run too
    if dry_run:
        return schema_plan.changes
    schema.apply(connection, schema_plan)
    publish_keys(connection, drafts)
    store.mark_all_published(connection)
    store.bump_generation(connection, metadata=True)
    operation.unit_of_work.reload_metadata()
    ensure_privileges(operation)
    return schema_plan.changes


def publish_all(operation: Operation[PublishAllXmlRequest]) -> PublishAllXmlResponse:
    request = operation.request
    changes = publish(operation, dry_run=request.dry_run)
    return PublishAllXmlResponse(changes, applied=not request.dry_run)


# --- ImportSolution ---------------------------------------------------------------------


def import_solution(operation: Operation) -> ImportSolutionResponse:
    """Add what the solution has and the database lacks; never remove or retype anything."""
    definition: SolutionDefinition = operation.request.solution
    connection = operation.connection
    drafts = load_drafts(operation)
    tables_added, columns_added, options_added = [], [], []
    for table in definition.tables:
        names.check_name(table.name, "table")
        existing = drafts.tables.get(table.name)
        if existing is None:
            store.insert_table(connection, table)
            tables_added.append(table.name)
        else:  # indexes and keys a newer version declares: publishing creates them
            if table.indexes:
                store.add_indexes(connection, table.name, table.indexes)
            add_solution_keys(connection, existing, table.keys)
        for column in table.columns.values():
            names.check_name(column.name, "column")
            present = existing.columns.get(column.name) if existing else None
            if present is None:
                store.insert_column(connection, column)
                columns_added.append(f"{table.name}.{column.name}")
                continue
            if present.type is not column.type:
                raise invalid_definition(
                    "column",
                    f"{table.name}.{column.name}",
                    Text(
                        N_(
                            "the solution makes it {new} but the database has {old}; "
                            "leadgate never changes a column's type."
                        ),
                        new=column.type.value,
                        old=present.type.value,
                    ),
                )
            known = {option.value for option in present.options}
            for position, option in enumerate(column.options):
                if option.value not in known:
                    store.insert_option(connection, table.name, column.name, option, position)
                    options_added.append(f"{table.name}.{column.name}={option.value}")
    for column in definition.extensions:
        extended = drafts.tables.get(column.table) or definition.table(column.table)
        if extended is None:
            raise errors.UNKNOWN_TABLE(table=column.table)
        if column.name not in extended.columns:
            store.insert_column(connection, column)
            columns_added.append(f"{column.table}.{column.name}")
    for relationship in definition.relationships:
        if relationship.name not in drafts.relationships:
            _check_relationship(definition, drafts, relationship)
            store.insert_relationship(connection, relationship)
    store.bump_generation(connection, metadata=True)
    changes = publish(operation)
    records_added = _import_records(operation, definition.records)
    for role in definition.roles:
        install_role(operation, role)
    previous = connection.execute(
        sa.select(store.solutions.c.version).where(store.solutions.c.name == definition.name)
    ).scalar()
    upgraded = ()
    if previous is not None and previous < definition.version:
        upgraded = operation.execute(UpgradeSolutionRequest(definition, previous)).steps
    if previous is None:
        connection.execute(
            store.solutions.insert().values(
                name=definition.name, version=definition.version, installedon=operation.now()
            )
        )
    else:
        connection.execute(
            store.solutions.update()
            .where(store.solutions.c.name == definition.name)
            .values(version=max(previous, definition.version), installedon=operation.now())
        )
    return ImportSolutionResponse(
        name=definition.name,
        version=definition.version,
        previous_version=previous,
        tables_added=tuple(tables_added),
        columns_added=tuple(columns_added),
        options_added=tuple(options_added),
        records_added=records_added,
        changes=changes,
        upgrade_steps=upgraded,
    )


def _check_relationship(
    definition: SolutionDefinition, drafts: MetadataSet, relationship: RelationshipMetadata
) -> None:
    """A relationship names a lookup that points at its referenced table, or deletes would fail."""

    def table(name: str) -> TableMetadata | None:
        return definition.table(name) or drafts.tables.get(name)

    referencing = table(relationship.referencing_table)
    column = referencing.columns.get(relationship.referencing_column) if referencing else None
    if (
        table(relationship.referenced_table) is None
        or column is None
        or (relationship.referenced_table not in column.targets)
    ):
        raise invalid_definition(
            "relationship",
            relationship.name,
            Text(
                N_("{referencing}.{column} is not a lookup to {referenced}."),
                referencing=relationship.referencing_table,
                column=relationship.referencing_column,
                referenced=relationship.referenced_table,
            ),
        )


def _import_records(operation: Operation, shipped: tuple[Entity, ...]) -> int:
    """Create the shipped records that are not there yet (administrators own them after).

    A record shipped in another state than the one records start in (an activated process)
    is set to it once every record is made, so that SetState's checks see its whole family.
    """
    added: list[tuple[Entity, dict[str, Any]]] = []
    for record in shipped:
        table = operation.table(record.logical_name)
        assert record.id is not None
        if rows.existing_ids(
            operation.connection, table, operation.sql_table(table.name), [record.id]
        ):
            continue
        values = dict(record)
        state: dict[str, Any] = {
            name: values.pop(name) for name in ("statecode", "statuscode") if name in values
        }
        operation.execute(CreateRequest(Entity(record.logical_name, record.id, values)))
        added.append((record, state))
    for record, state in added:
        if state:
            status = state.get("statuscode", -1)
            operation.execute(SetStateRequest(record.to_reference(), state["statecode"], status))
    return len(added)


# --- RetrieveAllEntities ----------------------------------------------------------------


def retrieve_all_entities(
    operation: Operation[RetrieveAllEntitiesRequest],
) -> RetrieveAllEntitiesResponse:
    request = operation.request
    metadata = load_drafts(operation) if request.include_unpublished else operation.metadata
    return RetrieveAllEntitiesResponse(metadata, tuple(metadata.relationships.values()))


def _authorize_publish(operation: Operation) -> None:
    dry_run = operation.request.dry_run
    operation.require_privilege("prvReadCustomizations" if dry_run else "prvPublishCustomizations")


MESSAGES = {
    InsertOptionValueRequest: Message(
        "InsertOptionValue",
        insert_option_value,
        target=table_target,
        authorize=needs("prvWriteEntity"),
    ),
    PublishAllXmlRequest: Message("PublishAllXml", publish_all, authorize=_authorize_publish),
    ImportSolutionRequest: Message(
        "ImportSolution",
        import_solution,
        authorize=needs("prvWriteCustomizations", "prvPublishCustomizations"),
    ),
    RetrieveAllEntitiesRequest: Message(
        "RetrieveAllEntities",
        retrieve_all_entities,
        writes=False,
        authorize=needs("prvReadEntity"),
    ),
}
