"""Write the reference pages of docs/ that the code knows best: error codes and choice values.

- docs/errors.md from the error catalogue: every code, its HTTP status, English and French;
- docs/choices.md from the metadata a new organization installs: every choice column's values
  and labels, and each table's states with their status reasons.

Run it after adding an error kind or a shipped choice (``.venv/bin/python tools/docs.py``, or
``make docs``); tests/unit/test_docs.py fails while a committed page differs from what this
writes, so the pages cannot drift from the code.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path

import leadgate
from leadgate.platform import Organization
from leadgate.platform.engine.errors import CATALOGUE, ErrorKind
from leadgate.platform.engine.i18n import translate
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import ColumnType, Language

DOCS = Path(__file__).resolve().parents[1] / "docs"
GENERATED = "<!-- Written by tools/docs.py from the code: do not edit by hand. -->"

ERRORS_HEADER = f"""\
# Error codes

{GENERATED}

Every refusal has a stable code and a text in English and in French. The command line prints
`error 0x…: text` on stderr (in French when `LEADGATE_LANG=fr`); the Web API answers
`{{{{"error": {{{{"code": "0x…", "message": "…"}}}}}}}}` in the language of `Accept-Language` or
of the user, with the HTTP status below. Words in braces are filled in with the details of
the case: the table, the column, the record, the privilege. Codes that start with `0x8F4C47`
are leadgate's own; the others are the codes Dataverse gives the same failure.

{{count}} errors.

| code | HTTP | key | English | French |
|---|---|---|---|---|
"""

CHOICES_HEADER = f"""\
# Choice values

{GENERATED}

Choice columns hold integers, as in Dataverse: the Web API reads and writes the value
(`"leadsourcecode": 8`), and the labels below are what people read, in English and in French.
A status reason (`statuscode`) belongs to one state (`statecode`); a record's pair must match,
and a state's default reason is used when only the state is given. These are the values a new
organization has; an administrator adds more (`leadgate customize add-choice`), and
`leadgate customize list TABLE` shows a table's values as they are now.

The sales tables come first, then the platform's own.
"""

SALES_TABLES = ("lead", "opportunity", "account", "contact", "campaign",
                "leadtoopportunitysalesprocess")  # fmt: skip


def load_every_module() -> None:
    """Import all of leadgate: each package registers its error kinds where it defines them."""
    for module in pkgutil.walk_packages(leadgate.__path__, prefix="leadgate."):
        # Migration scripts run only inside Alembic, and define no errors.
        if (
            module.name.endswith("__main__")
            or ".migrations.env" in module.name
            or (".migrations.versions." in module.name)
        ):
            continue
        importlib.import_module(module.name)


def _cell(text: str) -> str:
    """A text as a Markdown table cell shows it literally."""
    for character in ("\\", "|", "*", "<", "`"):
        text = text.replace(character, "\\" + character)
    return text.replace("\n", " ")


def render_errors() -> str:
    """docs/errors.md as the catalogue says it should be."""
    load_every_module()
    from leadgate.web.errors import STATUS_BY_CODE

    kinds: list[ErrorKind] = sorted(CATALOGUE.values(), key=lambda kind: (kind.code, kind.key))
    rows = [
        f"| {kind.code} | {STATUS_BY_CODE.get(kind.code, 400)} | `{kind.key}` | "
        f"{_cell(kind.text)} | {_cell(translate(kind.text, Language.FRENCH))} |"
        for kind in kinds
    ]
    return ERRORS_HEADER.format(count=len(kinds)) + "\n".join(rows) + "\n"


def _states(table: TableMetadata) -> list[str]:
    states, reasons = table.column("statecode"), table.column("statuscode")
    lines = ["| state | status reasons (value: English / French) |", "|---|---|"]
    for state in states.options:
        listed = ", ".join(
            f"{reason.value}: {_cell(reason.label.en)} / {_cell(reason.label.in_language('fr'))}"
            + (" (default)" if reason.value == state.default_status else "")
            for reason in reasons.options
            if reason.state == state.value
        )
        label = f"{_cell(state.label.en)} / {_cell(state.label.in_language('fr'))}"
        lines.append(f"| {state.value}: {label} | {listed} |")
    return lines


def _choices(column: ColumnMetadata) -> list[str]:
    title = (f"### `{column.name}`: {_cell(column.label.en)} / "
             f"{_cell(column.label.in_language('fr'))}")  # fmt: skip
    lines = [title, "", "| value | English | French |", "|---|---|---|"]
    lines += [
        f"| {option.value} | {_cell(option.label.en)} | {_cell(option.label.in_language('fr'))} |"
        for option in column.options
    ]
    return lines


def render_choices() -> str:
    """docs/choices.md as a new organization's metadata says it should be."""
    with Organization.in_memory() as organization:
        tables = organization.metadata().tables
    order = {name: index for index, name in enumerate(SALES_TABLES)}
    parts = [CHOICES_HEADER]
    for table in sorted(tables.values(), key=lambda t: (order.get(t.name, len(order)), t.name)):
        choices = [column for column in table.columns.values() if column.type.is_choice]
        if not choices:
            continue
        lines = [f"## {table.name} ({_cell(table.label.en)} / "
                 f"{_cell(table.label.in_language('fr'))})", ""]  # fmt: skip
        if "statecode" in table.columns and "statuscode" in table.columns:
            lines += [*_states(table), ""]
        for column in choices:
            if column.type not in (ColumnType.STATE, ColumnType.STATUS):
                lines += [*_choices(column), ""]
        parts.append("\n".join(lines))
    return "\n".join(parts).rstrip("\n") + "\n"


PAGES: dict[str, Callable[[], str]] = {"errors.md": render_errors, "choices.md": render_choices}


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    for name, render in PAGES.items():
        (DOCS / name).write_text(render(), encoding="utf-8")
        print(f"wrote {DOCS / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
