"""Pages: Jinja2 templates rendered in the reader's language.

Every template gets ``_`` (the catalogue, in the reader's language), ``ui`` (the session, or
None on the sign-in page), ``csrf`` (the token forms carry), ``nav`` (the site map) and
``error`` (a refusal to show). Templates import macros ``with context`` so they see ``_``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import Label, Text, render
from leadgate.platform.engine.types import Language
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import navigation

__all__ = ["NOTICE_COOKIE", "page", "redirect_with_notice", "translator"]

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("leadgate.ui", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# A notice for the page a command redirects to ("The lead was qualified…"), shown once. A
# cookie rather than the URL, so that no link can make the app say what it did not do.
NOTICE_COOKIE = "leadgate_notice"
_NOTICE_PATH = "/app"


def redirect_with_notice(url: str, notice: str) -> RedirectResponse:
    """303 to ``url``, whose page shows ``notice`` (already in the reader's language)."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(NOTICE_COOKIE, quote(notice[:1000]), max_age=120, path=_NOTICE_PATH,
                        httponly=True, samesite="lax")  # fmt: skip
    return response


def translator(language: Language) -> Callable[..., str]:
    """``_("text {name}", name=...)``: a catalogue text in the reader's language."""

    def translate(text: str, /, **params: Any) -> str:
        return render(text, params, language)

    return translate


def _in_language(language: Language) -> Callable[[Any], str]:
    def localize(value: Any) -> str:
        if isinstance(value, (Label, Text)):
            return value.in_language(language)
        if isinstance(value, LeadgateError):
            return value.message(language)
        return "" if value is None else str(value)

    return localize


def page(
    request: Request,
    ui: UiSession | None,
    template: str,
    /,
    *,
    status_code: int = 200,
    language: Language | None = None,
    headers: dict[str, str] | None = None,
    address: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A whole page; ``language`` only where nobody is signed in yet.

    ``address``: where this page lives. A page answering a post (a refusal shown with the
    person's input) says it, and app.js puts it in the address bar: reloading then reads the
    page again instead of posting the command once more."""
    language = ui.language if ui is not None else (language or Language.ENGLISH)
    flashed = request.cookies.get(NOTICE_COOKIE)
    if flashed and context.get("notice") is None:
        context["notice"] = unquote(flashed)
    html = _environment.get_template(template).render(
        request=request,
        ui=ui,
        csrf=ui.csrf if ui is not None else context.pop("csrf", ""),
        lang=language.value,
        _=translator(language),
        text=_in_language(language),
        nav=navigation(ui, request.url.path) if ui is not None else [],
        error=context.pop("error", None),
        notice=context.pop("notice", None),
        page_address=address if request.method == "POST" else None,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers.setdefault("Cache-Control", "no-store")
    if flashed:
        response.delete_cookie(NOTICE_COOKIE, path=_NOTICE_PATH, httponly=True, samesite="lax")
    return response
