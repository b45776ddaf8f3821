"""Browser tests: real Chromium driven by Playwright through the pages a salesperson uses.

What every browser test module shares: its marks (``pytestmark = BROWSER``), the browser
Chromium runs, and ``sign_in``, which goes through the sign-in page by its accessible names
as a person (or a screen reader) would.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.live import DEMO_PASSWORD, LiveServer

__all__ = ["BROWSER", "CHROMIUM", "CHROMIUM_ARGS", "SIGN_IN", "sign_in"]

BROWSER = [
    pytest.mark.browser,
    pytest.mark.interface_only,
    pytest.mark.xdist_group("browser"),
]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)  # fmt: skip

# The sign-in page's accessible names, by language (the issue's table).
SIGN_IN = {
    "en": {"email": "Email", "password": "Password", "button": "Sign in"},
    "fr": {"email": "Adresse e-mail", "password": "Mot de passe", "button": "Se connecter"},
}


def sign_in(
    page: Page,
    server: LiveServer,
    email: str,
    password: str = DEMO_PASSWORD,
    language: str = "en",
    next_url: str = "",
) -> None:
    """Open the sign-in page in ``language`` and sign in; waits for the page that follows."""
    names = SIGN_IN[language]
    query = f"?lang={language}" + (f"&next={next_url}" if next_url else "")
    page.goto(f"{server.url}/signin{query}")
    page.get_by_label(names["email"], exact=True).fill(email)
    page.get_by_label(names["password"], exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=names["button"], exact=True).click()
