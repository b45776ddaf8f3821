"""Whatever an administrator customizes, ``$metadata`` stays a valid CSDL document: custom
tables and columns of every type, lookups to one table or several, relationships named
freely (tests/e2e/csdl_rules.py holds the rules)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from leadgate.platform import Label, Organization
from leadgate.platform.engine.metadata.model import (
    ColumnMetadata,
    MetadataSet,
    RelationshipMetadata,
    TableMetadata,
)
from leadgate.platform.engine.types import ColumnType, Ownership
from leadgate.web.csdl import build_document, csdl_document
from tests.e2e.csdl_rules import problems

# The tables a custom one may point at (a few, so that each example is quick to check).
BASE = ("account", "contact", "lead", "systemuser", "team", "businessunit", "transactioncurrency")


@pytest.fixture(scope="module")
def shipped() -> Iterator[MetadataSet]:
    with Organization.in_memory() as organization:
        yield organization.metadata()


def _base(shipped: MetadataSet) -> MetadataSet:
    return MetadataSet(
        {name: shipped.tables[name] for name in BASE},
        {name: r for name, r in shipped.relationships.items()
         if r.referenced_table in BASE and r.referencing_table in BASE},
    )  # fmt: skip


names = st.from_regex(r"new_[a-z][a-z0-9_]{0,14}", fullmatch=True)
kinds = st.sampled_from([t for t in ColumnType if t is not ColumnType.OWNER])


@st.composite
def customizations(draw: st.DrawFn) -> tuple[list[ColumnMetadata], list[tuple[str, str, str]]]:
    """Columns for a custom table and for lead, and relationships (name, table, column)."""
    columns = []
    for table in ("new_thing", "lead"):
        for name in draw(st.lists(names, max_size=6, unique=True)):
            kind = draw(kinds)
            targets: tuple[str, ...] = ()
            if kind is ColumnType.LOOKUP:
                targets = (draw(st.sampled_from([*BASE, "new_thing"])),)
            if kind is ColumnType.CUSTOMER:
                targets = ("account", "contact")
            columns.append(ColumnMetadata(table, name, kind, Label(name), targets=targets,
                                          valid_for_create=draw(st.booleans())))  # fmt: skip
    relationships = [
        (draw(st.one_of(names, st.sampled_from([c.name for c in columns] or ["new_x"]))),
         column.table, column.name)
        for column in columns
        if column.type is ColumnType.LOOKUP and draw(st.booleans())
    ]  # fmt: skip
    return columns, relationships


_REF = ColumnMetadata("new_thing", "new_ref", ColumnType.CUSTOMER, Label("Ref"),
                      targets=("account", "contact"))  # fmt: skip
_TO_LEAD = ColumnMetadata("new_thing", "new_lead", ColumnType.LOOKUP, Label("Lead"),
                          targets=("lead",))  # fmt: skip


@given(customization=customizations())
# A navigation property named as a column: the column keeps the name.
@example(
    customization=(
        [_REF, ColumnMetadata("new_thing", "new_ref_account", ColumnType.STRING, Label("R"))],
        [],
    )
)
@example(customization=(
    [_TO_LEAD, ColumnMetadata("lead", "new_lbl", ColumnType.STRING, Label("L"))],
    [("new_lbl", "new_thing", "new_lead")],
))  # fmt: skip
def test_any_customization_gives_a_valid_document(shipped, customization):
    columns, relationships = customization
    base = _base(shipped)
    key = ColumnMetadata("new_thing", "new_thingid", ColumnType.UNIQUEIDENTIFIER, Label("Id"))
    thing = TableMetadata("new_thing", "new_things", Label("Thing"), Label("Things"),
                          "new_thingid", "new_thingid", Ownership.ORGANIZATION,
                          columns={"new_thingid": key}, is_custom=True)  # fmt: skip
    tables = {**base.tables, "new_thing": thing}
    for column in columns:
        if column.name not in tables[column.table].columns:
            tables[column.table] = tables[column.table].with_columns([column])
    declared = dict(base.relationships)
    for name, table, column in relationships:
        target = tables[table].columns[column].targets[0]
        declared.setdefault(name, RelationshipMetadata(name, target, table, column))
    metadata = MetadataSet(tables, declared)
    assert problems(build_document(metadata)) == []


def test_the_document_is_built_once_per_metadata_snapshot(shipped):
    assert csdl_document(shipped) is csdl_document(shipped)
    # A snapshot equal in every value but new (a publish, another database) gets its own.
    again = dataclasses.replace(shipped)
    assert csdl_document(again) is not csdl_document(shipped)
    assert csdl_document(again) == csdl_document(shipped)
