"""Validation as a list of small checks driven by metadata, the same for every table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import ColumnType, RequiredLevel
from leadgate.platform.engine.values import coerce

__all__ = [
    "DEFAULT_STATUS",
    "VALUE_CHECKS",
    "check_required",
    "check_state_status",
    "check_values",
    "initial_state",
    "state_name",
]


def check_length(column: ColumnMetadata, value: Any) -> None:
    if isinstance(value, str) and column.max_length is not None and len(value) > column.max_length:
        raise errors.STRING_TOO_LONG(
            column=column.name, table=column.table, max_length=column.max_length, length=len(value)
        )


def check_range(column: ColumnMetadata, value: Any) -> None:
    if not column.type.is_number:
        return
    low, high = column.range
    if not low <= value <= high:
        raise errors.VALUE_OUT_OF_RANGE(
            value=value, column=column.name, table=column.table, minimum=low, maximum=high
        )


_OPTION_CHECKED = frozenset((ColumnType.CHOICE, ColumnType.STATE))


def check_option(column: ColumnMetadata, value: Any) -> None:
    # Status reasons are checked with their state (check_state_status): the platform reports
    # an unknown status as an invalid state/status pair, as the seed's error shows.
    if column.type not in _OPTION_CHECKED or column.option(value):
        return
    valid = option_list(column)
    if column.type is ColumnType.STATE:
        raise errors.INVALID_STATE(state=value, table=column.table, valid=valid)
    raise errors.PICKLIST_OUT_OF_RANGE(
        value=value, column=column.name, table=column.table, valid=valid
    )


def option_list(column: ColumnMetadata) -> list[Label]:
    """The valid values of a choice column, for an error message in either language."""
    return [
        Label(f"{o.value} ({o.label.en})", f"{o.value} ({o.label.in_language('fr')})")
        for o in column.options
        if o.published
    ]


VALUE_CHECKS: tuple[Callable[[ColumnMetadata, Any], None], ...] = (
    check_length,
    check_range,
    check_option,
)


def check_values(
    table: TableMetadata, values: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Every value coerced to its column's type and checked; unknown columns refused."""
    checked: dict[str, Any] = {}
    for name, value in values.items():
        column = table.column(name)
        if creating and not column.valid_for_create:
            raise errors.NOT_VALID_FOR_CREATE(column=name, table=table.name)
        if not creating and not column.valid_for_update:
            raise errors.NOT_VALID_FOR_UPDATE(column=name, table=table.name)
        value = coerce(column, value)
        if value is not None:
            for check in VALUE_CHECKS:
                check(column, value)
        checked[name] = value
    return checked


def check_required(table: TableMetadata, values: Mapping[str, Any], *, creating: bool) -> None:
    """Required columns need a value on create, and cannot be emptied on update."""
    for column in table.columns.values():
        if column.required is not RequiredLevel.REQUIRED or column.is_computed:
            continue
        missing = (
            _blank(values.get(column.name))
            if creating
            else (column.name in values and _blank(values[column.name]))
        )
        if missing:
            raise errors.REQUIRED_FIELD_MISSING(
                column=column.name, label=column.label, table=table.name
            )


def _blank(value: Any) -> bool:
    """No value, or text that is only spaces: a required column needs more."""
    return value is None or (isinstance(value, str) and not value.strip())


def state_name(table: TableMetadata, state: int) -> str:
    """Dataverse's name for a state in its messages, e.g. ``LeadState.Open``."""
    option = table.column("statecode").option(state)
    label = option.label.en.replace(" ", "") if option else str(state)
    return f"{table.schema_name}State.{label}"


def state_label(table: TableMetadata, state: int) -> Label | str:
    """A state as people read it (Qualified / Qualifié)."""
    option = table.column("statecode").option(state)
    return option.label if option else str(state)


def initial_state(table: TableMetadata) -> int:
    states = table.column("statecode").options
    return min(option.value for option in states)


# Dataverse's status -1: the state's default status reason, as the metadata gives it.
DEFAULT_STATUS = -1


def check_state_status(table: TableMetadata, state: int, status: int, record_id: Any) -> int:
    """Refuse a status reason that does not belong to the state (0x80048408)."""
    state_column = table.column("statecode")
    state_option = state_column.option(state)
    if state_option is None:
        check_option(state_column, state)
    status_column = table.column("statuscode")
    default = state_option.default_status if state_option is not None else None
    if status == DEFAULT_STATUS and default is not None:
        return default
    option = status_column.option(status)
    if option is None or option.state != state:
        raise errors.INVALID_STATE_STATUS(
            status=status,
            state_name=state_name(table, state),
            table=table.name,
            id=record_id,
        )
    return status


def reference_values(
    table: TableMetadata, values: Mapping[str, Any]
) -> list[tuple[str, EntityReference]]:
    """The lookups among ``values``, for the existence check the pipeline runs in SQL."""
    return [
        (name, value)
        for name, value in values.items()
        if isinstance(value, EntityReference) and table.columns[name].type.is_reference
    ]
