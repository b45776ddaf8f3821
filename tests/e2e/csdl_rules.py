"""The rules of OData v4.0's CSDL XML (OASIS, Part 3) that a ``$metadata`` document must keep,
checked by hand: no maintained PyPI package validates CSDL v4 XML or ships the OASIS XSDs
(pyodata reads v2 only; odatapy is an alpha parser that checks nothing).

:func:`problems` lists each broken rule, so a failing test says what and where. Checked: the
elements each element may hold and the attributes they need (the XSD's shape, for the
elements leadgate writes), simple identifiers, unique names, every type reference resolves
(by namespace or alias, ``Collection(…)`` unwrapped), keys and referential constraints name
declared properties, partners point back, entity sets and bindings resolve, annotation terms
come from referenced vocabularies, bound operations have their binding parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
PRIMITIVES = {
    f"Edm.{name}"
    for name in [
        "Binary",
        "Boolean",
        "Byte",
        "Date",
        "DateTimeOffset",
        "Decimal",
        "Double",
        "Duration",
        "Guid",
        "Int16",
        "Int32",
        "Int64",
        "SByte",
        "Single",
        "Stream",
        "String",
        "TimeOfDay",
    ]
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}\Z")
# What each element may hold (children) and must carry (attributes), from edm.xsd.
CHILDREN = {
    "Schema": {"EntityType", "ComplexType", "EnumType", "TypeDefinition", "Action", "Function",
               "Term", "EntityContainer", "Annotations", "Annotation"},
    "EntityType": {"Key", "Property", "NavigationProperty", "Annotation"},
    "ComplexType": {"Property", "NavigationProperty", "Annotation"},
    "Key": {"PropertyRef"},
    "Property": {"Annotation"},
    "NavigationProperty": {"ReferentialConstraint", "OnDelete", "Annotation"},
    "Action": {"Parameter", "ReturnType", "Annotation"},
    "Function": {"Parameter", "ReturnType", "Annotation"},
    "Parameter": {"Annotation"},
    "EntityContainer": {"EntitySet", "Singleton", "ActionImport", "FunctionImport", "Annotation"},
    "EntitySet": {"NavigationPropertyBinding", "Annotation"},
    # Annotation values: the expressions leadgate writes.
    "Annotation": {"Collection", "Record", "String", "Bool", "PropertyPath", "Annotation"},
    "Collection": {"Record", "String", "PropertyPath"},
    "Record": {"PropertyValue", "Annotation"},
    "PropertyValue": {"Collection", "Record", "Annotation"},
}  # fmt: skip
REQUIRED = {
    "EntityType": ("Name",), "ComplexType": ("Name",), "Property": ("Name", "Type"),
    "NavigationProperty": ("Name", "Type"), "PropertyRef": ("Name",),
    "ReferentialConstraint": ("Property", "ReferencedProperty"), "Action": ("Name",),
    "Function": ("Name",), "Parameter": ("Name", "Type"), "ReturnType": ("Type",),
    "EntityContainer": ("Name",), "EntitySet": ("Name", "EntityType"),
    "NavigationPropertyBinding": ("Path", "Target"), "FunctionImport": ("Name", "Function"),
    "Annotation": ("Term",),
}  # fmt: skip
FACETS = {
    "MaxLength": re.compile(r"[0-9]+\Z|max\Z"),
    "Precision": re.compile(r"[0-9]+\Z"),
    "Scale": re.compile(r"[0-9]+\Z|variable\Z|floating\Z"),
}
BOOLEAN_ATTRIBUTES = ("Nullable", "Abstract", "OpenType", "IsBound", "IncludeInServiceDocument")


def _local(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def _walk(element: ET.Element, path: str = "") -> Iterator[tuple[ET.Element, str]]:
    here = f"{path}/{_local(element)}[{element.get('Name', '')}]"
    yield element, here
    for child in element:
        yield from _walk(child, here)


def _inner(type_name: str) -> str:
    return type_name.removeprefix("Collection(").removesuffix(")")


def problems(document: bytes) -> list[str]:
    """Every rule the document breaks (empty: it is a valid CSDL document)."""
    found: list[str] = []
    root = ET.fromstring(document)
    if root.tag != f"{{{EDMX}}}Edmx" or root.get("Version") != "4.0":
        return [f"the root is {root.tag} version {root.get('Version')}, not edmx:Edmx 4.0"]
    services = root.findall(f"{{{EDMX}}}DataServices")
    schemas = [s for d in services for s in d.findall(f"{{{EDM}}}Schema")]
    if len(services) != 1 or len(schemas) != 1:
        return [f"{len(services)} DataServices and {len(schemas)} edm Schema, not one of each"]
    (schema,) = schemas
    namespace, alias = schema.get("Namespace", ""), schema.get("Alias", "")
    vocabularies = {
        name
        for include in root.iter(f"{{{EDMX}}}Include")
        for name in (include.get("Namespace"), include.get("Alias"))
        if name
    }
    # The element kinds, by qualified name (namespace and alias).
    declared: dict[str, ET.Element] = {}
    for child in schema:
        name = child.get("Name", "")
        if _local(child) in ("EntityType", "ComplexType", "EnumType", "TypeDefinition"):
            if f"{namespace}.{name}" in declared:
                found.append(f"the type {name} is declared twice")
            declared[f"{namespace}.{name}"] = declared[f"{alias}.{name}"] = child

    def resolve(type_name: str, where: str, *, entity: bool = False) -> ET.Element | None:
        inner = _inner(type_name)
        if inner in PRIMITIVES and not entity:
            return None
        kind = declared.get(inner)
        if kind is None or (entity and _local(kind) != "EntityType"):
            found.append(f"{where}: the type {type_name} resolves to no declared type")
        return kind

    def members(kind: ET.Element, tag: str) -> dict[str, ET.Element]:
        """A structured type's properties or navigation properties, its base types' too."""
        own = {item.get("Name", ""): item for item in kind.findall(f"{{{EDM}}}{tag}")}
        base = declared.get(kind.get("BaseType", ""))
        return {**(members(base, tag) if base is not None else {}), **own}

    for element, where in _walk(schema):
        local = _local(element)
        if element.tag != f"{{{EDM}}}{local}":
            found.append(f"{where}: not in the edm namespace")
        allowed = CHILDREN.get(local, set())
        for child in element:
            if _local(child) not in allowed:
                found.append(f"{where}: a {_local(child)} may not stand in a {local}")
        for attribute in REQUIRED.get(local, ()):
            if not element.get(attribute):
                found.append(f"{where}: the attribute {attribute} is missing")
        for attribute, pattern in FACETS.items():
            if element.get(attribute) is not None and not pattern.match(element.get(attribute, "")):
                found.append(f"{where}: {attribute}={element.get(attribute)!r}")
        for attribute in BOOLEAN_ATTRIBUTES:
            if element.get(attribute) not in (None, "true", "false"):
                found.append(f"{where}: {attribute}={element.get(attribute)!r}")
        name = element.get("Name")
        if name is not None and local != "PropertyRef" and not _IDENTIFIER.match(name):
            found.append(f"{where}: {name!r} is no simple identifier")
        if local == "Annotation":
            term = element.get("Term", "")
            if term.rpartition(".")[0] not in vocabularies:
                found.append(f"{where}: the term {term} is from no referenced vocabulary")
        if local in ("Property", "Parameter", "ReturnType"):
            resolve(element.get("Type", ""), where)
    for kind in schema:
        local, name = _local(kind), kind.get("Name", "")
        if local in ("EntityType", "ComplexType"):
            found += _structured_type_problems(kind, name, members, resolve, declared)
        if local in ("Action", "Function"):
            parameters = kind.findall(f"{{{EDM}}}Parameter")
            if kind.get("IsBound") == "true" and not parameters:
                found.append(f"{local} {name}: bound, without its binding parameter")
            if local == "Function" and kind.find(f"{{{EDM}}}ReturnType") is None:
                found.append(f"Function {name}: a function must return something")
            names = [p.get("Name") for p in parameters]
            if len(names) != len(set(names)):
                found.append(f"{local} {name}: a parameter is declared twice")
    found += _container_problems(schema, namespace, alias, declared, members, resolve)
    return found


def _structured_type_problems(kind, name, members, resolve, declared) -> list[str]:
    found: list[str] = []
    own = [item.get("Name") for item in kind if _local(item) in ("Property", "NavigationProperty")]
    if len(own) != len(set(own)):
        found.append(f"{name}: two properties share a name")
    if kind.get("BaseType"):
        resolve(kind.get("BaseType", ""), f"{name} BaseType", entity=True)
    properties = members(kind, "Property")
    if _local(kind) == "EntityType":
        keys = [ref.get("Name") for ref in kind.iter(f"{{{EDM}}}PropertyRef")]
        if not keys and kind.get("Abstract") != "true" and not kind.get("BaseType"):
            found.append(f"{name}: an entity type without a key")
        for key in keys:
            if key not in properties:
                found.append(f"{name}: the key {key} is no property")
            elif properties[key].get("Nullable") != "false":
                found.append(f"{name}: the key {key} is nullable")
    for navigation in kind.findall(f"{{{EDM}}}NavigationProperty"):
        where = f"{name}.{navigation.get('Name')}"
        target = resolve(navigation.get("Type", ""), where, entity=True)
        if target is None:
            continue
        for constraint in navigation.findall(f"{{{EDM}}}ReferentialConstraint"):
            if constraint.get("Property") not in properties:
                found.append(f"{where}: the constraint's Property names no property")
            if constraint.get("ReferencedProperty") not in members(target, "Property"):
                found.append(f"{where}: the constraint's ReferencedProperty names no property")
        partner = navigation.get("Partner")
        if partner is not None:
            back = members(target, "NavigationProperty").get(partner)
            if back is None or back.get("Partner") != navigation.get("Name"):
                found.append(f"{where}: the partner {partner} does not point back")
    return found


def _container_problems(schema, namespace, alias, declared, members, resolve) -> list[str]:
    found: list[str] = []
    containers = schema.findall(f"{{{EDM}}}EntityContainer")
    if len(containers) != 1:
        return [f"{len(containers)} entity containers, not one"]
    (container,) = containers
    sets = {item.get("Name"): item for item in container.findall(f"{{{EDM}}}EntitySet")}
    if len(sets) != len(container.findall(f"{{{EDM}}}EntitySet")):
        found.append("two entity sets share a name")
    functions = {
        f"{prefix}.{item.get('Name')}"
        for item in schema.findall(f"{{{EDM}}}Function")
        if item.get("IsBound") != "true"
        for prefix in (namespace, alias)
    }
    for name, entity_set in sets.items():
        kind = resolve(entity_set.get("EntityType", ""), f"EntitySet {name}", entity=True)
        for binding in entity_set.findall(f"{{{EDM}}}NavigationPropertyBinding"):
            if kind is not None and binding.get("Path") not in members(kind, "NavigationProperty"):
                found.append(f"EntitySet {name}: binds {binding.get('Path')}, no navigation")
            if binding.get("Target") not in sets:
                found.append(f"EntitySet {name}: the target {binding.get('Target')} is no set")
    for item in container.findall(f"{{{EDM}}}FunctionImport"):
        if item.get("Function") not in functions:
            found.append(f"FunctionImport {item.get('Name')}: no unbound function of that name")
    return found
