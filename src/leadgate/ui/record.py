"""The record form: a record shown, created and saved through the table's Main ``systemform``.

``record_page`` renders a record's form: command bar (``commands.record_commands``), header,
process bar (``process_bar.process_bar``), the tabs/sections/fields of the table's default
Main form, and an optional dialog. Commands that fail re-render it with the coded error and
status; the person's typed values are kept through ``values``/``field_errors``.

Saving sends Create, or Update of the fields the form shows and the person changed, with the
row version the page was read at: a change someone made meanwhile is a coded refusal on the
page, never overwritten in silence. Every message runs as the signed-in person.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.errors import REQUIRED_FIELD_MISSING, LeadgateError
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.types import Language
from leadgate.platform.engine.validation import check_required
from leadgate.platform.views import Form
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.commands import RecordLink, record_commands, record_links
from leadgate.ui.errors import RECORD_CLOSED
from leadgate.ui.pages import page, redirect_with_notice, translator
from leadgate.ui.posted import PostedForm, read_form
from leadgate.ui.process_bar import process_bar
from leadgate.ui.record_form import MainForms, build_fields, editable, input_text
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_id_of, record_url, table_of, table_url
from leadgate.ui.values import parse_field
from leadgate.web.errors import status_of

__all__ = [
    "NOTICES",
    "VERSION_FIELD",
    "Dialog",
    "closed_refusal",
    "is_closed",
    "record_page",
    "router",
    "save_changes",
]

router = APIRouter()

# The row version the page was read at (no column's logical name has a dash).
VERSION_FIELD = "row-version"
# What a redirect after a save says on the next page (shown once: pages.redirect_with_notice).
NOTICES = {"saved": N_("Saved"), "unchanged": N_("Nothing to save: no field was changed.")}


class Dialog:
    """A dialog the page opens at once (after a post, or a link without JavaScript):
    ``template`` is the dialog's partial, ``context`` what it needs."""

    def __init__(self, template: str, **context: Any) -> None:
        self.template = template
        self.context = context


def is_closed(table: TableMetadata, record: Entity | None) -> bool:
    """A lead or opportunity no longer open, an inactive account or contact: state 0 is the
    only one a record is edited in; leaving another is a command (Reactivate)."""
    return record is not None and table.has_state and record.get("statecode") not in (None, 0)


def closed_refusal(ui: UiSession, table: TableMetadata, record: Entity) -> LeadgateError:
    option = table.column("statecode").option(int(record.get("statecode") or 0))
    state = option.label if option is not None else str(record.get("statecode"))
    return RECORD_CLOSED(table=table.label.in_language(ui.language).lower(), state=state)


def _columns(table: TableMetadata, form: Form) -> list[str]:
    names = [*form.fields, table.primary_name, "statecode", "statuscode", "versionnumber"]
    return [name for name in dict.fromkeys(names) if name in table.columns]


def record_page(
    request: Request,
    ui: UiSession,
    table: TableMetadata,
    record_id: uuid.UUID | None,
    *,
    status_code: int = 200,
    error: LeadgateError | None = None,
    dialog: Dialog | None = None,
    values: dict[str, str] | None = None,
    field_errors: dict[str, LeadgateError] | None = None,
    notice: str | None = None,
    error_link: RecordLink | None = None,
) -> HTMLResponse:
    """The record's form (an empty one when ``record_id`` is None), read as the person;
    ``error_link``: a page the error offers (a refused Qualify's "Why can't I qualify?")."""
    metadata = ui.metadata()
    forms = MainForms(ui, metadata)
    form = forms.default(table)
    record = None
    if record_id is not None:
        record = ui.service.retrieve(table.name, record_id, _columns(table, form))
    closed = is_closed(table, record)
    errors_by_field = dict(field_errors or {})
    named = str(error.params.get("column") or "") if error is not None else ""
    if named in form.fields and named not in errors_by_field:
        assert error is not None
        errors_by_field[named] = error
    header, tabs = build_fields(
        ui, metadata, forms, form, record, can_edit=not closed, values=values or {},
        field_errors=errors_by_field,
    )  # fmt: skip
    _ = translator(ui.language)
    if record is not None:
        title = str(record.get(table.primary_name) or "") or _("(no name)")
        action = record_url(table.entity_set, record_id)
    else:
        label = table.label.in_language(ui.language)
        # English titles capitalize the table's name (New Lead), French does not (Nouveau prospect).
        title = _("New {table}", table=label if ui.language is Language.ENGLISH else label.lower())
        action = f"{table_url(table.entity_set)}/new"
    return page(
        request, ui, "form.html", status_code=status_code, error=error, notice=notice,
        address=action,
        table=table, record=record, form=form, title=title, action=action, header=header,
        tabs=tabs, closed=closed_refusal(ui, table, record) if closed and record else None,
        version=record.row_version if record is not None else None,
        version_field=VERSION_FIELD, grid_url=table_url(table.entity_set),
        commands=record_commands(ui, table, record), links=record_links(table, record),
        error_link=error_link if error is not None else None,
        process=process_bar(ui, table, record, error=error),
        dialog=dialog, dialog_context=dialog.context if dialog is not None else {},
    )  # fmt: skip


# --- routes --------------------------------------------------------------------------------


def _posted(
    ui: UiSession, table: TableMetadata, form: Form, posted: PostedForm, record: Entity | None
) -> tuple[dict[str, str], dict[str, Any], dict[str, LeadgateError]]:
    """What the person typed (kept for a re-render), the values to save (the editable fields
    whose text changed), and the fields whose text cannot be read."""
    typed: dict[str, str] = {}
    changes: dict[str, Any] = {}
    refused: dict[str, LeadgateError] = {}
    for name in form.fields:
        column = table.column(name)
        if name not in posted or not editable(column, record is not None):
            continue
        before = record.get(name) if record is not None else None
        # A step of the process bar is a second input of its column (the bar and the
        # section): of the texts posted for one column, the one the person changed wins.
        texts = posted.getlist(name) or [""]
        unchanged = input_text(column, before, ui.language).strip()
        text = typed[name] = next((t for t in texts if t.strip() != unchanged), texts[0])
        if record is not None and text.strip() == unchanged:
            continue
        try:
            value = parse_field(column, text, ui.language)
        except LeadgateError as refusal:
            refused[name] = refusal
            continue
        if record is not None or value is not None:
            changes[name] = value
    return typed, changes, refused


def _missing(
    table: TableMetadata, form: Form, changes: dict[str, Any], record: Entity | None
) -> dict[str, LeadgateError]:
    """The form's fields the platform's required check refuses, all at once (the platform
    names only the first): asked field by field, so the rule stays the platform's."""
    missing: dict[str, LeadgateError] = {}
    for name in form.fields:
        column = table.column(name)
        if not editable(column, record is not None) or (record is not None and name not in changes):
            continue
        try:
            check_required(table, {name: changes.get(name)}, creating=False)
        except LeadgateError as refusal:
            missing[name] = refusal
    return missing


def _refused(
    ui: UiSession,
    request: Request,
    table: TableMetadata,
    form: Form,
    record: Entity | None,
    refusal: LeadgateError,
    typed: dict[str, str],
    changes: dict[str, Any],
    field_errors: dict[str, LeadgateError],
) -> HTMLResponse:
    """The form again with the person's input, the refusal, and every field in error: when
    values cannot be read or a required one is missing, the empty required fields too."""
    if field_errors or refusal.code == REQUIRED_FIELD_MISSING.code:
        field_errors = {**_missing(table, form, changes, record), **field_errors}
    return record_page(
        request, ui, table, record.id if record is not None else None,
        status_code=status_of(refusal), error=refusal, values=typed, field_errors=field_errors,
    )  # fmt: skip


def save_changes(
    request: Request, ui: UiSession, table: TableMetadata, record_id: uuid.UUID,
    posted: PostedForm,
) -> HTMLResponse | None:  # fmt: skip
    """Save what the person changed in the form before a command runs (Dynamics saves the
    form first; the commands' buttons post the form): None when saved or nothing changed,
    else the form again with the refusal and what they typed. A closed record is the
    command's business (Reactivate), a post without the form's version has no form."""
    if VERSION_FIELD not in posted:
        return None
    form = MainForms(ui, ui.metadata()).default(table)
    record = ui.service.retrieve(table.name, record_id, _columns(table, form))
    if is_closed(table, record):
        return None
    typed, changes, refused = _posted(ui, table, form, posted, record)
    if refused:
        first = next(iter(refused.values()))
        return _refused(ui, request, table, form, record, first, typed, changes, refused)
    if not changes:
        return None
    version_text = posted.get(VERSION_FIELD).strip()
    version = int(version_text) if version_text.isdigit() else record.row_version
    try:
        ui.service.update(Entity(table.name, record_id, changes), if_version=version)
    except LeadgateError as refusal:
        return _refused(ui, request, table, form, record, refusal, typed, changes, {})
    return None


def _saved(ui: UiSession, table: TableMetadata, record_id: uuid.UUID, notice: str) -> Response:
    return redirect_with_notice(
        record_url(table.entity_set, record_id), translator(ui.language)(NOTICES[notice])
    )


@router.get("/{entity_set}/new")
async def new_record(request: Request, ui: SignedIn, entity_set: str) -> Response:
    return record_page(request, ui, table_of(ui, entity_set), None)


@router.get("/{entity_set}/{record_id}")
async def show_record(request: Request, ui: SignedIn, entity_set: str, record_id: str) -> Response:
    table = table_of(ui, entity_set)
    return record_page(request, ui, table, record_id_of(record_id))


@router.post("/{entity_set}/new")
async def create_record(request: Request, ui: SignedIn, entity_set: str) -> Response:
    table = table_of(ui, entity_set)
    posted = await read_form(request)
    check_csrf(ui, posted)
    form = MainForms(ui, ui.metadata()).default(table)
    typed, changes, refused = _posted(ui, table, form, posted, None)
    if refused:
        first = next(iter(refused.values()))
        return _refused(ui, request, table, form, None, first, typed, changes, refused)
    try:
        created = ui.service.create(Entity(table.name, None, changes))
    except LeadgateError as refusal:
        return _refused(ui, request, table, form, None, refusal, typed, changes, {})
    return _saved(ui, table, created, "saved")


@router.post("/{entity_set}/{record_id}")
async def save_record(request: Request, ui: SignedIn, entity_set: str, record_id: str) -> Response:
    table = table_of(ui, entity_set)
    key = record_id_of(record_id)
    posted = await read_form(request)
    check_csrf(ui, posted)
    form = MainForms(ui, ui.metadata()).default(table)
    record = ui.service.retrieve(table.name, key, _columns(table, form))
    if is_closed(table, record):
        refusal = closed_refusal(ui, table, record)
        return record_page(request, ui, table, key, status_code=status_of(refusal), error=refusal)
    typed, changes, refused = _posted(ui, table, form, posted, record)
    if refused:
        first = next(iter(refused.values()))
        return _refused(ui, request, table, form, record, first, typed, changes, refused)
    if not changes:
        return _saved(ui, table, key, "unchanged")
    version_text = posted.get(VERSION_FIELD).strip()
    # A page without its version (a hand-made post) saves against the version read now.
    version = int(version_text) if version_text.isdigit() else record.row_version
    try:
        ui.service.update(Entity(table.name, key, changes), if_version=version)
    except LeadgateError as refusal:
        return _refused(ui, request, table, form, record, refusal, typed, changes, {})
    return _saved(ui, table, key, "saved")
