"""Layout XML, the subset grids use: which columns a view shows, in order, and how wide.

``<grid name="resultset" jump="fullname" select="1" icon="1" preview="1"><row name="result"
id="leadid"><cell name="fullname" width="300"/>…</row></grid>``. Without a layout, a grid shows
the FetchXML's columns, each :data:`DEFAULT_WIDTH` pixels wide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.values import show
from leadgate.platform.views._documents import invalid, read_xml
from leadgate.platform.views.errors import UNKNOWN_DOCUMENT_COLUMN

__all__ = ["DEFAULT_WIDTH", "ViewColumn", "parse_layout"]

DOCUMENT = "layoutxml"
DEFAULT_WIDTH = 150
MAX_WIDTH = 2000
_WIDTH = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class ViewColumn:
    """A column of a grid: the table's column and its width in pixels."""

    name: str
    width: int


def _width(cell: Any, name: str) -> int:
    written = (cell.get("width") or str(DEFAULT_WIDTH)).strip()
    if not _WIDTH.fullmatch(written) or not 1 <= int(written) <= MAX_WIDTH:
        raise invalid(
            DOCUMENT, N_("the width of the cell '{column}' is '{width}', not a number of pixels "
                         "from 1 to {limit}."),
            column=name, width=show(written), limit=MAX_WIDTH,
        )  # fmt: skip
    return int(written)


def parse_layout(text: Any, table: TableMetadata) -> tuple[ViewColumn, ...]:
    """The cells of a layout, each a column of ``table``; a coded refusal otherwise."""
    root = read_xml(text, DOCUMENT)
    if root.tag != "grid":
        raise invalid(DOCUMENT, N_("its root element is <{element}>, not <grid>."),
                      element=show(str(root.tag)))  # fmt: skip
    rows = list(root)
    if len(rows) != 1 or rows[0].tag != "row":
        raise invalid(DOCUMENT, N_("<grid> holds exactly one <row>."))
    found: dict[str, ViewColumn] = {}
    for cell in rows[0]:
        if cell.tag != "cell":
            raise invalid(DOCUMENT, N_("the element <{element}> is not supported in <{parent}>."),
                          element=show(str(cell.tag)), parent="row")  # fmt: skip
        name = (cell.get("name") or "").strip()
        if not name:
            raise invalid(DOCUMENT, N_("<{element}> needs the attribute {attribute}."),
                          element="cell", attribute="name")  # fmt: skip
        if name not in table.columns:
            raise UNKNOWN_DOCUMENT_COLUMN(document=DOCUMENT, column=show(name), table=table.name)
        found.setdefault(name, ViewColumn(name, _width(cell, name)))
    if not found:
        raise invalid(DOCUMENT, N_("it shows no column: add a <cell> to its <row>."))
    return tuple(found.values())
