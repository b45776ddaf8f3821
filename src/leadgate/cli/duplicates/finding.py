"""``leadgate duplicates``: its ``find`` command (RetrieveDuplicates, with ``--as`` as a user
whose read rights limit what is shown), and the duplicates a check found, printed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated

import typer

from leadgate.cli.duplicates.rules import rules_app
from leadgate.cli.output import (
    AsOption,
    DbOption,
    language,
    open_organization,
    print_table,
    record_id,
    say,
    service_for,
)
from leadgate.platform import Entity
from leadgate.platform.duplicates.matchcodes import DuplicateMatch
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_

__all__ = ["app", "matches_of", "print_duplicates"]

app = typer.Typer(
    help="Duplicate detection: its rules, and the duplicates of a record.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")


# --- finding duplicates ---------------------------------------------------------------------


@app.command("find")
def find(
    table: Annotated[str, typer.Argument(help="The record's table, e.g. account.")],
    record: Annotated[str, typer.Argument(help="The record's id.")],
    matching: Annotated[
        str | None,
        typer.Option(
            "--matching",
            metavar="TABLE",
            help="Only the duplicates in this table (default: those of every published rule).",
            show_default=False,
        ),
    ] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """The records the published rules find for a record (RetrieveDuplicates)."""
    key = record_id(record, "ID")
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        request = RetrieveDuplicatesRequest(
            Entity(table.strip().lower(), key),
            matching.strip().lower() if matching else None,
        )
        matches = service.execute(request).matches
        if not matches:
            say(N_("No duplicates found."))
            return
        print_duplicates(matches)


def print_duplicates(matches: Iterable[DuplicateMatch]) -> None:
    """The records a duplicate check found, each once: table, name, id and the rules that
    found it."""
    lang = language()
    records: dict[tuple[str, uuid.UUID], list[DuplicateMatch]] = {}
    for match in matches:
        records.setdefault((match.table, match.id), []).append(match)
    print_table(
        ["table", "name", "id", "rule"],
        (
            (table, found[0].name or "", key, "; ".join(m.rule.in_language(lang) for m in found))
            for (table, key), found in records.items()
        ),
    )


def matches_of(error: errors.LeadgateError) -> list[DuplicateMatch]:
    """The matches a duplicate warning (0x80040333) carries as data."""
    return [DuplicateMatch.from_json(match) for match in error.details.get("matches", ())]
