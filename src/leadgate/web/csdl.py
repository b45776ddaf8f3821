"""``GET /api/data/v9.2/$metadata``: the organization's CSDL document (OData v4 CSDL XML), as
Dataverse lays it out — what metadata-driven clients such as python-odata read first.

Written from the published metadata (customizations included) and from the registries of
the actions and functions the Web API routes (web/operations.py): namespace
``Microsoft.Dynamics.CRM`` alias ``mscrm``, the abstract ``crmbaseentity`` every table's type
derives from, lookups as ``_x_value`` properties with their navigation properties
(platform/engine/metadata/navigation.py names them), choices as ``Edm.Int32``,
``Core.Computed`` on the columns the platform sets, alternate keys as Dataverse annotates
them, the ``System`` container.

A document is built once per metadata snapshot (a new one comes with every publish, see
``unit_of_work.Snapshot``) and kept while the snapshot lives. Reading it needs a token, as in
Dataverse: python-odata sends its session's headers with the request (docs/metadata.md).
"""

from __future__ import annotations

import collections
import hashlib
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from starlette.responses import Response

from leadgate.platform.engine.metadata.model import ColumnMetadata, MetadataSet, TableMetadata
from leadgate.platform.engine.metadata.navigation import Link, links
from leadgate.platform.engine.types import ColumnType
from leadgate.web.actions import ACTIONS, COLLECTION_ACTIONS
from leadgate.web.auth import SignedInRoute
from leadgate.web.bound_functions import BOUND_FUNCTIONS
from leadgate.web.operations import ENTITY, FUNCTIONS, ComplexType, Signature
from leadgate.web.relationship_definitions import alternate_keys
from leadgate.web.resources import API_PATH, lookup_property
from leadgate.web.responses import ODATA_HEADERS
from leadgate.web.routes import SignedIn

__all__ = [
    "CONTENT_TYPE",
    "EDM",
    "EDMX",
    "Document",
    "build_document",
    "csdl_document",
    "edm_type",
    "router",
]

router = APIRouter(prefix=API_PATH, route_class=SignedInRoute)

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
NAMESPACE = "Microsoft.Dynamics.CRM"
ALIAS = "mscrm"
CONTENT_TYPE = "application/xml"
CORE = "Org.OData.Core.V1"
KEYS = "OData.Community.Keys.V1"
# The vocabularies whose terms the document uses, as Dataverse references them.
VOCABULARIES = {
    CORE: "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml",
    KEYS: "https://raw.githubusercontent.com/odata/vocabularies/master/OData.Community.Keys.V1.xml",
}
BINDING_PARAMETER = "bindingParameter"  # python-odata binds only this name (CLIENTS.md §3)
_TYPES = {
    ColumnType.STRING: "Edm.String",
    ColumnType.MEMO: "Edm.String",
    ColumnType.INTEGER: "Edm.Int32",
    ColumnType.DECIMAL: "Edm.Decimal",
    ColumnType.MONEY: "Edm.Decimal",
    ColumnType.BOOLEAN: "Edm.Boolean",
    ColumnType.DATETIME: "Edm.DateTimeOffset",
    ColumnType.CHOICE: "Edm.Int32",
    ColumnType.STATE: "Edm.Int32",
    ColumnType.STATUS: "Edm.Int32",
    ColumnType.LOOKUP: "Edm.Guid",
    ColumnType.CUSTOMER: "Edm.Guid",
    ColumnType.OWNER: "Edm.Guid",
    ColumnType.UNIQUEIDENTIFIER: "Edm.Guid",
}


def edm_type(column: ColumnMetadata) -> str:
    """The Edm type of a column's property (a lookup's ``_x_value`` holds a Guid)."""
    if column.type is ColumnType.INTEGER and column.format == "bigint":
        return "Edm.Int64"
    if column.type is ColumnType.DATETIME and column.format == "dateonly":
        return "Edm.Date"
    return _TYPES[column.type]


def _is_computed(column: ColumnMetadata) -> bool:
    """What a create may not give: what the platform sets (createdon, versionnumber,
    fullname, statecode…) and every lookup's ``_x_value``, read-only as in Dataverse (a
    lookup is set through its navigation property, ``x@odata.bind``). python-odata, which
    sends every other property (nulls included), leaves these out of its bodies."""
    return column.is_computed or not column.valid_for_create or column.type.is_reference


def _element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _property(parent: ET.Element, table: TableMetadata, column: ColumnMetadata) -> None:
    name = lookup_property(column) if column.type.is_reference else column.name
    attributes = {"Name": name, "Type": edm_type(column)}
    if column.name == table.primary_key:
        attributes["Nullable"] = "false"
    if column.type in (ColumnType.STRING, ColumnType.MEMO) and column.max_length:
        attributes["MaxLength"] = str(column.max_length)
    if column.type in (ColumnType.DECIMAL, ColumnType.MONEY):
        attributes["Scale"] = "variable"
    found = _element(parent, "Property", **attributes)
    if _is_computed(column):
        _element(found, "Annotation", Term=f"{CORE}.Computed", Bool="true")


def _alternate_keys_annotation(parent: ET.Element, table: TableMetadata) -> None:
    """Dataverse's ``OData.Community.Keys.V1.AlternateKeys``: each key's columns, by the
    name a URL uses (``accounts(accountnumber='A-1')``) and the property that holds it."""
    keys = alternate_keys(table)
    if not keys:
        return
    annotation = _element(parent, "Annotation", Term=f"{KEYS}.AlternateKeys")
    collection = _element(annotation, "Collection")
    for _name, columns in keys:
        record = _element(collection, "Record", Type=f"{KEYS}.AlternateKey")
        value = _element(_element(record, "PropertyValue", Property="Key"), "Collection")
        for name in columns:
            column = table.columns.get(name)
            path = lookup_property(column) if column and column.type.is_reference else name
            ref = _element(value, "Record", Type=f"{KEYS}.PropertyRef")
            _element(ref, "PropertyValue", Property="Alias", String=name)
            _element(ref, "PropertyValue", Property="Name", PropertyPath=path)


def _entity_type(
    schema: ET.Element, table: TableMetadata, outgoing: Iterable[Link], incoming: Iterable[Link]
) -> None:
    entity = _element(schema, "EntityType", Name=table.name, BaseType=f"{ALIAS}.crmbaseentity")
    _element(_element(entity, "Key"), "PropertyRef", Name=table.primary_key)
    for column in table.columns.values():
        if column.published:
            _property(entity, table, column)
    for link in outgoing:
        navigation = _element(
            entity, "NavigationProperty", Name=link.referencing_navigation,
            Type=f"{ALIAS}.{link.referenced.name}", Partner=link.referenced_navigation,
        )  # fmt: skip
        _element(navigation, "ReferentialConstraint", Property=lookup_property(link.column),
                 ReferencedProperty=link.referenced.primary_key)  # fmt: skip
    for link in incoming:
        _element(entity, "NavigationProperty", Name=link.referenced_navigation,
                 Type=f"Collection({ALIAS}.{link.referencing.name})",
                 Partner=link.referencing_navigation)  # fmt: skip
    _alternate_keys_annotation(entity, table)


def _complex_type(
    schema: ET.Element, kind: ComplexType, tables: Mapping[str, TableMetadata]
) -> None:
    attributes = {"Name": kind.name, **({"OpenType": "true"} if kind.open else {})}
    element = _element(schema, "ComplexType", **attributes)
    for name, type_name in kind.properties.items():
        inner = type_name.removeprefix("Collection(").removesuffix(")")
        # A record in a structured value is a navigation property (CSDL allows no entity
        # typed structural property).
        is_entity = inner == ENTITY or inner.removeprefix(f"{ALIAS}.") in tables
        _element(element, "NavigationProperty" if is_entity else "Property",
                 Name=name, Type=type_name)  # fmt: skip


def _operation(
    schema: ET.Element, tag: str, name: str, signature: Signature, binding: str | None
) -> None:
    attributes = {"Name": name}
    if binding is not None:
        attributes["IsBound"] = "true"
    operation = _element(schema, tag, **attributes)
    if binding is not None:
        _element(operation, "Parameter", Name=BINDING_PARAMETER, Type=binding, Nullable="false")
    for parameter in signature.parameters:
        found = {"Name": parameter.name, "Type": parameter.type_name}
        if parameter.required:
            found["Nullable"] = "false"
        _element(operation, "Parameter", **found)
    if signature.return_type is not None:
        _element(operation, "ReturnType", Type=signature.return_type, Nullable="false")


def _operations(schema: ET.Element, tables: Mapping[str, TableMetadata]) -> list[str]:
    """Every action and function of the registries; returns the unbound functions' names."""
    signatures: list[Signature] = []
    for name, action in ACTIONS.items():
        if action.table in tables:
            _operation(schema, "Action", name, action.signature, f"{ALIAS}.{action.table}")
            signatures.append(action.signature)
    for name, bulk in COLLECTION_ACTIONS.items():
        # One overload per table: python-odata hangs a collection-bound action on the class
        # of its binding type, and crmbaseentity has no entity set to post to.
        for table in tables:
            _operation(schema, "Action", name, bulk.signature, f"Collection({ALIAS}.{table})")
        signatures.append(bulk.signature)
    for name, function in BOUND_FUNCTIONS.items():
        if function.table in tables:
            binding = f"{ALIAS}.{function.table}"
            _operation(schema, "Function", name, function.signature, binding)
            signatures.append(function.signature)
    for name, signature in FUNCTIONS.items():
        _operation(schema, "Function", name, signature, None)
        signatures.append(signature)
    declared: dict[str, ComplexType] = {}
    for signature in signatures:
        for kind in signature.used_types():
            if declared.setdefault(kind.name, kind) is kind:
                continue
            assert declared[kind.name] == kind, f"two complex types named {kind.name}"
    for kind in sorted(declared.values(), key=lambda kind: kind.name):
        _complex_type(schema, kind, tables)
    return list(FUNCTIONS)


def build_document(metadata: MetadataSet) -> bytes:
    """The CSDL XML of the published metadata, UTF-8."""
    tables = {name: table for name, table in sorted(metadata.tables.items()) if table.published}
    every = links(metadata)
    outgoing: dict[str, list[Link]] = collections.defaultdict(list)
    incoming: dict[str, list[Link]] = collections.defaultdict(list)
    for link in every:
        outgoing[link.referencing.name].append(link)
        incoming[link.referenced.name].append(link)
    root = ET.Element("edmx:Edmx", {"Version": "4.0", "xmlns:edmx": EDMX})
    for namespace, uri in VOCABULARIES.items():
        reference = _element(root, "edmx:Reference", Uri=uri)
        _element(reference, "edmx:Include", Namespace=namespace, Alias=namespace.split(".")[-2])
    services = _element(root, "edmx:DataServices")
    schema = _element(services, "Schema", Namespace=NAMESPACE, Alias=ALIAS, xmlns=EDM)
    _element(schema, "EntityType", Name="crmbaseentity", Abstract="true")
    for table in tables.values():
        _entity_type(schema, table, outgoing[table.name], incoming[table.name])
    unbound = _operations(schema, tables)
    container = _element(schema, "EntityContainer", Name="System")
    for table in tables.values():
        entity_set = _element(container, "EntitySet", Name=table.entity_set,
                              EntityType=f"{NAMESPACE}.{table.name}")  # fmt: skip
        for link in outgoing[table.name]:
            _element(entity_set, "NavigationPropertyBinding", Path=link.referencing_navigation,
                     Target=link.referenced.entity_set)  # fmt: skip
        for link in incoming[table.name]:
            _element(entity_set, "NavigationPropertyBinding", Path=link.referenced_navigation,
                     Target=link.referencing.entity_set)  # fmt: skip
    for name in unbound:
        _element(container, "FunctionImport", Name=name, Function=f"{NAMESPACE}.{name}",
                 IncludeInServiceDocument="false")  # fmt: skip
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class Document:
    """A built document and its entity tag (the same bytes, the same tag, in any process)."""

    body: bytes
    etag: str


# The documents of the snapshots served last: a snapshot's MetadataSet is new at every
# publish and shared while the metadata stays the same, so it names the document.
_DOCUMENTS: collections.OrderedDict[int, tuple[weakref.ref[MetadataSet], Document]] = (
    collections.OrderedDict()
)
_DOCUMENTS_SIZE = 8
_LOCK = threading.Lock()


def csdl_document(metadata: MetadataSet) -> Document:
    """The document of ``metadata``, built on first use."""
    key = id(metadata)
    with _LOCK:
        found = _DOCUMENTS.get(key)
        if found is not None and found[0]() is metadata:
            _DOCUMENTS.move_to_end(key)
            return found[1]
    body = build_document(metadata)
    document = Document(body, f'W/"{hashlib.sha256(body).hexdigest()[:32]}"')
    with _LOCK:
        _DOCUMENTS[key] = (weakref.ref(metadata), document)
        _DOCUMENTS.move_to_end(key)
        while len(_DOCUMENTS) > _DOCUMENTS_SIZE:
            _DOCUMENTS.popitem(last=False)
    return document


@router.get("/$metadata")
def metadata_document(request: Request, session: SignedIn) -> Response:
    """The CSDL document of the organization's published metadata; 304 when the client's
    copy (``If-None-Match``) is still the current one."""
    document = csdl_document(session.metadata())
    headers = {**ODATA_HEADERS, "ETag": document.etag}
    wanted = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if document.etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type=CONTENT_TYPE, headers=headers)
