"""The Leads grid in Chromium: a salesperson selects three of their open leads and presses
Qualify; the page shows progress, then the summary, and the leads have left My Open Leads."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import BROWSER, sign_in
from tests.browser.live import FRENCH_SALESPERSON, SALESPERSON, LiveServer

pytestmark = BROWSER

TEXTS = {
    "en": {"grid": "Leads", "qualify": "Qualify", "done": "3 leads qualified",
           "progress": "3 of 3", "select": "Select {name}"},
    "fr": {"grid": "Prospects", "qualify": "Qualifier", "done": "3 prospects qualifiés",
           "progress": "3 sur 3", "select": "Sélectionner {name}"},
}  # fmt: skip


@pytest.mark.parametrize(("email", "language"), [(SALESPERSON, "en"), (FRENCH_SALESPERSON, "fr")])
def test_a_salesperson_qualifies_three_leads_from_the_grid(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    texts = TEXTS[language]
    names = []
    for _ in range(3):
        lead_id = live_server.create_lead(email)
        names.append(str(live_server.system.retrieve("lead", lead_id, ["fullname"])["fullname"]))
    sign_in(page, live_server, email, language=language)
    expect(page.get_by_role("heading", name=texts["grid"], exact=True)).to_be_visible()
    for name in names:
        page.get_by_role("checkbox", name=texts["select"].format(name=name), exact=True).check()
    page.get_by_role("button", name=texts["qualify"], exact=True).click()
    expect(page.get_by_role("status").filter(has_text=texts["progress"])).to_be_attached()
    summary = page.locator("#bulk-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text(texts["done"])
    for name in names:  # qualified: no longer in My Open Leads
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
