"""Read-only table metadata as Dataverse serves it: ``EntityDefinitions`` and their
``Attributes`` — what client libraries ask before anything else (CLIENTS.md: Microsoft's SDK
resolves a table's entity set with ``EntityDefinitions?$filter=LogicalName eq 'lead'``, and
reads its choice labels with ``…/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata``).

The metadata comes from RetrieveAllEntities, run as the signed-in user; this module only lays
it out: labels in ``LocalizedLabels`` for English (1033) and French (1036) and
``UserLocalizedLabel`` in the caller's language, ``$select``, a ``$filter`` of comparisons,
and ``$expand=OptionSet`` on choice columns.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform import ConditionExpression, FilterExpression
from leadgate.platform.customization.messages import RetrieveAllEntitiesRequest
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Label
from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.types import ColumnType, Language, Ownership, RequiredLevel
from leadgate.web.actions import NAMESPACE
from leadgate.web.auth import SignedInRoute
from leadgate.web.errors import bad_query
from leadgate.web.odata_filter import parse_filter
from leadgate.web.resources import API_PATH, api_root, parse_guid
from leadgate.web.responses import json_response
from leadgate.web.routes import SignedIn

__all__ = [
    "GLOBAL_CHOICES",
    "all_metadata",
    "attribute_definition",
    "definition_table",
    "entity_definition",
    "filter_rows",
    "global_choice",
    "metadata_id",
    "metadata_query",
    "option_set",
    "router",
    "select_rows",
]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

LANGUAGE_CODES = {Language.ENGLISH: 1033, Language.FRENCH: 1036}
# Metadata ids are stable: derived from the names, the same in every organization.
_NAMESPACE = uuid.UUID("6c1f9a52-3b7e-4d21-9a0e-5f4b2c8d7e13")
# Dataverse's attribute types: AttributeType, and the metadata type a cast segment names.
_TYPES = {
    ColumnType.STRING: ("String", "StringAttributeMetadata"),
    ColumnType.MEMO: ("Memo", "MemoAttributeMetadata"),
    ColumnType.INTEGER: ("Integer", "IntegerAttributeMetadata"),
    ColumnType.DECIMAL: ("Decimal", "DecimalAttributeMetadata"),
    ColumnType.MONEY: ("Money", "MoneyAttributeMetadata"),
    ColumnType.BOOLEAN: ("Boolean", "BooleanAttributeMetadata"),
    ColumnType.DATETIME: ("DateTime", "DateTimeAttributeMetadata"),
    ColumnType.CHOICE: ("Picklist", "PicklistAttributeMetadata"),
    ColumnType.STATE: ("State", "StateAttributeMetadata"),
    ColumnType.STATUS: ("Status", "StatusAttributeMetadata"),
    ColumnType.LOOKUP: ("Lookup", "LookupAttributeMetadata"),
    ColumnType.CUSTOMER: ("Customer", "LookupAttributeMetadata"),
    ColumnType.OWNER: ("Owner", "LookupAttributeMetadata"),
    ColumnType.UNIQUEIDENTIFIER: ("Uniqueidentifier", "UniqueIdentifierAttributeMetadata"),
}
_REQUIRED = {
    RequiredLevel.NONE: "None",
    RequiredLevel.RECOMMENDED: "Recommended",
    RequiredLevel.REQUIRED: "ApplicationRequired",
}
_OWNERSHIP = {
    Ownership.USER: "UserOwned",
    Ownership.BUSINESS_UNIT: "BusinessOwned",
    Ownership.ORGANIZATION: "OrganizationOwned",
    Ownership.NONE: "None",
}
# The choices Dataverse declares global: the qualification choices lead and opportunity share.
# leadgate keeps values per column; each is served as one set, the lead's (docs/metadata.md).
GLOBAL_CHOICES = ("budgetstatus", "need", "purchaseprocess", "purchasetimeframe")
GLOBAL_SOURCE = "lead"
_KEY = re.compile(r"LogicalName='(?P<name>[^']*)'\Z|(?P<id>[0-9A-Fa-f-]{36})\Z")
_EXPAND = re.compile(r"(?:OptionSet|GlobalOptionSet)(?:\(\$select=[A-Za-z,]+\))?\Z")


def metadata_id(*names: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(names)))


def _label(label: Label, language: Language) -> dict[str, Any]:
    localized = [
        {"Label": label.in_language(code), "LanguageCode": number, "IsManaged": True}
        for code, number in LANGUAGE_CODES.items()
    ]
    user = next(item for item in localized if item["LanguageCode"] == LANGUAGE_CODES[language])
    return {"LocalizedLabels": localized, "UserLocalizedLabel": user}


def entity_definition(table: TableMetadata, language: Language) -> dict[str, Any]:
    """A table as Dataverse's EntityMetadata."""
    return {
        "@odata.type": f"#{NAMESPACE}EntityMetadata",
        "MetadataId": metadata_id(table.name),
        "LogicalName": table.name,
        "SchemaName": table.schema_name,
        "EntitySetName": table.entity_set,
        "LogicalCollectionName": table.entity_set,
        "PrimaryIdAttribute": table.primary_key,
        "PrimaryNameAttribute": table.primary_name,
        "PrimaryImageAttribute": None,  # leadgate keeps no images; dataverse-api asks for it
        "ObjectTypeCode": table.object_type_code,
        "OwnershipType": _OWNERSHIP[table.ownership],
        "IsCustomEntity": table.is_custom,
        "IsActivity": False,
        "HasActivities": False,  # leadgate keeps no activities or notes (dataverse-api reads
        "HasNotes": False,  # both in get_entity_definition)
        "IsPrivate": False,
        "IsAuditEnabled": {"Value": table.is_audit_enabled},
        "DisplayName": _label(table.label, language),
        "DisplayCollectionName": _label(table.plural_label, language),
        "Description": _label(table.description or Label(""), language),
    }


def option_set(column: ColumnMetadata, language: Language) -> dict[str, Any]:
    """A choice column's values as Dataverse's OptionSetMetadata (global ones by their name)."""
    options = []
    for option in column.options:
        if not option.published:
            continue
        found: dict[str, Any] = {"Value": option.value, "Label": _label(option.label, language)}
        if column.type is ColumnType.STATUS:
            found["State"] = option.state
        if column.type is ColumnType.STATE:
            found["DefaultStatus"] = option.default_status
        options.append(found)
    is_global = column.type is ColumnType.CHOICE and column.name in GLOBAL_CHOICES
    return {
        "@odata.type": f"#{NAMESPACE}OptionSetMetadata",
        "MetadataId": (
            metadata_id("globaloptionsets", column.name)
            if is_global
            else metadata_id(column.table, column.name, "options")
        ),
        "Name": column.name if is_global else f"{column.table}_{column.name}",
        "IsGlobal": is_global,
        "OptionSetType": _TYPES[column.type][0],
        "DisplayName": _label(column.label, language),
        "Options": options,
    }


def global_choice(metadata: MetadataSet, name: str) -> ColumnMetadata | None:
    """The column whose values a global choice serves: the lead's (the maps copy them on to
    the opportunity, REFERENCE §2)."""
    table = metadata.tables.get(GLOBAL_SOURCE)
    column = table.columns.get(name) if table is not None and name in GLOBAL_CHOICES else None
    if column is None or not column.published or column.type is not ColumnType.CHOICE:
        return None
    return column


def attribute_definition(
    table: TableMetadata,
    column: ColumnMetadata,
    language: Language,
    *,
    expand: str | None = None,
    metadata: MetadataSet | None = None,
) -> dict[str, Any]:
    """A column as Dataverse's AttributeMetadata (of the derived type its kind has);
    ``expand``: ``OptionSet`` or ``GlobalOptionSet`` (read from ``metadata``)."""
    kind, cast = _TYPES[column.type]
    found: dict[str, Any] = {
        "@odata.type": f"#{NAMESPACE}{cast}",
        "MetadataId": metadata_id(table.name, column.name),
        "LogicalName": column.name,
        "SchemaName": column.name,
        "EntityLogicalName": table.name,
        "AttributeType": kind,
        "AttributeTypeName": {"Value": f"{kind}Type"},
        "DisplayName": _label(column.label, language),
        "Description": _label(column.description or Label(""), language),
        "RequiredLevel": {"Value": _REQUIRED[column.required]},
        "IsPrimaryId": column.name == table.primary_key,
        "IsPrimaryName": column.name == table.primary_name,
        "IsCustomAttribute": column.is_custom,
        "IsValidForCreate": column.valid_for_create,
        "IsValidForUpdate": column.valid_for_update,
        "IsValidForRead": True,
        "AttributeOf": None,  # a column that only shows another's value: leadgate has none
    }
    if column.max_length is not None:
        found["MaxLength"] = column.max_length
    if column.targets:
        found["Targets"] = list(column.targets)
    if column.type.is_choice and expand == "OptionSet":
        found["OptionSet"] = option_set(column, language)
    if column.type.is_choice and expand == "GlobalOptionSet" and metadata is not None:
        chosen = global_choice(metadata, column.name) if column.type is ColumnType.CHOICE else None
        found["GlobalOptionSet"] = option_set(chosen, language) if chosen else None
    return found


# --- $select and $filter of metadata ------------------------------------------------------


def select_rows(
    rows: Iterable[dict[str, Any]], select: str | None, kind: str = "EntityMetadata"
) -> list[dict[str, Any]]:
    """``$select``: the properties named, with the type and id Dataverse always gives."""
    rows = list(rows)
    if select is None:
        return rows
    names = [name.strip() for name in select.split(",") if name.strip()]
    known = set().union(*(row.keys() for row in rows)) if rows else set(names)
    unknown = [name for name in names if name not in known and "OptionSet" not in name]
    if unknown:
        raise errors.UNKNOWN_PROPERTY(name=unknown[0], table=kind)
    kept = {"@odata.type", "MetadataId", "OptionSet", "GlobalOptionSet", *names}
    return [{key: value for key, value in row.items() if key in kept} for row in rows]


def _holds(condition: ConditionExpression, row: Mapping[str, Any]) -> bool:
    value = row.get(condition.column)
    wanted = [str(item).lower() for item in condition.values]
    text = str(value).lower() if value is not None else None
    tests: dict[str, Callable[[], bool]] = {
        "eq": lambda: text == wanted[0],
        "ne": lambda: text != wanted[0],
        "in": lambda: text in wanted,
        "not_in": lambda: text not in wanted,
        "null": lambda: value is None,
        "not_null": lambda: value is not None,
    }
    test = tests.get(condition.operator)
    if test is None:
        raise bad_query(
            N_("metadata can be filtered with eq, ne, in, and, or and not only, not {operator}."),
            operator=condition.operator,
        )
    return test()


def _matches(criteria: FilterExpression, row: Mapping[str, Any]) -> bool:
    results = [_holds(condition, row) for condition in criteria.conditions]
    results += [_matches(nested, row) for nested in criteria.filters]
    return all(results) if criteria.operator == "and" else any(results)


def filter_rows(
    rows: list[dict[str, Any]], text: str | None, kind: str = "EntityMetadata"
) -> list[dict[str, Any]]:
    """``$filter`` of comparisons, read on the rows (metadata is not in SQL tables)."""
    if text is None:
        return rows
    known = set().union(*(row.keys() for row in rows)) if rows else set()

    def resolve(name: str) -> str:
        if name not in known:
            raise errors.UNKNOWN_PROPERTY(name=name, table=kind)
        return name

    criteria = parse_filter(text, resolve)
    return [row for row in rows if _matches(criteria, row)]


def metadata_query(request: Request, allowed: frozenset[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if not name.startswith("$"):
            continue
        if name not in allowed or name in found:
            raise bad_query(N_("the query option '{option}' cannot be used here."), option=name)
        found[name] = value
    expand = found.get("$expand")
    if expand is not None and not _EXPAND.match(expand.replace(" ", "")):
        raise bad_query(
            N_("metadata expands OptionSet only (with its own $select), not {expand}."),
            expand=expand[:80],
        )
    return found


# --- routes ---------------------------------------------------------------------------------


def all_metadata(session: Any) -> MetadataSet:
    return session.service.execute(RetrieveAllEntitiesRequest()).metadata


def definition_table(metadata: MetadataSet, key: str) -> TableMetadata:
    found = _KEY.match(key)
    if found is None:
        raise errors.RESOURCE_NOT_FOUND(segment=f"EntityDefinitions({key[:80]})")
    name = found.group("name")
    if name is None:
        wanted = str(parse_guid(found.group("id")) or "")
        name = next((t.name for t in metadata.tables.values()
                     if metadata_id(t.name) == wanted), "")  # fmt: skip
    table = metadata.tables.get(name)
    if table is None:
        raise errors.RECORD_NOT_FOUND(table="EntityDefinitions", id=key[:80])
    return table


@router.get("/EntityDefinitions")
def entity_definitions(request: Request, session: SignedIn) -> Response:
    query = metadata_query(request, frozenset({"$select", "$filter"}))
    tables = all_metadata(session).tables.values()
    rows = [entity_definition(table, session.language) for table in tables if table.published]
    rows = select_rows(filter_rows(rows, query.get("$filter")), query.get("$select"))
    context = f"{api_root(request)}/$metadata#EntityDefinitions"
    return json_response({"@odata.context": context, "value": rows})


@router.get("/EntityDefinitions({key})")
def entity_definition_by_key(request: Request, key: str, session: SignedIn) -> Response:
    query = metadata_query(request, frozenset({"$select"}))
    table = definition_table(all_metadata(session), key)
    (row,) = select_rows([entity_definition(table, session.language)], query.get("$select"))
    context = f"{api_root(request)}/$metadata#EntityDefinitions/$entity"
    return json_response({"@odata.context": context, **row})


@router.get("/EntityDefinitions({key})/Attributes")
@router.get("/EntityDefinitions({key})/Attributes/{cast}")
def attributes(request: Request, key: str, session: SignedIn, cast: str | None = None) -> Response:
    query = metadata_query(request, frozenset({"$select", "$filter", "$expand"}))
    metadata = all_metadata(session)
    table = definition_table(metadata, key)
    columns = [column for column in table.columns.values() if column.published]
    if cast is not None:
        kinds = {name for _kind, name in _TYPES.values()}
        wanted = cast.removeprefix(NAMESPACE)
        if wanted not in kinds:
            raise errors.RESOURCE_NOT_FOUND(segment=cast[:80])
        columns = [column for column in columns if _TYPES[column.type][1] == wanted]
    expand = query.get("$expand")
    if expand is not None:
        expand = "GlobalOptionSet" if expand.startswith("GlobalOptionSet") else "OptionSet"
    rows = [attribute_definition(table, column, session.language, expand=expand,
                                 metadata=metadata) for column in columns]  # fmt: skip
    kind = "AttributeMetadata"
    rows = select_rows(filter_rows(rows, query.get("$filter"), kind), query.get("$select"), kind)
    context = f"{api_root(request)}/$metadata#EntityDefinitions('{table.name}')/Attributes"
    return json_response({"@odata.context": context, "value": rows})


@router.get("/EntityDefinitions({key})/Attributes({attribute})")
def attribute_by_key(request: Request, key: str, attribute: str, session: SignedIn) -> Response:
    """One column, by ``LogicalName='subject'`` or its MetadataId (the SDK's
    ``tables.get_column``)."""
    query = metadata_query(request, frozenset({"$select", "$expand"}))
    metadata = all_metadata(session)
    table = definition_table(metadata, key)
    found = _KEY.match(attribute)
    name = found.group("name") if found else None
    if found is not None and name is None:
        wanted = str(parse_guid(found.group("id")) or "")
        name = next((column.name for column in table.columns.values()
                     if metadata_id(table.name, column.name) == wanted), None)  # fmt: skip
    column = table.columns.get(name or "")
    if column is None or not column.published:
        raise errors.RECORD_NOT_FOUND(table="Attributes", id=attribute[:80])
    expand = query.get("$expand")
    if expand is not None:
        expand = "GlobalOptionSet" if expand.startswith("GlobalOptionSet") else "OptionSet"
    row = attribute_definition(table, column, session.language, expand=expand, metadata=metadata)
    (row,) = select_rows([row], query.get("$select"), "AttributeMetadata")
    context = f"{api_root(request)}/$metadata#EntityDefinitions('{table.name}')/Attributes/$entity"
    return json_response({"@odata.context": context, **row})
