"""``leadgate maps``: the entity and attribute maps qualification copies values through.

An entity map (source table, target table) holds attribute maps (source column -> target
column), REFERENCE §2. They are records: these commands create, update and delete them as
SYSTEM, and the platform's check refuses a map that could not copy its values.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from leadgate.cli.output import DbOption, language, open_organization, print_table, say
from leadgate.platform import (
    ConditionExpression,
    CreateRequest,
    DeleteRequest,
    Entity,
    EntityReference,
    ExecuteTransactionRequest,
    FilterExpression,
    OrganizationService,
)
from leadgate.platform.engine.i18n import N_, translate

__all__ = ["app"]

app = typer.Typer(
    help="Entity and attribute maps: which values qualifying a lead copies.",
    no_args_is_help=True,
)

MapArgument = Annotated[
    str,
    typer.Argument(
        help="The attribute map: its id (see: leadgate maps list) or SOURCE.TARGET.TARGETCOLUMN, "
        "e.g. lead.contact.statuscode."
    ),
]


def _where(**equals: object) -> FilterExpression:
    return FilterExpression(
        conditions=tuple(ConditionExpression.make(c, "eq", v) for c, v in equals.items())
    )


def _entity_maps(
    system: OrganizationService, source: str | None = None, target: str | None = None
) -> dict[uuid.UUID, Entity]:
    equals = {"sourceentityname": source, "targetentityname": target}
    rows = system.retrieve_multiple_all(
        "entitymap",
        criteria=_where(**{c: v.strip().lower() for c, v in equals.items() if v}),
        columns=["sourceentityname", "targetentityname"],
    )
    return {row.to_reference().id: row for row in rows}


def _describe(entity_map: Entity, row: Entity) -> str:
    return (
        f"{entity_map['sourceentityname']}.{row['sourceattributename']} -> "
        f"{entity_map['targetentityname']}.{row['targetattributename']}"
    )


def _find(system: OrganizationService, text: str) -> tuple[Entity, Entity]:
    """The attribute map (and its entity map) an id or SOURCE.TARGET.TARGETCOLUMN names."""
    columns = ["entitymapid", "sourceattributename", "targetattributename"]
    try:
        wanted: FilterExpression | None = _where(attributemapid=uuid.UUID(text.strip("{} ")))
    except ValueError:
        wanted = None
    if wanted is None:
        source, target, column = [*text.strip().lower().split("."), "", "", ""][:3]
        if not (source and target and column) or text.count(".") != 2:
            raise typer.BadParameter(
                f"'{text}' is neither an attribute map id nor SOURCE.TARGET.TARGETCOLUMN",
                param_hint="MAP",
            )
        entity_maps = _entity_maps(system, source, target)
        if not entity_maps:
            raise typer.BadParameter(f"no entity map from {source} to {target}", param_hint="MAP")
        wanted = FilterExpression(conditions=(
            ConditionExpression.make("entitymapid", "in", *entity_maps),
            ConditionExpression.make("targetattributename", "eq", column),
        ))  # fmt: skip
    rows = system.retrieve_multiple_all("attributemap", criteria=wanted, columns=columns)
    if not rows:
        raise typer.BadParameter(f"no attribute map is '{text}'", param_hint="MAP")
    row = rows[0]
    entity_map = system.retrieve(
        "entitymap", row["entitymapid"].id, ["sourceentityname", "targetentityname"]
    )
    return entity_map, row


@app.command("list")
def list_maps(
    source: Annotated[
        str | None, typer.Option("--source", help="Only maps from this table.")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help="Only maps to this table.")] = None,
    db: DbOption = None,
) -> None:
    """List the entity maps and their attribute maps, with the ids to change or remove them."""
    with open_organization(db) as organization:
        system = organization.system_service()
        entity_maps = _entity_maps(system, source, target)
        if not entity_maps:
            say(N_("(no maps)"))
            return
        rows = system.retrieve_multiple_all(
            "attributemap",
            criteria=FilterExpression(
                conditions=(ConditionExpression.make("entitymapid", "in", *entity_maps),)
            ),
            columns=["entitymapid", "sourceattributename", "targetattributename"],
        )
        by_map: dict[uuid.UUID, list[Entity]] = {key: [] for key in entity_maps}
        for row in rows:
            by_map[row["entitymapid"].id].append(row)
        lines: list[tuple[object, ...]] = []
        for key, entity_map in sorted(
            entity_maps.items(),
            key=lambda item: (item[1]["sourceentityname"], item[1]["targetentityname"]),
        ):
            pair = (entity_map["sourceentityname"], entity_map["targetentityname"])
            if not by_map[key]:  # the entity map alone, with its own id
                lines.append((*pair, translate(N_("(no attribute map)"), language()), "", key))
            for row in sorted(by_map[key], key=lambda r: r["targetattributename"]):
                lines.append(
                    (*pair, row["sourceattributename"], row["targetattributename"], row.id)
                )
        print_table(["source", "target", "source column", "target column", "id"], lines)


@app.command("add")
def add(
    source: Annotated[str, typer.Argument(help="The source table, e.g. lead.")],
    target: Annotated[str, typer.Argument(help="The target table, e.g. contact.")],
    source_column: Annotated[str, typer.Argument(help="The column copied, e.g. jobtitle.")],
    target_column: Annotated[
        str | None, typer.Argument(help="The column it is copied to (default: the same name).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Map a source column to a target column (and the tables, if they are not mapped yet)."""
    source, target = source.strip().lower(), target.strip().lower()
    source_column = source_column.strip().lower()
    target_column = (target_column or source_column).strip().lower()
    with open_organization(db) as organization:
        system = organization.system_service()
        found = _entity_maps(system, source, target)
        requests: list[object] = []
        if found:
            entity_map = EntityReference("entitymap", next(iter(found)))
        else:
            entity_map = EntityReference("entitymap", uuid.uuid4())
            requests.append(CreateRequest(Entity(
                "entitymap", entity_map.id, sourceentityname=source, targetentityname=target
            )))  # fmt: skip
        attribute_map = uuid.uuid4()
        requests.append(CreateRequest(Entity(
            "attributemap", attribute_map, entitymapid=entity_map,
            sourceattributename=source_column, targetattributename=target_column,
        )))  # fmt: skip
        # The entity map and its first attribute map together: a refused map leaves nothing.
        system.execute(ExecuteTransactionRequest(tuple(requests)))
        if not found:
            say(N_("Added the entity map {source} -> {target}."), source=source, target=target)
        say(
            N_("Added the attribute map {map} ({id})."),
            map=f"{source}.{source_column} -> {target}.{target_column}", id=attribute_map,
        )  # fmt: skip


@app.command("change")
def change(
    attribute_map: MapArgument,
    target_column: Annotated[
        str | None,
        typer.Option("--target-column", help="The new target column.", show_default=False),
    ] = None,
    source_column: Annotated[
        str | None,
        typer.Option("--source-column", help="The new source column.", show_default=False),
    ] = None,
    db: DbOption = None,
) -> None:
    """Change the source or the target column of an attribute map (checked as when added)."""
    if target_column is None and source_column is None:
        raise typer.BadParameter(
            "say what to change", param_hint="'--source-column' or '--target-column'"
        )
    with open_organization(db) as organization:
        system = organization.system_service()
        entity_map, row = _find(system, attribute_map)
        before = _describe(entity_map, row)
        changes = {
            column: value.strip().lower()
            for column, value in (
                ("sourceattributename", source_column), ("targetattributename", target_column)
            )
            if value is not None
        }  # fmt: skip
        system.update(Entity("attributemap", row.id, changes))
        row.update(changes)
        say(N_("Changed the attribute map {before} to {after}."), before=before,
            after=_describe(entity_map, row))  # fmt: skip


@app.command("remove")
def remove(attribute_map: MapArgument, db: DbOption = None) -> None:
    """Remove an attribute map: qualifying stops copying that column."""
    with open_organization(db) as organization:
        system = organization.system_service()
        entity_map, row = _find(system, attribute_map)
        assert row.id is not None
        system.execute(DeleteRequest(EntityReference("attributemap", row.id)))
        say(N_("Removed the attribute map {map} ({id})."), map=_describe(entity_map, row),
            id=row.id)  # fmt: skip
