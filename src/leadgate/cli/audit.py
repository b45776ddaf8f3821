"""``leadgate audit TABLE ID``: a record's change history, as RetrieveRecordChangeHistory
gives it to the user (``--as``) who may read the record."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from leadgate.cli.output import (
    AsOption,
    DbOption,
    language,
    open_organization,
    print_table,
    service_for,
)
from leadgate.cli.output import record_id as parse_id
from leadgate.platform.audit import RetrieveRecordChangeHistoryRequest
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, translate
from leadgate.platform.engine.metadata.model import TableMetadata

__all__ = ["audit"]

HEADERS = (N_("When"), N_("Who"), N_("Action"), N_("Changes"), N_("Interface"))


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id"))
    return "" if value is None else str(value)


def _changes(data: dict[str, Any]) -> str:
    return "; ".join(
        f"{name}: {_value(change.get('old'))} -> {_value(change.get('new'))}"
        for name, change in sorted(data.items())
    )


def _label(table: TableMetadata, column: str, value: int | None) -> str:
    option = table.column(column).option(value) if value is not None else None
    return option.label.in_language(language()) if option else ""


def _plain(row: Entity) -> dict[str, Any]:
    found: dict[str, Any] = {"auditid": str(row.id)}
    for name, value in row.items():
        if isinstance(value, EntityReference):
            value = {"id": f"{value.logical_name}:{value.id}", "name": value.name}
        elif value is not None and not isinstance(value, (int, str, dict)):
            value = str(value)
        found[name] = value
    return found


def audit(
    table: Annotated[str, typer.Argument(metavar="RECORD_TABLE", help="The record's table.")],
    record: Annotated[str, typer.Argument(metavar="RECORD_ID", help="The record's id.")],
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Show a record's audit history: when, who, what changed (old -> new), and through
    which interface. With --as, only if that user may read the record."""
    target = EntityReference(table, parse_id(record, "RECORD_ID"))
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        rows = service.execute(RetrieveRecordChangeHistoryRequest(target)).audit_detail_collection
        audit_table = organization.metadata().table("audit")
    if as_json:
        typer.echo(json.dumps([_plain(row) for row in rows], indent=2, ensure_ascii=False))
        return
    print_table(
        [translate(header, language()) for header in HEADERS],
        (
            (
                row["createdon"],
                _value({"id": row["userid"].id, "name": row["userid"].name})
                if row["userid"]
                else "",
                _label(audit_table, "action", row["action"]),
                _changes(row["changedata"]),
                _label(audit_table, "interface", row["interface"]),
            )
            for row in rows
        ),
    )
