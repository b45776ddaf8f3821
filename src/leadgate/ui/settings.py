"""The person's own settings: the language they read the app in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from leadgate.platform.engine.types import Language
from leadgate.platform.users.messages import SetUserLanguageRequest
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.posted import read_form
from leadgate.ui.signin import safe_next

__all__ = ["router"]

router = APIRouter()


@router.post("/settings/language")
async def set_language(request: Request, ui: SignedIn) -> Response:
    form = await read_form(request)
    check_csrf(ui, form)
    chosen = form.get("language")
    language = Language.FRENCH if chosen == Language.FRENCH else Language.ENGLISH
    ui.service.execute(SetUserLanguageRequest(language))
    return RedirectResponse(safe_next(form.get("next")), status_code=303)
