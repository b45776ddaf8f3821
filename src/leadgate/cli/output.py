"""What the CLI prints: tables, one-line errors, and the reader's language."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from leadgate.platform import Organization, OrganizationService
from leadgate.platform.engine.i18n import translate
from leadgate.platform.engine.storage import database_url
from leadgate.platform.engine.types import Interface, Language

__all__ = [
    "AsOption",
    "DbOption",
    "PluginsOption",
    "console",
    "errors_console",
    "language",
    "open_organization",
    "print_table",
    "record_id",
    "say",
    "service_for",
]

console = Console(highlight=False)
errors_console = Console(stderr=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL (sqlite:///path.db or postgresql+psycopg://user@host/db). "
        "Default: $LEADGATE_DATABASE_URL, else sqlite:///./leadgate.db.",
        show_default=False,
    ),
]

PluginsOption = Annotated[
    Path | None,
    typer.Option(
        "--plugins",
        metavar="DIR",
        help="The plug-ins folder handlers are imported from. Default: $LEADGATE_PLUGINS, "
        "else plugins/ beside the SQLite file (for PostgreSQL: in the current directory).",
        show_default=False,
        file_okay=False,
    ),
]


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="EMAIL",
        help="Run as this user, with their security roles (default: as the system).",
    ),
]


def language() -> Language:
    """French when LEADGATE_LANG (or LC_ALL, LANG) says so; English otherwise."""
    for variable in ("LEADGATE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return Language.FRENCH if value.lower().startswith("fr") else Language.ENGLISH
    return Language.ENGLISH


def say(text: str, **params: Any) -> None:
    """Print a catalog text in the reader's language."""
    console.print(translate(text, language()).format(**params), soft_wrap=True)


def open_organization(db: str | None, plugins: Path | None = None) -> Organization:
    return Organization.open(database_url(db), plugins=plugins)


def service_for(organization: Organization, email: str | None) -> OrganizationService:
    """The user's service with ``--as``, else SYSTEM (like every administration command)."""
    if email:
        return organization.service(email, interface=Interface.CLI)
    return organization.system_service(Interface.CLI)


def record_id(text: str, hint: str = "ID") -> uuid.UUID:
    """A record id as typed: a GUID, with or without braces."""
    try:
        return uuid.UUID(text.strip().strip("{}"))
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a record id (a GUID)", param_hint=hint) from None


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """A table on a terminal; tab-separated lines when piped, for grep, cut and scripts."""
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    if not console.is_terminal:  # plain lines: Rich would turn the tabs into spaces
        typer.echo("\t".join(columns))
        for row in cells:
            typer.echo("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)
