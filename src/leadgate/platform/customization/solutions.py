"""Solutions: tables, columns, choices, relationships, maps and records, shipped as data.

A solution is a TOML file read into a :class:`SolutionDefinition`; ImportSolution stores it
in the database and publishes it. The platform's own tables come as a solution too
(``system.toml``), and the sales solution is written the same way, in the same format.
"""

from __future__ import annotations

import functools
import tomllib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, Protocol

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import (
    DEFAULT_MAX_LENGTH,
    ColumnMetadata,
    KeyMetadata,
    OptionMetadata,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.types import CascadeType, ColumnType, Ownership, RequiredLevel
from leadgate.platform.security.privileges import Depth, Grant, Right, RoleDefinition

__all__ = [
    "Solution",
    "SolutionDefinition",
    "load_solution",
    "parse_solution",
    "record_id",
    "state_columns",
    "system_columns",
]

# Ids of shipped records are derived from their names, so importing twice finds them again.
_NAMESPACE = uuid.UUID("6f1d5c8e-3c0b-4f0e-9a5e-1ead9a7e0c01")


def record_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, ":".join(parts))


@dataclass(frozen=True)
class SolutionDefinition:
    name: str
    version: int
    label: Label
    tables: tuple[TableMetadata, ...] = ()
    relationships: tuple[RelationshipMetadata, ...] = ()
    records: tuple[Entity, ...] = field(default=(), compare=False)
    roles: tuple[RoleDefinition, ...] = ()
    # Columns this solution adds to tables of other solutions ([extends.TABLE.columns]).
    extensions: tuple[ColumnMetadata, ...] = ()

    def table(self, name: str) -> TableMetadata | None:
        return next((table for table in self.tables if table.name == name), None)


class Solution(Protocol):
    """What a package hands the platform: its data, and the code it registers at start-up."""

    name: str

    def definition(self) -> SolutionDefinition: ...

    def register(self, registry: Any) -> None: ...


# --- system columns ----------------------------------------------------------------------


def _system(
    table: str, name: str, kind: ColumnType, en: str, fr: str, **more: Any
) -> ColumnMetadata:
    more.setdefault("valid_for_create", False)
    more.setdefault("valid_for_update", False)
    return ColumnMetadata(table=table, name=name, type=kind, label=Label(en, fr), **more)


def system_columns(table: TableMetadata) -> list[ColumnMetadata]:
    """The columns every table gets: key, audit columns, version, and the owner if user-owned."""
    name = table.name
    columns = [
        _system(
            name,
            table.primary_key,
            ColumnType.UNIQUEIDENTIFIER,
            table.label.en,
            table.label.fr or table.label.en,
            valid_for_create=True,
        ),
        _system(name, "createdon", ColumnType.DATETIME, "Created On", "Créé le"),
        _system(
            name, "createdby", ColumnType.LOOKUP, "Created By", "Créé par", targets=("systemuser",)
        ),
        _system(name, "modifiedon", ColumnType.DATETIME, "Modified On", "Modifié le"),
        _system(
            name,
            "modifiedby",
            ColumnType.LOOKUP,
            "Modified By",
            "Modifié par",
            targets=("systemuser",),
        ),
        _system(
            name,
            "versionnumber",
            ColumnType.INTEGER,
            "Version Number",
            "Numéro de version",
            format="bigint",
        ),
    ]
    if table.ownership is Ownership.USER:
        columns += [
            _system(
                name,
                "ownerid",
                ColumnType.OWNER,
                "Owner",
                "Propriétaire",
                targets=("systemuser", "team"),
                valid_for_create=True,
                # Writable: an Update that changes it runs as an Assign (see crud.update).
                valid_for_update=True,
                required=RequiredLevel.REQUIRED,
            ),
            _system(
                name,
                "owningbusinessunit",
                ColumnType.LOOKUP,
                "Owning Business Unit",
                "Division propriétaire",
                targets=("businessunit",),
            ),
        ]
    return columns


def state_columns(table: str) -> list[ColumnMetadata]:
    """Status and Status Reason as every table gets them unless it declares its own."""
    return [
        ColumnMetadata(
            table=table,
            name="statecode",
            type=ColumnType.STATE,
            label=Label("Status", "Statut"),
            options=(
                OptionMetadata(0, Label("Active", "Actif"), default_status=1),
                OptionMetadata(1, Label("Inactive", "Inactif"), default_status=2),
            ),
            valid_for_create=False,
        ),
        ColumnMetadata(
            table=table,
            name="statuscode",
            type=ColumnType.STATUS,
            label=Label("Status Reason", "Raison du statut"),
            options=(
                OptionMetadata(1, Label("Active", "Actif"), state=0),
                OptionMetadata(2, Label("Inactive", "Inactif"), state=1),
            ),
        ),
    ]


# --- reading TOML ------------------------------------------------------------------------


def _label(value: Any, where: str) -> Label:
    if isinstance(value, str):
        return Label(value)
    if isinstance(value, list) and 1 <= len(value) <= 2 and all(isinstance(v, str) for v in value):
        return Label(*value)
    raise errors.INVALID_DEFINITION(kind="label", name=where, reason="expected [English, French]")


def _options(kind: ColumnType, raw: Iterable[Any], where: str) -> tuple[OptionMetadata, ...]:
    found = []
    for item in raw:
        if not isinstance(item, list) or len(item) < 2 or not isinstance(item[0], int):
            raise errors.INVALID_DEFINITION(
                kind="option", name=where, reason=f"expected [value, English, French], got {item!r}"
            )
        value, english, *rest = item
        french = rest[0] if rest and isinstance(rest[0], str) else None
        extra = rest[1] if len(rest) > 1 else None
        found.append(
            OptionMetadata(
                value=value,
                label=Label(english, french),
                state=extra if kind is ColumnType.STATUS else None,
                default_status=extra if kind is ColumnType.STATE else None,
            )
        )
    return tuple(found)


_COLUMN_KEYS = {
    "type",
    "label",
    "required",
    "max_length",
    "precision",
    "min",
    "max",
    "targets",
    "format",
    "options",
    "composed_of",
    "indexed",
    "default",
    "create",
    "update",
    "description",
}


def _column(
    table: str, name: str, raw: Mapping[str, Any], position: int, custom: bool
) -> ColumnMetadata:
    where = f"{table}.{name}"
    unknown = set(raw) - _COLUMN_KEYS
    if unknown:
        raise errors.INVALID_DEFINITION(
            kind="column", name=where, reason=f"unknown settings {sorted(unknown)}"
        )
    try:
        kind = ColumnType(raw["type"])
    except (KeyError, ValueError):
        raise errors.INVALID_DEFINITION(
            kind="column", name=where, reason=f"type must be one of {[t.value for t in ColumnType]}"
        ) from None
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH.get(kind))
    return ColumnMetadata(
        table=table,
        name=name,
        type=kind,
        label=_label(raw.get("label", name), where),
        required=RequiredLevel(raw.get("required", "none")),
        max_length=max_length,
        precision=raw.get(
            "precision", 2 if kind in (ColumnType.DECIMAL, ColumnType.MONEY) else None
        ),
        min_value=_number(raw.get("min")),
        max_value=_number(raw.get("max")),
        targets=tuple(
            raw.get("targets", ("account", "contact") if kind is ColumnType.CUSTOMER else ())
        ),
        format=raw.get("format"),
        options=_options(kind, raw.get("options", ()), where),
        composed_of=tuple(raw.get("composed_of", ())),
        default=raw.get("default"),
        valid_for_create=raw.get("create", not raw.get("composed_of")),
        valid_for_update=raw.get("update", not raw.get("composed_of")),
        is_custom=custom,
        description=_label(raw["description"], where) if "description" in raw else None,
        position=position,
        indexed=raw.get("indexed", False),
    )


def _number(value: Any) -> int | Decimal | None:
    if value is None or isinstance(value, int):
        return value
    return Decimal(str(value))


def _table(name: str, raw: Mapping[str, Any], custom: bool) -> TableMetadata:
    label = _label(raw.get("label", name), name)
    table = TableMetadata(
        name=name,
        entity_set=raw.get("entity_set", name + "s"),
        label=label,
        plural_label=_label(
            raw.get("plural", [label.en + "s", (label.fr or label.en) + "s"]), name
        ),
        primary_key=raw.get("primary_key", name + "id"),
        primary_name=raw.get("primary_name", "name"),
        ownership=Ownership(raw.get("ownership", "user")),
        object_type_code=raw.get("otc"),
        # A key is its columns ([["name"]]) or, named, {name = "…", columns = […]}.
        keys=KeyMetadata.from_stored(name, raw.get("keys", ())),
        indexes=tuple(tuple(key) for key in raw.get("indexes", ())),
        is_custom=custom,
        published=False,
        deletable=raw.get("deletable", True),
        schema=raw.get("schema_name"),
        description=_label(raw["description"], name) if "description" in raw else None,
        is_audit_enabled=raw.get("isauditenabled", False),
    )
    declared = [
        _column(name, column_name, column, position, custom)
        for position, (column_name, column) in enumerate(raw.get("columns", {}).items(), start=100)
    ]
    columns = system_columns(table)
    if raw.get("state", True) and not any(c.name == "statecode" for c in declared):
        columns += state_columns(name)
    columns += declared
    table = table.with_columns(columns)
    for key in table.indexes:
        unknown = [column for column in key if column not in table.columns]
        if not key or unknown:
            raise errors.INVALID_DEFINITION(
                kind="table", name=name,
                reason=f"the index {list(key)} names no column or unknown ones {unknown}",
            )  # fmt: skip
    return table


def _relationships(raw: Mapping[str, Any], custom: bool) -> list[RelationshipMetadata]:
    return [
        RelationshipMetadata(
            name=name,
            referenced_table=item["referenced"],
            referencing_table=item["referencing"],
            referencing_column=item["column"],
            cascade_delete=CascadeType(item.get("cascade", "removelink")),
            is_custom=custom,
            published=False,
        )
        for name, item in raw.items()
    ]


def _records(solution: str, raw: Mapping[str, Any], maps: Mapping[str, Any]) -> list[Entity]:
    found = []
    for table, items in raw.items():
        for index, values in enumerate(items):
            values = {column: _record_value(solution, value) for column, value in values.items()}
            explicit = values.pop("id", None)
            key = values.pop("key", str(index))
            identifier = uuid.UUID(explicit) if explicit else record_id(solution, table, key)
            found.append(Entity(table, identifier, values))
    for source, targets in maps.items():
        for target, attributes in targets.items():
            map_id = record_id("entitymap", source, target)
            found.append(
                Entity("entitymap", map_id, sourceentityname=source, targetentityname=target)
            )
            for pair in attributes:
                source_column, target_column = (pair, pair) if isinstance(pair, str) else pair
                found.append(
                    Entity(
                        "attributemap",
                        record_id("attributemap", source, target, target_column),
                        entitymapid=map_id,
                        sourceattributename=source_column,
                        targetattributename=target_column,
                        issystem=True,
                    )
                )
    return found


def _processes(solution: str, raw: Mapping[str, Any]) -> list[Entity]:
    """``[processes.INSTANCE_TABLE]``: a process, its stages and their steps, as records."""
    found = []
    for unique_name, item in raw.items():
        try:
            name = _label(item["name"], unique_name)
            process = Entity(
                "workflow", record_id(solution, "workflow", unique_name),
                name=name.en, name_fr=name.fr, uniquename=unique_name,
                primaryentity=item["stages"][0]["table"],
                description=item.get("description"),
            )  # fmt: skip
            if item.get("activated", False):
                process.update(statecode=1, statuscode=2)
            found.append(process)
            for stage_rank, stage in enumerate(item["stages"]):
                stage_id = record_id(solution, "processstage", unique_name, stage["key"])
                name = _label(stage["name"], unique_name)
                hint = _label(stage["entry_hint"], unique_name) if "entry_hint" in stage else None
                found.append(Entity(
                    "processstage", stage_id, processid=process.to_reference(),
                    stagename=name.en, stagename_fr=name.fr, rank=stage_rank,
                    primaryentitytypecode=stage["table"], stagecategory=stage.get("category"),
                    entryhint=hint.en if hint else None, entryhint_fr=hint.fr if hint else None,
                ))  # fmt: skip
                for step_rank, (column, *label) in enumerate(stage.get("steps", ())):
                    name = _label(label, unique_name)
                    found.append(Entity(
                        "processstep",
                        record_id(solution, "processstep", unique_name, stage["key"], column),
                        processstageid=EntityReference("processstage", stage_id),
                        attributename=column, label=name.en, label_fr=name.fr, rank=step_rank,
                        isrequired=False,
                    ))  # fmt: skip
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise errors.INVALID_DEFINITION(
                kind="process", name=unique_name, reason=f"{type(error).__name__}: {error}"
            ) from None
    return found


def _record_value(solution: str, value: Any) -> Any:
    """Inline tables ``{ table = "...", key = "..." }`` point at another shipped record."""
    if isinstance(value, dict) and set(value) <= {"table", "key", "solution"}:
        owner = value.get("solution", solution)
        return EntityReference(value["table"], record_id(owner, value["table"], value["key"]))
    return value


def _roles(raw: Mapping[str, Any]) -> list[RoleDefinition]:
    found = []
    for key, item in raw.items():
        grants = []
        for grant in item.get("grants", ()):
            try:
                depth = Depth.parse(str(grant["depth"]))
                for right in grant.get("rights", ()):
                    Right.parse(right)
            except (KeyError, ValueError) as error:
                raise errors.INVALID_DEFINITION(
                    kind="role", name=key, reason=f"bad grant {grant!r}: {error}"
                ) from None
            grants.append(
                Grant(
                    depth=depth,
                    rights=tuple(grant.get("rights", ())),
                    tables=tuple(grant.get("tables", ())),
                    privileges=tuple(grant.get("privileges", ())),
                    since=int(grant.get("since", 1)),
                )
            )
        found.append(
            RoleDefinition(
                key=key,
                name=item.get("name", key),
                description=_label(item["description"], key) if "description" in item else None,
                grants_all=bool(item.get("grants_all", False)),
                grants=tuple(grants),
            )
        )
    return found


def parse_solution(document: Mapping[str, Any], *, custom: bool = False) -> SolutionDefinition:
    head = document.get("solution", {})
    name = head.get("name")
    if not name:
        raise errors.INVALID_DEFINITION(
            kind="solution", name="?", reason="[solution] name is missing"
        )
    return SolutionDefinition(
        name=name,
        version=int(head.get("version", 1)),
        label=_label(head.get("label", name), name),
        tables=tuple(_table(t, raw, custom) for t, raw in document.get("tables", {}).items()),
        relationships=tuple(_relationships(document.get("relationships", {}), custom)),
        records=(
            *_records(name, document.get("records", {}), document.get("maps", {})),
            *_processes(name, document.get("processes", {})),
        ),
        roles=tuple(_roles(document.get("roles", {}))),
        extensions=tuple(
            _column(table, column_name, column, position, custom)
            for table, raw in document.get("extends", {}).items()
            for position, (column_name, column) in enumerate(
                raw.get("columns", {}).items(), start=500
            )
        ),
    )


@functools.cache
def load_solution(package: str, filename: str) -> SolutionDefinition:
    """Read a solution file shipped inside a Python package (once per process: opening an
    organization checks the shipped versions, and parsing the TOML took 50 ms each time)."""
    text = (resources.files(package) / filename).read_text(encoding="utf-8")
    return parse_solution(tomllib.loads(text))


SolutionLoader = Callable[[], SolutionDefinition]
