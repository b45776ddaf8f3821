"""The app's site map: which tables the navigation offers, in the order a salesperson works
them (Dynamics keeps this in its sitemap record; a table an administrator adds is reached
from a view's or form's link until the site map becomes a record too). Their records are the
ones other pages link to (``shown_record_url``); System Jobs have pages of their own
(ui/jobs.py) at the table's address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException

from leadgate.platform.engine.i18n import Label
from leadgate.platform.engine.metadata.model import TableMetadata

if TYPE_CHECKING:
    from leadgate.ui.sessions import UiSession

__all__ = [
    "APP_ROOT",
    "SITEMAP",
    "NavItem",
    "navigation",
    "record_id_of",
    "record_url",
    "shown_record_url",
    "table_of",
    "table_url",
]

APP_ROOT = "/app"
SITEMAP = ("lead", "opportunity", "account", "contact", "asyncoperation")


@dataclass(frozen=True)
class NavItem:
    label: Label
    url: str
    current: bool


def table_url(entity_set: str) -> str:
    return f"{APP_ROOT}/{entity_set}"


def record_url(entity_set: str, record_id: object) -> str:
    return f"{APP_ROOT}/{entity_set}/{record_id}"


def shown_record_url(ui: UiSession, table_name: str | None, record_id: object) -> str | None:
    """The address of a record's page when the app shows that table's records; else None."""
    if not table_name or record_id is None or table_name not in SITEMAP:
        return None
    table = ui.metadata().tables.get(table_name)
    return record_url(table.entity_set, record_id) if table is not None else None


def table_of(ui: UiSession, entity_set: str) -> TableMetadata:
    """The table an address names by its entity set; the app's "no page here" (404) if none."""
    table = ui.metadata().table_for_entity_set(entity_set)
    if table is None:
        raise HTTPException(404)
    return table


def record_id_of(text: str) -> uuid.UUID:
    """The record an address names; the app's "no page here" (404) if it is no GUID."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise HTTPException(404) from None


def navigation(ui: UiSession, path: str) -> list[NavItem]:
    tables = ui.metadata().tables
    items = []
    for name in SITEMAP:
        table = tables.get(name)
        if table is None:
            continue
        url = table_url(table.entity_set)
        current = path == url or path.startswith(url + "/")
        items.append(NavItem(table.plural_label or table.label, url, current))
    return items
