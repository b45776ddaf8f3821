"""Views and forms are checked when saved, as the platform checks its other definitions: a
view or form that names a table or column that does not exist is refused with a coded error
saying which, rather than breaking the grid or form of everyone who opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadgate.platform.engine.context import ExecutionContext
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Stage
from leadgate.platform.engine.values import show
from leadgate.platform.views.errors import (
    LAYOUT_COLUMN_NOT_FETCHED,
    UNKNOWN_DOCUMENT_TABLE,
    WRONG_DOCUMENT_TABLE,
)
from leadgate.platform.views.fetch import parse_fetch
from leadgate.platform.views.form import parse_form
from leadgate.platform.views.layout import parse_layout

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = ["check_form", "check_view", "register"]

_VIEW_COLUMNS = ("returnedtypecode", "fetchxml", "layoutxml")
_FORM_COLUMNS = ("objecttypecode", "formjson")


def check_view(record: Entity, metadata: MetadataSet) -> None:
    """Refuse a ``savedquery`` whose documents cannot work (codes 0x8F4C47B0-0x8F4C47B6)."""
    query = parse_fetch(record.get("fetchxml"), metadata)
    table = metadata.table(query.entity_name)
    expected = record.get("returnedtypecode")
    if expected != table.name:
        raise WRONG_DOCUMENT_TABLE(document="fetchxml", found=table.name, table=expected)
    layout = record.get("layoutxml")
    if layout is None or not str(layout).strip():
        return
    fetched = query.column_set.columns
    for cell in parse_layout(layout, table):
        if fetched and cell.name not in fetched and cell.name != table.primary_key:
            raise LAYOUT_COLUMN_NOT_FETCHED(column=cell.name)


def check_form(record: Entity, metadata: MetadataSet) -> None:
    """Refuse a ``systemform`` whose formjson cannot be read or names a missing column."""
    name = str(record.get("objecttypecode") or "")
    table = metadata.tables.get(name)
    if table is None:
        raise UNKNOWN_DOCUMENT_TABLE(document="objecttypecode", table=show(name))
    parse_form(record.get("formjson"), table)


def _saved(context: ExecutionContext, columns: tuple[str, ...]) -> Entity | None:
    """The record as it will be: the stored one (on Update) with the change over it; None when
    the change touches none of ``columns``."""
    target = context.input_parameters.get("Target")
    if not isinstance(target, Entity):
        return None
    if context.message_name == "Create":
        return target
    if not set(columns) & set(target):
        return None
    before = context.pre_entity_images.get("PreImage")
    merged = Entity(target.logical_name, target.id, dict(before or {}))
    merged.update(target)
    return merged


def view_saving(context: ExecutionContext) -> None:
    record = _saved(context, _VIEW_COLUMNS)
    if record is not None:
        check_view(record, context.unit_of_work.metadata)


def form_saving(context: ExecutionContext) -> None:
    record = _saved(context, _FORM_COLUMNS)
    if record is not None:
        check_form(record, context.unit_of_work.metadata)


def register(organization: Organization) -> None:
    for handler, table, columns, what in (
        (view_saving, "savedquery", _VIEW_COLUMNS, "view"),
        (form_saving, "systemform", _FORM_COLUMNS, "form"),
    ):
        for message in ("Create", "Update"):
            organization.steps.add_code_step(
                handler, name=f"Check a {what} ({message})", message=message, table=table,
                stage=Stage.PRE_OPERATION, rank=0, pre_image=columns,
            )  # fmt: skip
