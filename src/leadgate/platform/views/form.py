"""A form (``systemform`` record) as a value: header columns, then tabs of sections of columns.

``formjson``: ``{"header": ["statuscode", "ownerid"], "tabs": [{"name": "summary", "label":
["Summary", "Résumé"], "sections": [{"name": "contact", "label": ["Contact", "Contact"],
"fields": ["subject", "firstname"]}]}]}``. Labels are [English, French]; the fields' own labels
come from the metadata.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import N_, Label
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.values import show
from leadgate.platform.views._documents import invalid, read_json
from leadgate.platform.views.errors import UNKNOWN_DOCUMENT_COLUMN, UNKNOWN_DOCUMENT_TABLE

__all__ = ["Form", "FormSection", "FormTab", "parse_form"]

DOCUMENT = "formjson"
MAIN_FORM, QUICK_VIEW_FORM, QUICK_CREATE_FORM = 2, 6, 7


@dataclass(frozen=True)
class FormSection:
    name: str
    label: Label
    fields: tuple[str, ...]


@dataclass(frozen=True)
class FormTab:
    name: str
    label: Label
    sections: tuple[FormSection, ...]


def _where(path: str) -> Any:
    return invalid(DOCUMENT, N_("{path} is not what a form holds there."), path=path)


def _name(raw: Any, path: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise invalid(DOCUMENT, N_("{path} needs a name (text)."), path=path)
    return raw


def _label(raw: Any, name: str, path: str) -> Label:
    if raw is None:
        return Label(name)
    if isinstance(raw, str):
        return Label(raw)
    if isinstance(raw, list) and 1 <= len(raw) <= 2 and all(isinstance(t, str) for t in raw):
        return Label(*raw)
    raise invalid(DOCUMENT, N_("the label of {path} is not [English, French]."), path=path)


def _fields(raw: Any, table: TableMetadata, path: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise _where(path)
    for name in raw:
        if name not in table.columns:
            raise UNKNOWN_DOCUMENT_COLUMN(document=DOCUMENT, column=show(name), table=table.name)
    return tuple(dict.fromkeys(raw))


def _list(raw: Any, path: str) -> list[Any]:
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise _where(path)
    return raw


def _tab(raw: dict[str, Any], table: TableMetadata, path: str) -> FormTab:
    name = _name(raw.get("name"), path)
    sections = []
    for index, section in enumerate(_list(raw.get("sections", []), f"{path}.sections")):
        where = f"{path}.sections[{index}]"
        section_name = _name(section.get("name"), where)
        sections.append(FormSection(
            section_name, _label(section.get("label"), section_name, where),
            _fields(section.get("fields", []), table, f"{where}.fields"),
        ))  # fmt: skip
    return FormTab(name, _label(raw.get("label"), name, path), tuple(sections))


def parse_form(text: Any, table: TableMetadata) -> tuple[tuple[str, ...], tuple[FormTab, ...]]:
    """A formjson's header and tabs, every field a column of ``table``; a coded refusal
    otherwise."""
    document = read_json(text, DOCUMENT)
    if not isinstance(document, dict):
        raise _where(DOCUMENT)
    header = _fields(document.get("header", []), table, "header")
    tabs = tuple(
        _tab(tab, table, f"tabs[{index}]")
        for index, tab in enumerate(_list(document.get("tabs", []), "tabs"))
    )
    if not tabs:
        raise invalid(DOCUMENT, N_("it has no tab: a form shows its fields in tabs."))
    return header, tabs


@dataclass(frozen=True)
class Form:
    id: uuid.UUID
    name: Label
    table: str
    is_default: bool
    header: tuple[str, ...]
    tabs: tuple[FormTab, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """Every column the form shows (header first), once: what to read for it."""
        names = [*self.header]
        for tab in self.tabs:
            for section in tab.sections:
                names += section.fields
        return tuple(dict.fromkeys(names))

    @classmethod
    def from_record(cls, record: Entity, metadata: MetadataSet) -> Form:
        """A ``systemform`` record read with the published metadata (a coded refusal when its
        formjson cannot be read or names a column the table does not have)."""
        name = str(record.get("objecttypecode") or "")
        table = metadata.tables.get(name)
        if table is None:
            raise UNKNOWN_DOCUMENT_TABLE(document=DOCUMENT, table=show(name))
        header, tabs = parse_form(record.get("formjson"), table)
        assert record.id is not None
        return cls(
            id=record.id,
            name=Label(str(record.get("name") or ""), record.get("name_fr") or None),
            table=table.name,
            is_default=bool(record.get("isdefault")),
            header=header,
            tabs=tabs,
        )
