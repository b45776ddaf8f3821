"""A large selection in the Leads grid, in Chromium: Qualify queues a system job and opens its
page, which follows the job while a worker runs it and then shows what it did — the refused
lead with its reason, every lead's made records — and System Jobs lists it. "Qualify all N
leads of this view" asks first, and its job can be canceled from its page."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Dialog, Page, expect

from leadgate.platform import EntityReference
from leadgate.platform.jobs import run_next
from leadgate.sales.qualify import QualifyLeadRequest
from leadgate.ui.grid_jobs import LARGE_SELECTION
from leadgate.ui.grid_views import PAGE_SIZE
from tests.browser import BROWSER, sign_in
from tests.browser.live import LiveServer

pytestmark = BROWSER


def test_a_large_selection_is_qualified_by_a_job_followed_on_its_page(
    page: Page, live_server: LiveServer
) -> None:
    email = live_server.add_user()  # a salesperson of their own: their grid holds these leads
    leads = [live_server.create_lead(email) for _ in range(LARGE_SELECTION + 1)]
    refused = leads[0]
    refused_name = str(live_server.system.retrieve("lead", refused, ["fullname"])["fullname"])
    sign_in(page, live_server, email)
    # Qualified by someone else meanwhile, still on the page: the job refuses it.
    live_server.system.execute(QualifyLeadRequest(EntityReference("lead", refused)))
    page.get_by_role("checkbox", name="Select all rows").check()
    page.get_by_role("button", name="Qualify", exact=True).click()

    expect(page).to_have_url(re.compile(r"/app/asyncoperations/[0-9a-f-]{36}$"))
    expect(
        page.get_by_role("status").filter(has_text="being qualified in the background")
    ).to_be_visible()
    bar = page.get_by_role("progressbar", name="Progress")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    job_id = uuid.UUID(page.url.rsplit("/", 1)[1])
    # A worker runs it (the live server embeds none); the page follows and shows the results.
    while (outcome := run_next(live_server.org, "browser-test-worker")) is not None:
        if outcome.job_id == job_id:  # (another test's job may wait before it)
            break
    assert outcome is not None and outcome.job_id == job_id
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#job-status")).to_have_text("Succeeded")
    failures = page.get_by_role("table", name="Failures")
    expect(failures.get_by_role("link", name=refused_name, exact=True)).to_be_visible()
    expect(failures).to_contain_text("already closed")
    page.get_by_role("link", name="Show all results").click()
    every = page.get_by_role("table", name="All results")
    expect(every.get_by_role("link", name=re.compile(r"^Test Company"))).to_have_count(
        LARGE_SELECTION
    )  # each qualified lead's new account

    page.get_by_role("navigation", name="Site map").get_by_role("link", name="System Jobs").click()
    listed = page.get_by_role("link", name=f"Qualify {LARGE_SELECTION + 1} selected leads")
    expect(listed).to_be_visible()


def test_qualify_all_the_leads_of_the_view_asks_first_then_can_be_canceled(
    page: Page, live_server: LiveServer
) -> None:
    email = live_server.add_user()
    count = PAGE_SIZE + 1  # more than the grid's page shows
    for _ in range(count):
        live_server.create_lead(email)
    sign_in(page, live_server, email)
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    every = page.get_by_role("button", name=f"Qualify all {count} leads of this view")
    every.click()  # dismissed: nothing is queued
    expect(page.get_by_role("heading", name="Leads", exact=True)).to_be_visible()
    every.click()
    expect(page).to_have_url(re.compile(r"/app/asyncoperations/[0-9a-f-]{36}$"))
    assert asked and asked[0].startswith(f"Qualify all {count} leads of this view?")
    expect(
        page.get_by_role("status").filter(has_text=f"{count} leads are being qualified")
    ).to_be_visible()
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(page.locator("#job-status")).to_have_text("Canceled")
    expect(page.get_by_role("button", name="Retry", exact=True)).to_be_visible()
    jobs = live_server.system.retrieve_multiple(
        "asyncoperation", ownerid=live_server.user_id(email)
    )
    assert len(jobs) == 1  # the first answer, No, queued none
