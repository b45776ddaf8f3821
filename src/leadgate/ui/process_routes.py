"""The process bar's moves: Next Stage, Back and Set Active, posted from a record's form.

Each finds the instance the record follows (RetrieveProcessInstances) and sends the message
Dataverse names, as the signed-in person: NextStage, PreviousStage, SetProcessStage. A move
redirects back to the form, which says where the process went; a refusal (required steps
empty, no access, a closed record…) and Next Stage's "does not move" notice re-render the form
with the coded error in the person's language. A move's address opened again (a reload after
a refusal) shows the form.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.processes.errors import NO_PROCESS_INSTANCE, STAGE_NOT_IN_PROCESS
from leadgate.platform.processes.messages import (
    Instance,
    NextStageRequest,
    PreviousStageRequest,
    SetProcessStageRequest,
)
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.pages import redirect_with_notice, translator
from leadgate.ui.posted import PostedForm, read_form
from leadgate.ui.process_bar import active_instance
from leadgate.ui.record import closed_refusal, is_closed, record_page
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_id_of, record_url, table_of
from leadgate.web.errors import status_of

__all__ = ["router"]

router = APIRouter()

MOVES = ("next", "back", "set-active")
MOVED = N_("Moved to the stage {stage}.")


def _stage(form: PostedForm, instance: Instance) -> EntityReference:
    """The stage Set Active names (a stage of the record's process)."""
    text = form.get("stage").strip()
    try:
        stage = instance.process.stage(uuid.UUID(text))
    except ValueError:
        stage = None
    if stage is None:
        raise STAGE_NOT_IN_PROCESS(stage=text[:80] or "—", process=instance.process.name)
    return stage.reference()


def _refuse_closed(ui: UiSession, table: TableMetadata, record_id: uuid.UUID) -> None:
    """A closed record's process is moved on the record its active stage is on, if at all."""
    if not table.has_state:
        return
    record = ui.service.retrieve(table.name, record_id, ["statecode"])
    if is_closed(table, record):
        raise closed_refusal(ui, table, record)


def _move(
    ui: UiSession, move: str, instance: Instance, form: PostedForm
) -> tuple[EntityReference | None, LeadgateError | None]:
    """Run the move: the stage it led to, or what Next Stage says when it does not move."""
    target = EntityReference(instance.table, instance.id)
    if move == "next":
        response = ui.service.execute(NextStageRequest(target))
        if not response.moved:
            return None, response.notice
        return response.active_stage, None
    if move == "back":
        return ui.service.execute(PreviousStageRequest(target)).active_stage, None
    moved = ui.service.execute(SetProcessStageRequest(target, _stage(form, instance)))
    return moved.active_stage, None


@router.get("/{entity_set}/{record_id}/process/{move}")
async def open_move(ui: SignedIn, entity_set: str, record_id: str, move: str) -> Response:
    """A move's address opened (a reload of the refused move's page): the record's form."""
    if move not in MOVES:
        raise HTTPException(404)
    table = table_of(ui, entity_set)
    return RedirectResponse(record_url(table.entity_set, record_id_of(record_id)), status_code=303)


@router.post("/{entity_set}/{record_id}/process/{move}")
async def move_process(
    request: Request, ui: SignedIn, entity_set: str, record_id: str, move: str
) -> Response:
    if move not in MOVES:
        raise HTTPException(404)
    table = table_of(ui, entity_set)
    key = record_id_of(record_id)
    form = await read_form(request)
    check_csrf(ui, form)
    try:
        _refuse_closed(ui, table, key)
        instance = active_instance(ui, table, key)
        if instance is None:
            raise NO_PROCESS_INSTANCE(table=table.name, id=key)
        stage, notice = _move(ui, move, instance, form)
    except LeadgateError as refusal:
        return record_page(request, ui, table, key, status_code=status_of(refusal), error=refusal)
    if notice is not None or stage is None:  # by design nothing moved (Next Stage on Qualify)
        return record_page(request, ui, table, key, error=notice)
    reached = instance.process.stage(stage.id)
    name = reached.name if reached is not None else str(stage.id)
    return redirect_with_notice(
        f"{record_url(table.entity_set, key)}#process", translator(ui.language)(MOVED, stage=name)
    )
