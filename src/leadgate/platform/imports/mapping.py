"""Which column of the table each column of the file fills.

A header names a column by its logical name (``emailaddress1``), by its label in English or
in French (``Email``, ``Adresse e-mail``; case, accents and spaces around ignored), or an
explicit ``col=column`` pair says it. Headers that name nothing are reported, not fatal,
unless nothing maps at all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import ColumnMetadata, TableMetadata
from leadgate.platform.engine.types import Language
from leadgate.platform.imports.errors import IMPORT_MAPPING_INVALID, IMPORT_NOTHING_MAPPED

__all__ = ["ColumnMapping", "folded", "map_columns"]


def folded(text: str) -> str:
    """A header or a label compared without case, accents or surrounding spaces."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class ColumnMapping:
    """For each position of the file's header, the column it fills (None: not imported)."""

    headers: tuple[str, ...]
    columns: tuple[ColumnMetadata | None, ...]
    unknown: tuple[str, ...]  # headers that name no column, in file order
    language: Language  # French when a header is a French label only: dates and numbers

    def mapped(self) -> dict[str, str]:
        return {
            header: column.name
            for header, column in zip(self.headers, self.columns, strict=True)
            if column
        }


def _importable(table: TableMetadata) -> list[ColumnMetadata]:
    """Columns a Create may set: no system column (created on, version…), no primary key."""
    return [column for column in table.columns.values()
            if column.valid_for_create and column.name != table.primary_key]  # fmt: skip


def map_columns(
    table: TableMetadata,
    headers: Sequence[str],
    explicit: Mapping[str, str] | None = None,
    language: Language = Language.ENGLISH,
) -> ColumnMapping:
    """The mapping of a header line; ``explicit`` maps a header to a logical name and wins.
    ``language`` is the file's when no header is a French label only."""
    columns = _importable(table)
    by_name = {column.name: column for column in columns}
    by_english: dict[str, ColumnMetadata] = {}
    by_french: dict[str, ColumnMetadata] = {}
    for each in columns:  # first column (in table order) wins a label two columns share
        by_english.setdefault(folded(each.label.en), each)
        by_french.setdefault(folded(each.label.in_language(Language.FRENCH)), each)
    pairs = dict(explicit or {})
    folded_headers = {folded(header): header for header in headers}
    for header, name in pairs.items():
        if folded(header) not in folded_headers:
            raise IMPORT_MAPPING_INVALID(
                pair=f"{header}={name}", reason=Text(N_("the file has no column '{header}'."),
                                                     header=header),
            )  # fmt: skip
        if name not in by_name:
            raise IMPORT_MAPPING_INVALID(
                pair=f"{header}={name}",
                reason=Text(N_("{table} has no column '{column}' that an import can fill."),
                            table=table.name, column=name),
            )  # fmt: skip
    explicit_folded = {folded(header): by_name[name] for header, name in pairs.items()}
    mapped: list[ColumnMetadata | None] = []
    french = False
    for header in headers:
        key = folded(header)
        column: ColumnMetadata | None = (
            explicit_folded.get(key) or by_name.get(header.strip()) or by_english.get(key)
        )
        if column is None and key in by_french:
            column = by_french[key]
            french = True
        mapped.append(column)
    unknown = tuple(header for header, column in zip(headers, mapped, strict=True)
                    if column is None)  # fmt: skip
    if not any(mapped):
        raise IMPORT_NOTHING_MAPPED(table=table.name, headers=", ".join(headers) or "—")
    return ColumnMapping(tuple(headers), tuple(mapped), unknown,
                         Language.FRENCH if french else language)  # fmt: skip
