"""Where metadata lives: leadgate's own ``lg_`` tables, read into a MetadataSet.

Only customization messages write here, inside the pipeline's transaction.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    KeyMetadata,
    MetadataSet,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.sqltypes import UtcDateTime
from leadgate.platform.engine.storage import driver_execute
from leadgate.platform.engine.types import CascadeType, ColumnType, Ownership, RequiredLevel

__all__ = [
    "CATALOG",
    "apitokens",
    "bump_generation",
    "credentials",
    "generation",
    "is_initialized",
    "load",
    "matchcodes",
    "meta_columns",
    "meta_options",
    "meta_relationships",
    "meta_tables",
    "new_metadata_stamp",
    "read_generations",
    "read_properties",
    "save_keys",
    "solutions",
    "write_properties",
]

CATALOG = sa.MetaData()

meta_tables = sa.Table(
    "lg_meta_table",
    CATALOG,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("entity_set", sa.String(64), nullable=False, unique=True),
    sa.Column("label_en", sa.String(200), nullable=False),
    sa.Column("label_fr", sa.String(200)),
    sa.Column("plural_en", sa.String(200), nullable=False),
    sa.Column("plural_fr", sa.String(200)),
    sa.Column("primary_key", sa.String(64), nullable=False),
    sa.Column("primary_name", sa.String(64), nullable=False),
    sa.Column("ownership", sa.String(16), nullable=False),
    sa.Column("object_type_code", sa.Integer),
    sa.Column("is_custom", sa.Boolean, nullable=False, default=False),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
    sa.Column("properties", sa.Text, nullable=False, default="{}"),
)

meta_columns = sa.Table(
    "lg_meta_column",
    CATALOG,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("label_en", sa.String(200), nullable=False),
    sa.Column("label_fr", sa.String(200)),
    sa.Column("required", sa.String(16), nullable=False, default="none"),
    sa.Column("position", sa.Integer, nullable=False, default=0),
    sa.Column("is_custom", sa.Boolean, nullable=False, default=False),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
    sa.Column("properties", sa.Text, nullable=False, default="{}"),
)

meta_options = sa.Table(
    "lg_meta_option",
    CATALOG,
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("column_name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Integer, primary_key=True),
    sa.Column("label_en", sa.String(200), nullable=False),
    sa.Column("label_fr", sa.String(200)),
    sa.Column("state", sa.Integer),
    sa.Column("default_status", sa.Integer),
    sa.Column("position", sa.Integer, nullable=False, default=0),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
)

meta_relationships = sa.Table(
    "lg_meta_relationship",
    CATALOG,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("referenced_table", sa.String(64), nullable=False),
    sa.Column("referencing_table", sa.String(64), nullable=False),
    sa.Column("referencing_column", sa.String(64), nullable=False),
    sa.Column("cascade_delete", sa.String(16), nullable=False),
    sa.Column("is_custom", sa.Boolean, nullable=False, default=False),
    sa.Column("published", sa.Boolean, nullable=False, default=False),
)

solutions = sa.Table(
    "lg_solution",
    CATALOG,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("installedon", UtcDateTime, nullable=False),
)

# One row; each counter moves when what it guards changes, so that every process (not
# only the one that made the change) reloads its cache on its next request.
generation = sa.Table(
    "lg_generation",
    CATALOG,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("metadata", sa.Integer, nullable=False),
    sa.Column("steps", sa.Integer, nullable=False),
    sa.Column("security", sa.Integer, nullable=False, default=0, server_default="0"),
    # A random name for the current metadata, new at every metadata change: copies of one
    # database (a backup restored beside it, a test's copy) share their metadata until one of
    # them is customized, and a process keeps one snapshot of it (unit_of_work.Snapshot.shared).
    sa.Column("metadatastamp", sa.String(32)),
)

# Duplicate detection's index: per published rule, the keys of each record of its matching
# table (REFERENCE §5). A check looks its keys up here; it never scans the records.
matchcodes = sa.Table(
    "lg_matchcode",
    CATALOG,
    sa.Column("ruleid", sa.Uuid, primary_key=True),
    sa.Column("recordid", sa.Uuid, primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    # The normalized names a fuzzy condition compares, for its candidates (else NULL).
    sa.Column("fuzzy", sa.String(1000)),
    sa.Index("ix_lg_matchcode_rule_code", "ruleid", "code"),
)

credentials = sa.Table(
    "lg_credential",
    CATALOG,
    sa.Column("systemuserid", sa.Uuid, primary_key=True),
    sa.Column("passwordhash", sa.String(200), nullable=False),
    sa.Column("changedon", UtcDateTime, nullable=False),
)

apitokens = sa.Table(
    "lg_apitoken",
    CATALOG,
    sa.Column("apitokenid", sa.Uuid, primary_key=True),
    sa.Column("systemuserid", sa.Uuid, nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("tokenhash", sa.String(64), nullable=False, unique=True),
    sa.Column("hint", sa.String(16), nullable=False),
    sa.Column("createdon", UtcDateTime, nullable=False),
    sa.Column("revokedon", UtcDateTime),
    # A browser session's token ends by itself; an API token lasts until revoked (NULL).
    sa.Column("expireson", UtcDateTime),
)


def is_initialized(connection: sa.Connection) -> bool:
    return sa.inspect(connection).has_table(generation.name)


@dataclass(frozen=True, slots=True)
class Generations:
    """Counters that move when what a cache holds changes: metadata, steps, who is where."""

    metadata: int
    steps: int
    security: int
    metadata_stamp: str | None = None


# Read on every request with the driver's cursor: SQLAlchemy's result cost 3x the query (208 of
# 236 us). All columns: `upgrade --dry-run` plans on a database without the stamp yet.
_READ_GENERATIONS = "SELECT * FROM lg_generation WHERE id = 1"


def read_generations(connection: sa.Connection) -> Generations:
    with contextlib.closing(driver_execute(connection, _READ_GENERATIONS)) as cursor:
        names, values = [c[0].lower() for c in cursor.description], cursor.fetchone() or ()
        row: Any = dict(zip(names, values, strict=True))
    return Generations(row["metadata"], row["steps"], row["security"], row.get("metadatastamp"))


def new_metadata_stamp() -> str:
    return uuid.uuid4().hex


def bump_generation(
    connection: sa.Connection,
    *,
    metadata: bool = False,
    steps: bool = False,
    security: bool = False,
) -> None:
    values: dict[str, Any] = {}
    for name, wanted in (("metadata", metadata), ("steps", steps), ("security", security)):
        if wanted:
            values[name] = generation.c[name] + 1
    if metadata:
        values["metadatastamp"] = new_metadata_stamp()
    if values:
        connection.execute(generation.update().where(generation.c.id == 1).values(**values))


def _label(en: str | None, fr: str | None) -> Label:
    return Label(en or "", fr)


def _decimal(value: Any) -> Decimal | int | None:
    if value is None:
        return None
    return int(value) if isinstance(value, int) else Decimal(str(value))


def column_properties(column: ColumnMetadata) -> str:
    """The rarely used column settings, kept as JSON so new ones need no migration."""
    found: dict[str, Any] = {}
    if column.max_length is not None:
        found["max_length"] = column.max_length
    if column.precision is not None:
        found["precision"] = column.precision
    if column.min_value is not None:
        found["min_value"] = str(column.min_value)
    if column.max_value is not None:
        found["max_value"] = str(column.max_value)
    if column.targets:
        found["targets"] = list(column.targets)
    if column.format:
        found["format"] = column.format
    if column.composed_of:
        found["composed_of"] = list(column.composed_of)
    if column.default is not None:
        found["default"] = column.default
    if not column.valid_for_create:
        found["valid_for_create"] = False
    if not column.valid_for_update:
        found["valid_for_update"] = False
    if column.description is not None:
        found["description"] = [column.description.en, column.description.fr]
    if column.indexed:
        found["indexed"] = True
    return json.dumps(found, sort_keys=True)


def table_properties(table: TableMetadata) -> str:
    found: dict[str, Any] = {}
    if table.keys:
        found["alternate_keys"] = [key.stored(table.name) for key in table.keys]
    if table.indexes:
        found["indexes"] = [list(key) for key in table.indexes]
    if not table.deletable:
        found["deletable"] = False
    if table.schema:
        found["schema_name"] = table.schema
    if table.is_audit_enabled:
        found["isauditenabled"] = True
    if table.description is not None:
        found["description"] = [table.description.en, table.description.fr]
    return json.dumps(found, sort_keys=True)


def _column_from_row(row: Any, options: tuple[OptionMetadata, ...]) -> ColumnMetadata:
    props = json.loads(row.properties or "{}")
    description = props.get("description")
    return ColumnMetadata(
        table=row.table_name,
        name=row.name,
        type=ColumnType(row.type),
        label=_label(row.label_en, row.label_fr),
        required=RequiredLevel(row.required),
        max_length=props.get("max_length"),
        precision=props.get("precision"),
        min_value=_decimal(_number(props.get("min_value"))),
        max_value=_decimal(_number(props.get("max_value"))),
        targets=tuple(props.get("targets", ())),
        format=props.get("format"),
        options=options,
        composed_of=tuple(props.get("composed_of", ())),
        default=props.get("default"),
        valid_for_create=props.get("valid_for_create", True),
        valid_for_update=props.get("valid_for_update", True),
        is_custom=bool(row.is_custom),
        published=bool(row.published),
        description=_label(*description) if description else None,
        position=row.position,
        indexed=props.get("indexed", False),
    )


def _number(text: str | None) -> int | Decimal | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def load(connection: sa.Connection, *, include_unpublished: bool = False) -> MetadataSet:
    """Read the metadata; by default only what has been published (what SQL tables hold)."""

    def published(table: sa.Table) -> Any:
        return sa.true() if include_unpublished else table.c.published.is_(True)

    options: dict[tuple[str, str], list[OptionMetadata]] = {}
    for row in connection.execute(
        sa.select(meta_options)
        .where(published(meta_options))
        .order_by(meta_options.c.table_name, meta_options.c.column_name, meta_options.c.position)
    ):
        options.setdefault((row.table_name, row.column_name), []).append(
            OptionMetadata(
                value=row.value,
                label=_label(row.label_en, row.label_fr),
                state=row.state,
                default_status=row.default_status,
                published=bool(row.published),
            )
        )
    columns: dict[str, dict[str, ColumnMetadata]] = {}
    for row in connection.execute(
        sa.select(meta_columns)
        .where(published(meta_columns))
        .order_by(meta_columns.c.table_name, meta_columns.c.position, meta_columns.c.name)
    ):
        column = _column_from_row(row, tuple(options.get((row.table_name, row.name), ())))
        columns.setdefault(row.table_name, {})[row.name] = column
    tables: dict[str, TableMetadata] = {}
    for row in connection.execute(sa.select(meta_tables).where(published(meta_tables))):
        props = json.loads(row.properties or "{}")
        description = props.get("description")
        tables[row.name] = TableMetadata(
            name=row.name,
            entity_set=row.entity_set,
            label=_label(row.label_en, row.label_fr),
            plural_label=_label(row.plural_en, row.plural_fr),
            primary_key=row.primary_key,
            primary_name=row.primary_name,
            ownership=Ownership(row.ownership),
            object_type_code=row.object_type_code,
            columns=columns.get(row.name, {}),
            keys=tuple(
                key
                for key in KeyMetadata.from_stored(row.name, props.get("alternate_keys", ()))
                if include_unpublished or key.published
            ),
            indexes=tuple(tuple(key) for key in props.get("indexes", ())),
            is_custom=bool(row.is_custom),
            published=bool(row.published),
            deletable=props.get("deletable", True),
            description=_label(*description) if description else None,
            schema=props.get("schema_name"),
            is_audit_enabled=props.get("isauditenabled", False),
        )
    relationships = {
        row.name: RelationshipMetadata(
            name=row.name,
            referenced_table=row.referenced_table,
            referencing_table=row.referencing_table,
            referencing_column=row.referencing_column,
            cascade_delete=CascadeType(row.cascade_delete),
            is_custom=bool(row.is_custom),
            published=bool(row.published),
        )
        for row in connection.execute(
            sa.select(meta_relationships).where(published(meta_relationships))
        )
    }
    return MetadataSet(
        tables=tables,
        relationships=relationships,
        generation=read_generations(connection).metadata,
    )


def insert_table(connection: sa.Connection, table: TableMetadata) -> None:
    connection.execute(
        meta_tables.insert().values(
            name=table.name,
            entity_set=table.entity_set,
            label_en=table.label.en,
            label_fr=table.label.fr,
            plural_en=table.plural_label.en,
            plural_fr=table.plural_label.fr,
            primary_key=table.primary_key,
            primary_name=table.primary_name,
            ownership=table.ownership.value,
            object_type_code=table.object_type_code,
            is_custom=table.is_custom,
            published=False,
            properties=table_properties(table),
        )
    )


def add_indexes(
    connection: sa.Connection, table: str, indexes: Iterable[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Declare the indexes ``table`` lacks (publishing creates them); returns those added."""
    props = read_properties(connection, table)
    known = [tuple(key) for key in props.get("indexes", ())]
    added = [tuple(key) for key in indexes if tuple(key) not in known]
    if added:
        props["indexes"] = [list(key) for key in (*known, *added)]
        write_properties(connection, table, props)
    return added


def insert_column(connection: sa.Connection, column: ColumnMetadata) -> None:
    connection.execute(
        meta_columns.insert().values(
            table_name=column.table,
            name=column.name,
            type=column.type.value,
            label_en=column.label.en,
            label_fr=column.label.fr,
            required=column.required.value,
            position=column.position,
            is_custom=column.is_custom,
            published=False,
            properties=column_properties(column),
        )
    )
    for position, option in enumerate(column.options):
        insert_option(connection, column.table, column.name, option, position)


def insert_option(
    connection: sa.Connection, table: str, column: str, option: OptionMetadata, position: int
) -> None:
    connection.execute(
        meta_options.insert().values(
            table_name=table,
            column_name=column,
            value=option.value,
            label_en=option.label.en,
            label_fr=option.label.fr,
            state=option.state,
            default_status=option.default_status,
            position=position,
            published=False,
        )
    )


def insert_relationship(connection: sa.Connection, relationship: RelationshipMetadata) -> None:
    connection.execute(
        meta_relationships.insert().values(
            name=relationship.name,
            referenced_table=relationship.referenced_table,
            referencing_table=relationship.referencing_table,
            referencing_column=relationship.referencing_column,
            cascade_delete=relationship.cascade_delete.value,
            is_custom=relationship.is_custom,
            published=False,
        )
    )


def read_properties(connection: sa.Connection, table: str) -> dict[str, Any]:
    """A table's rarely used settings (keys, indexes…), drafts included."""
    query = sa.select(meta_tables.c.properties).where(meta_tables.c.name == table)
    return dict(json.loads(connection.execute(query).scalar() or "{}"))


def write_properties(connection: sa.Connection, table: str, props: dict[str, Any]) -> None:
    connection.execute(
        meta_tables.update()
        .where(meta_tables.c.name == table)
        .values(properties=json.dumps(props, sort_keys=True))
    )


def save_keys(connection: sa.Connection, table: str, keys: Iterable[KeyMetadata]) -> None:
    """Replace the alternate keys of ``table`` (drafts included) with ``keys``."""
    props = read_properties(connection, table)
    props["alternate_keys"] = [key.stored(table) for key in keys]
    write_properties(connection, table, {name: v for name, v in props.items() if v != []})


def mark_all_published(connection: sa.Connection) -> None:
    for table in (meta_tables, meta_columns, meta_options, meta_relationships):
        connection.execute(
            table.update().where(table.c.published.is_(False)).values(published=True)
        )
