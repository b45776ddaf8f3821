"""The record commands: POST /app/{entity_set}/{id}/{command} (ui/commands.py lists them).

The commands' buttons post the record's form too: what the person changed is saved first
(an Update with the row version the page was read at, as Dynamics saves before a command),
then the command runs. Each command runs the messages as the signed-in person — QualifyLead,
SetState, and an Update of the lead's existing account/contact when the salesperson picks a
match in the Duplicate warning — and holds no rule of its own: a refusal re-renders the
record's form with the message's coded error in the person's language, and nothing of the
command was done (its messages run in one ExecuteTransaction).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from leadgate.platform.duplicates.matchcodes import DuplicateMatch
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.engine.validation import DEFAULT_STATUS
from leadgate.platform.records.crud import UpdateRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.sales.errors import DUPLICATE_ON_QUALIFY
from leadgate.sales.qualify import QualifyLeadRequest, QualifyLeadResponse
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.commands import (
    DIAGNOSIS,
    QUALIFY,
    CommandSpec,
    command_spec,
    extra_columns,
    record_link,
)
from leadgate.ui.errors import NOTHING_SELECTED
from leadgate.ui.pages import redirect_with_notice
from leadgate.ui.posted import PostedForm, read_form
from leadgate.ui.record import Dialog, record_page, save_changes
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url
from leadgate.ui.values import parse_field
from leadgate.web.errors import status_of

__all__ = ["duplicate_dialog", "router"]

router = APIRouter()

# The lead's "Existing Account?" and "Existing Contact?" (REFERENCE §2 lead_parent_account,
# lead_parent_contact; §4 Qualify stage): filled in, qualifying links them, creates none.
EXISTING = {"account": "parentaccountid", "contact": "parentcontactid"}
USE_SELECTED, CONTINUE = "use", "continue"


def _command(ui: UiSession, entity_set: str, command: str) -> tuple[TableMetadata, CommandSpec]:
    table = ui.metadata().table_for_entity_set(entity_set)
    spec = command_spec(table, command) if table is not None else None
    if table is None or spec is None:
        raise HTTPException(404)  # the app's "no page here" (0x8F4C47C9)
    return table, spec


@router.get("/{entity_set}/{record_id}/{command}")
async def after_command(
    ui: SignedIn, entity_set: str, record_id: uuid.UUID, command: str
) -> Response:
    """A command's address reloaded, or reached by Back: the record's form (a GET runs none)."""
    table, _ = _command(ui, entity_set, command)
    return RedirectResponse(record_url(table.entity_set, record_id), status_code=303)


@router.post("/{entity_set}/{record_id}/{command}")
async def run_command(
    request: Request, ui: SignedIn, entity_set: str, record_id: uuid.UUID, command: str
) -> Response:
    table, spec = _command(ui, entity_set, command)
    form = await read_form(request)
    check_csrf(ui, form)
    refused = save_changes(request, ui, table, record_id, form)
    if refused is not None:
        return refused
    if spec.key == QUALIFY:
        return _qualify(request, ui, table, record_id, form)
    return _set_state(request, ui, table, record_id, spec, form)


# --- SetState: Disqualify, Reactivate, Close as Won / Lost, Reopen, (De)activate ---------


def _dialog_field(form: PostedForm, spec: CommandSpec, name: str) -> str:
    """A closing dialog's field, named after its command ("win.status", "win.actualrevenue"):
    the dialogs post the record's form, which holds the other dialogs' fields and a field of
    the same column; a hand-made post may name it plainly."""
    prefixed = f"{spec.key}.{name}"
    return form.get(prefixed) if prefixed in form else form.get(name)


def _set_state(
    request: Request, ui: UiSession, table: TableMetadata, record_id: uuid.UUID,
    spec: CommandSpec, form: PostedForm,
) -> Response:  # fmt: skip
    assert spec.target_state is not None
    reference = EntityReference(table.name, record_id)
    try:
        status = DEFAULT_STATUS
        reason = _dialog_field(form, spec, "status")
        if spec.asks_reason and reason.strip():
            status = parse_field(table.column("statuscode"), reason, ui.language)
        values = {
            column.name: value
            for column in extra_columns(table, spec)
            if (value := parse_field(column, _dialog_field(form, spec, column.name), ui.language))
            is not None
        }
        requests: list[Any] = []
        if values:
            requests.append(UpdateRequest(Entity(table.name, record_id, values)))
        requests.append(SetStateRequest(reference, spec.target_state, status))
        _execute(ui, requests)
    except LeadgateError as error:
        return record_page(request, ui, table, record_id, status_code=status_of(error),
                           error=error)  # fmt: skip
    notice = Text(spec.done)
    return redirect_with_notice(record_url(table.entity_set, record_id),
                                notice.in_language(ui.language))  # fmt: skip


def _execute(ui: UiSession, requests: list[Any]) -> Any:
    """One message as it is, several in one transaction: all or nothing."""
    if len(requests) == 1:
        return ui.service.execute(requests[0])
    return ui.service.execute(ExecuteTransactionRequest(tuple(requests))).responses[-1]


# --- Qualify, with the Duplicate warning --------------------------------------------------


def _links(ui: UiSession, leads: TableMetadata, form: PostedForm, prefix: str) -> dict[str, Any]:
    """The existing records the salesperson chose, by table (``prefix.account``...)."""
    chosen: dict[str, Any] = {}
    for table_name, column in EXISTING.items():
        text = form.get(f"{prefix}.{table_name}").strip()
        if text:
            chosen[table_name] = parse_field(leads.column(column), text, ui.language)
    return chosen


def _qualify(
    request: Request, ui: UiSession, leads: TableMetadata, lead_id: uuid.UUID, form: PostedForm
) -> Response:
    """Qualify from the form: duplicate detection on, unless the salesperson pressed Continue
    in the Duplicate warning; records they selected there are linked to the lead first."""
    answer = form.get("duplicates")
    linked: dict[str, Any] = {}
    problem = None
    try:
        linked = _links(ui, leads, form, "linked")
        if answer == USE_SELECTED:
            selected = _links(ui, leads, form, "select")
            if not selected:
                problem = NOTHING_SELECTED()
            linked.update(selected)
        requests: list[Any] = []
        if linked:
            values = {EXISTING[name]: reference for name, reference in linked.items()}
            requests.append(UpdateRequest(Entity("lead", lead_id, values)))
        # An account chosen in the warning is the opportunity's customer too: else REFERENCE
        # §3 would pick the new contact before it, the opportunity's account being this one.
        requests.append(QualifyLeadRequest(
            EntityReference("lead", lead_id), suppress_duplicate_detection=answer == CONTINUE,
            opportunity_customer_id=linked.get("account"),
        ))  # fmt: skip
        response: QualifyLeadResponse = _execute(ui, requests)
    except LeadgateError as error:
        if error.code == DUPLICATE_ON_QUALIFY.code and "matches" in error.details:
            dialog = duplicate_dialog(ui, lead_id, error, linked, problem)
            return record_page(request, ui, leads, lead_id, status_code=400 if problem else 200,
                               dialog=dialog)  # fmt: skip
        # A refusal offers the qualification check: every cause, not only this first one.
        return record_page(request, ui, leads, lead_id, status_code=status_of(error), error=error,
                           error_link=record_link(leads, lead_id, DIAGNOSIS))  # fmt: skip
    return _qualified(ui, leads, lead_id, response)


def _qualified(
    ui: UiSession, leads: TableMetadata, lead_id: uuid.UUID, response: QualifyLeadResponse
) -> Response:
    """To the new opportunity's form, or back to the lead, saying what was made."""
    metadata = ui.metadata()
    made = []
    for reference in response.created_entities:
        table = metadata.table(reference.logical_name)
        assert reference.id is not None
        name = ui.service.retrieve(table.name, reference.id, [table.primary_name]).get(
            table.primary_name
        )
        made.append(Text(N_("{table} '{name}'"), table=table.label, name=name or "—"))
    notice = (
        Text(N_("The lead was qualified. Created: {records}."), records=made)
        if made
        else Text(N_("The lead was qualified; no record was created."))
    )
    opportunity = next(
        (ref for ref in response.created_entities if ref.logical_name == "opportunity"), None
    )
    if opportunity is not None:
        url = record_url(metadata.table("opportunity").entity_set, opportunity.id)
    else:
        url = record_url(leads.entity_set, lead_id)
    return redirect_with_notice(url, notice.in_language(ui.language))


def duplicate_dialog(
    ui: UiSession, lead_id: uuid.UUID, error: LeadgateError, linked: dict[str, Any],
    problem: LeadgateError | None = None,
) -> Dialog:  # fmt: skip
    """The Duplicate warning for the matches the refusal carries (one row per record, with
    every rule that found it), keeping the records already chosen."""
    metadata = ui.metadata()
    rows: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for data in error.details.get("matches", ()):
        match = DuplicateMatch.from_json(data)
        table = metadata.table(match.table)
        row = rows.setdefault((match.table, match.id), {
            "table": match.table, "id": match.id, "name": match.name or "—",
            "table_label": table.label, "url": record_url(table.entity_set, match.id),
            "rules": [],
        })  # fmt: skip
        if match.rule not in row["rules"]:
            row["rules"].append(match.rule)
    lead_url = record_url(metadata.table("lead").entity_set, lead_id)
    return Dialog(
        "_dialog_duplicates.html",
        action=f"{lead_url}/{QUALIFY}",
        cancel=lead_url,
        matches=list(rows.values()),
        linked={name: str(reference.id) for name, reference in linked.items()},
        warning=Text(error.kind.text, **error.params),
        code=error.code,
        problem=problem,
    )
