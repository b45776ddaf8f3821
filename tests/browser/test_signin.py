"""Signing in and out in Chromium, in English and French: where a person lands, what the
session cookie is, and the refusals a person sees on the page (wrong password, a session
that ended, a disabled user, a form without its CSRF token)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from leadgate.platform.users.errors import SIGN_IN_FAILED
from leadgate.ui.errors import CSRF_REFUSED
from tests.browser import BROWSER, SIGN_IN, sign_in
from tests.browser.live import FRENCH_SALESPERSON, SALESPERSON, LiveServer

pytestmark = BROWSER

SESSION_COOKIE = "leadgate_session"


def session_cookie(context: BrowserContext) -> dict | None:
    found = [cookie for cookie in context.cookies() if cookie["name"] == SESSION_COOKIE]
    return dict(found[0]) if found else None


def page_error(page: Page) -> tuple[str, str]:
    """The coded error the page shows: (code, text)."""
    alert = page.get_by_role("alert")
    return alert.locator("code").inner_text(), alert.locator(".alert-text").inner_text()


def test_the_front_door_sends_a_signed_out_person_to_the_sign_in_page(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/signin"
    expect(page.get_by_role("heading", name="Sign in to leadgate")).to_be_visible()
    page.get_by_role("link", name="Français").click()
    expect(page.get_by_role("button", name="Se connecter", exact=True)).to_be_visible()
    expect(page.get_by_label("Adresse e-mail", exact=True)).to_be_visible()


@pytest.mark.parametrize(("email", "language"), [(SALESPERSON, "en"), (FRENCH_SALESPERSON, "fr")])
def test_a_salesperson_signs_in_to_the_leads_page(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    sign_in(page, live_server, email, language=language)
    assert page.url == live_server.url + "/app/leads"
    cookie = session_cookie(page.context)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)
    assert page.evaluate("document.cookie") == ""  # the page's scripts cannot read it
    # The app speaks the user's own language (their systemuser setting), whatever the
    # sign-in page was read in.
    expect(page.locator("html")).to_have_attribute("lang", language)
    heading = {"en": "Leads", "fr": "Prospects"}[language]
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=heading, exact=True)).to_have_attribute(
        "aria-current", "page"
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_wrong_password_shows_the_coded_error_in_the_page_language(
    page: Page, live_server: LiveServer, language: str
) -> None:
    email = live_server.add_user()
    sign_in(page, live_server, email, password="not the password", language=language)
    assert page.url.startswith(live_server.url + "/signin")
    assert page_error(page) == (SIGN_IN_FAILED.code, SIGN_IN_FAILED().message(language))
    expect(page.get_by_label(SIGN_IN[language]["email"], exact=True)).to_have_value(email)
    assert session_cookie(page.context) is None


def test_signing_out_ends_the_session_on_the_server(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, SALESPERSON)
    cookie = session_cookie(page.context)
    assert cookie is not None
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out", exact=True).click()
    assert page.url == live_server.url + "/signin"
    assert session_cookie(page.context) is None

    # Whoever kept the old cookie (another tab, a copied header) is signed out too.
    replay = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        replay.add_cookies([cookie])  # type: ignore[list-item]
        stale = replay.new_page()
        stale.goto(live_server.url + "/app/leads")
        assert stale.url == live_server.url + "/signin?next=/app/leads"
        expect(stale.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    finally:
        replay.close()


def test_a_disabled_users_session_is_refused_at_once(page: Page, live_server: LiveServer) -> None:
    email = live_server.add_user()
    sign_in(page, live_server, email)
    assert page.url == live_server.url + "/app/leads"
    live_server.set_disabled(email)  # as `leadgate users disable` does, behind the browser
    page.reload()
    assert re.fullmatch(re.escape(live_server.url) + r"/signin\?next=/app/leads&disabled=1",
                        page.url)  # fmt: skip
    expect(page.get_by_role("alert")).to_have_text(
        "Your user is disabled: ask an administrator to enable it."
    )
    sign_in(page, live_server, email)  # and signing in again is refused
    assert page.url.startswith(live_server.url + "/signin")
    assert page_error(page)[0] == "0x8F4C4731"


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(
    page: Page, live_server: LiveServer
) -> None:
    email = live_server.add_user()
    sign_in(page, live_server, email)
    # A forged post: the language form, without the token a page of this site carries.
    language_form = page.locator("form[action='/app/settings/language']")
    language_form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page_error(page) == (CSRF_REFUSED.code, CSRF_REFUSED().message("en"))
    assert live_server.user(email)["uilanguageid"] == 1033  # still English

    # The same form with its token switches the language: the refusal was the token's.
    page.goto(live_server.url + "/app/leads")
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert live_server.user(email)["uilanguageid"] == 1036
