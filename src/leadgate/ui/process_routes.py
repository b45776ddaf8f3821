"""The process bar's moves: Next Stage, Back and Set Active, posted from a record's form.

Each finds the instance the record follows (RetrieveProcessInstances) and sends the message
Dataverse names, as the signed-in person: NextStage, PreviousStage, SetProcessStage. A move
redirects back to the form; a refusal (required steps empty, no access…) and Next Stage's
"does not move" notice re-render the form with the coded error in the person's language.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.metadata.model import TableMetadata
from leadgate.platform.processes.errors import NO_PROCESS_INSTANCE, STAGE_NOT_IN_PROCESS
from leadgate.platform.processes.messages import (
    Instance,
    NextStageRequest,
    PreviousStageRequest,
    SetProcessStageRequest,
)
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.forms_data import Form, read_form
from leadgate.ui.process_bar import active_instance
from leadgate.ui.record import record_page
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url
from leadgate.web.errors import status_of

__all__ = ["router"]

router = APIRouter()

MOVES = ("next", "back", "set-active")


def _table(ui: UiSession, entity_set: str) -> TableMetadata:
    table = ui.metadata().table_for_entity_set(entity_set)
    if table is None:
        raise HTTPException(404)
    return table


def _record_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise HTTPException(404) from None


def _stage(form: Form, instance: Instance) -> EntityReference:
    """The stage Set Active names (a stage of the record's process)."""
    text = form.get("stage").strip()
    try:
        stage = instance.process.stage(uuid.UUID(text))
    except ValueError:
        stage = None
    if stage is None:
        raise STAGE_NOT_IN_PROCESS(stage=text[:80] or "—", process=instance.process.name)
    return stage.reference()


def _move(ui: UiSession, move: str, instance: Instance, form: Form) -> LeadgateError | None:
    """Run the move; what Next Stage says when the stage does not move (else None)."""
    target = EntityReference(instance.table, instance.id)
    if move == "next":
        response = ui.service.execute(NextStageRequest(target))
        notice: LeadgateError | None = None if response.moved else response.notice
        return notice
    if move == "back":
        ui.service.execute(PreviousStageRequest(target))
        return None
    ui.service.execute(SetProcessStageRequest(target, _stage(form, instance)))
    return None


@router.post("/{entity_set}/{record_id}/process/{move}")
async def move_process(
    request: Request, ui: SignedIn, entity_set: str, record_id: str, move: str
) -> Response:
    if move not in MOVES:
        raise HTTPException(404)
    table = _table(ui, entity_set)
    key = _record_id(record_id)
    form = await read_form(request)
    check_csrf(ui, form)
    try:
        instance = active_instance(ui, table, key)
        if instance is None:
            raise NO_PROCESS_INSTANCE(table=table.name, id=key)
        notice = _move(ui, move, instance, form)
    except LeadgateError as refusal:
        return record_page(request, ui, table, key, status_code=status_of(refusal), error=refusal)
    if notice is not None:  # by design nothing moved (the seed's Next Stage on Qualify)
        return record_page(request, ui, table, key, error=notice)
    return RedirectResponse(f"{record_url(table.entity_set, key)}#process", status_code=303)
