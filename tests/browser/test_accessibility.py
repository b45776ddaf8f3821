"""What assistive technology meets on every page a salesperson uses: each control has an
accessible name, each page one <h1> and a <main>, each image-like sign (✓, ⚠, ●) is backed by
text, and the whole Duplicate warning works from the keyboard (focus moves in, Escape closes
it, focus comes back to Qualify) and leaves an address that reloading does not post again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from leadgate.platform.jobs import CancelJobRequest
from leadgate.sales.bulk_qualify import BulkQualifyLeadsRequest
from tests.browser import BROWSER, sign_in
from tests.browser.live import FRENCH_SALESPERSON, SALESPERSON, LiveServer

pytestmark = BROWSER

# Every form control and button on the page with no name a screen reader could read out.
UNNAMED = """() => {
  const named = (el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
    if (el.labels && el.labels.length) return true;
    if (el.title) return true;
    if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) && el.textContent.trim()) return true;
    return false;
  };
  return [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href], [role=button]'
  )].filter((el) => el.offsetParent !== null && !named(el)).map((el) => el.outerHTML.slice(0, 120));
}"""


def _pages(server: LiveServer, email: str) -> list[str]:
    lead = server.create_lead(email)
    # A system job of theirs, canceled (its page offers Retry; no worker runs it meanwhile).
    service = server.org.service(server.user_id(email))
    job = service.execute(BulkQualifyLeadsRequest(lead_ids=(lead,))).job_ids[0]
    service.execute(CancelJobRequest(job))
    return ["/app/leads", f"/app/leads/{lead}", f"/app/leads/{lead}/diagnosis",
            "/app/leads/new", "/app/opportunities",
            "/app/accounts", "/app/contacts", "/app/asyncoperations",
            f"/app/asyncoperations/{job}"]  # fmt: skip


@pytest.mark.parametrize(("email", "language"), [(SALESPERSON, "en"), (FRENCH_SALESPERSON, "fr")])
def test_every_control_on_every_page_has_a_name(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    sign_in(page, live_server, email, language=language)
    for path in _pages(live_server, email):
        page.goto(live_server.url + path)
        assert page.evaluate(UNNAMED) == [], path
        expect(page.locator("h1")).to_have_count(1)
        expect(page.get_by_role("main")).to_have_count(1)
        assert page.locator("html").get_attribute("lang") == language


def test_the_duplicate_warning_is_a_real_dialog_for_the_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    owner = live_server.user(SALESPERSON).to_reference()
    live_server.system.create("account", name="Keyboard Works Ltd", ownerid=owner)
    lead = live_server.create_lead(SALESPERSON, companyname="Keyboard Works Ltd")
    sign_in(page, live_server, SALESPERSON)
    page.goto(f"{live_server.url}/app/leads/{lead}")
    page.get_by_role("button", name="Qualify", exact=True).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Duplicate warning")
    expect(dialog).to_be_visible()
    # Focus is inside the dialog, and Tab never reaches the page behind it (it is inert; past
    # the dialog's last control, focus goes to the browser's own controls, as for any page).
    inside = "() => !!document.activeElement.closest('dialog')"
    outside = (
        "() => document.activeElement !== document.body"
        " && !document.activeElement.closest('dialog')"
    )
    assert page.evaluate(inside)
    for _ in range(8):
        page.keyboard.press("Tab")
        assert not page.evaluate(outside)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Qualify", exact=True)).to_be_focused()
    # The page answering the post took the lead's own address: reloading reads the lead,
    # it does not qualify it again.
    assert page.url == f"{live_server.url}/app/leads/{lead}"
    page.reload()
    expect(page.get_by_role("dialog", name="Duplicate warning")).to_have_count(0)
    assert live_server.system.retrieve("lead", lead, ["statecode"])["statecode"] == 0
