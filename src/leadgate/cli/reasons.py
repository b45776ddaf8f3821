"""Status reasons as people type them: a value, or a label in English or French.

The reasons are read from the organization's metadata, never listed in the code: an
administrator can add one (``leadgate customize add-choice lead statuscode --state 2``) and
the command line takes it at once. ``--help`` lists them when it can open the database.
"""

from __future__ import annotations

import os
from typing import Any

from typer.core import TyperCommand

from leadgate.cli.errors import UNKNOWN_STATUS_REASON
from leadgate.platform import Organization
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import OptionMetadata, TableMetadata
from leadgate.platform.engine.storage import database_url

__all__ = ["StatusReasonHelp", "reason_help", "status_reason", "status_reasons"]


def status_reasons(table: TableMetadata, state: int) -> list[OptionMetadata]:
    """The published status reasons of ``state``, in their order."""
    return [
        option
        for option in table.column("statuscode").options
        if option.published and option.state == state
    ]


def _folded(text: str | None) -> str:
    """Case, spaces, hyphens and underscores do not matter: 'no-longer-interested' is
    'No Longer Interested'."""
    return " ".join((text or "").replace("-", " ").replace("_", " ").split()).casefold()


def status_reason(table: TableMetadata, state: int, typed: str) -> int:
    """The value of the status reason of ``state`` that ``typed`` names (value or label)."""
    wanted = _folded(typed)
    reasons = status_reasons(table, state)
    for option in reasons:
        if wanted and wanted in (str(option.value), _folded(option.label.en),
                                 _folded(option.label.fr)):  # fmt: skip
            return option.value
    state_option = table.column("statecode").options_by_value.get(state)
    raise UNKNOWN_STATUS_REASON(
        reason=typed,
        state=state_option.label if state_option else str(state),
        table=table.label,
        valid=[_shown(option) for option in reasons],
    )


def _shown(option: OptionMetadata) -> Label:
    return Label(f"{option.value} ({option.label.en})",
                 f"{option.value} ({option.label.in_language('fr')})")  # fmt: skip


def _database_in(args: list[str]) -> str:
    """The database the command line names (--db URL or --db=URL), else the default one."""
    for index, arg in enumerate(args):
        if arg == "--db" and index + 1 < len(args):
            return database_url(args[index + 1])
        if arg.startswith("--db="):
            return database_url(arg.removeprefix("--db="))
    return database_url(None)


def _readable(url: str) -> bool:
    """False for a SQLite file that does not exist: opening it would create an empty one."""
    if not url.startswith("sqlite:///"):
        return not url.startswith("sqlite:")  # sqlite:// alone is an empty in-memory database
    path = url.removeprefix("sqlite:///").split("?", 1)[0]  # sqlite:////abs -> /abs
    return bool(path) and os.path.isfile(path)


class StatusReasonHelp(TyperCommand):
    """A command whose --help ends with the status reasons of one state of a table, read from
    the database the command line names (``table``, ``state`` and ``option`` set by
    :func:`reason_help`)."""

    table = "lead"
    state = 0
    option = "--reason"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta["leadgate.args"] = list(args)  # --help is answered before --db is read
        return super().parse_args(ctx, args)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.epilog = self._reasons(ctx.meta.get("leadgate.args", []))
        super().format_help(ctx, formatter)

    def _reasons(self, args: list[str]) -> str:
        from leadgate.cli.output import language

        lang = language()
        fallback = (
            f"{self.option} takes a status reason's value or its label (English or French); "
            f"list them with: leadgate customize list {self.table}"
        )
        try:
            url = _database_in(args)
            if not _readable(url):
                return fallback
            with Organization.open(url) as organization:
                table = organization.metadata().table(self.table)
        except LeadgateError:  # no organization there, or the server is down
            return fallback
        reasons = ", ".join(_shown(option).in_language(lang)
                            for option in status_reasons(table, self.state))  # fmt: skip
        return f"{self.option} takes a value or a label (English or French): {reasons}."


def reason_help(table: str, state: int, option: str = "--reason") -> type[StatusReasonHelp]:
    """A command class whose help lists the status reasons of ``state`` of ``table``."""
    return type("StatusReasonHelp", (StatusReasonHelp,),
                {"table": table, "state": state, "option": option})  # fmt: skip
