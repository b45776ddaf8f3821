"""The qualification check ("Why can't I qualify?") in Chromium, as a salesperson reaches it
by accessible names: from the lead's form, and from a refused Qualify's error; a lead that
would fail lists its failing checks with each cause's code and fix, a healthy one says it
would succeed. The diagnosis itself is tested without a browser (lg_DiagnoseQualify)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from leadgate.platform import Entity, EntityReference
from leadgate.sales.qualify import QualifyLeadRequest
from tests.browser import BROWSER, sign_in
from tests.browser.live import ADMIN_EMAIL, FRENCH_SALESPERSON, SALESPERSON, LiveServer

pytestmark = BROWSER

NAMES = {
    "en": {"why": "Why can't I qualify?", "checks": "Checks", "qualify": "Qualify",
           "back": "Back to the lead", "failed": "Failed", "passed": "Passed",
           "open": "The lead is open", "stage": "The process's active stage is on the lead",
           "steps": "The required steps of the lead's stage are filled in",
           "fail 2": "Qualification would fail for 2 reasons.",
           "fail 1": "Qualification would fail for 1 reason.",
           "succeed": "Qualification would succeed.", "closed": "The lead is closed",
           "reactivate": "Reactivate the lead",
           "not on lead": "The process's active stage is not on the lead",
           "empty steps": "Required steps of the process are empty",
           "fill in": "Fill in Purchase Timeframe",
           "nothing ran": "No plug-in step or workflow ran before"},
    "fr": {"why": "Pourquoi ne puis-je pas qualifier ?", "checks": "Vérifications",
           "qualify": "Qualifier", "back": "Retour au prospect", "failed": "Échoué",
           "passed": "Réussi", "open": "Le prospect est ouvert",
           "stage": "La phase active du processus est sur le prospect",
           "fail 2": "La qualification échouerait pour 2 raisons.",
           "closed": "Le prospect est fermé", "reactivate": "Réactivez le prospect",
           "not on lead": "La phase active du processus n'est pas sur le prospect"},
}  # fmt: skip


def a_lead(server: LiveServer, email: str) -> uuid.UUID:
    """A lead the salesperson made (so theirs, with its process instance)."""
    return server.org.service(server.user_id(email)).create("lead", {
        "subject": "Diagnosis", "firstname": "Ada",
        "lastname": f"Lovelace {uuid.uuid4().hex[:6]}",
        "companyname": f"Engines {uuid.uuid4().hex[:6]}",
    })  # fmt: skip


def check(page: Page, names: dict[str, str], label: str) -> Locator:
    """One check of the report's list, by its label."""
    checks = page.get_by_role("list", name=names["checks"])
    return checks.get_by_role("listitem").filter(has_text=names[label])


def cause(page: Page, title: str) -> Locator:
    return page.get_by_role("region", name=title)


@pytest.mark.parametrize(("email", "language"), [(SALESPERSON, "en"), (FRENCH_SALESPERSON, "fr")])
def test_a_qualified_lead_s_report_names_both_causes_with_their_code_and_fix(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    names = NAMES[language]
    lead = a_lead(live_server, email)
    person = live_server.org.service(live_server.user_id(email))
    person.execute(QualifyLeadRequest(EntityReference("lead", lead)))  # closed, process moved on
    sign_in(page, live_server, email, language=language)
    page.goto(f"{live_server.url}/app/leads/{lead}")

    page.get_by_role("link", name=names["why"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(names["why"])
    expect(page.get_by_role("status")).to_contain_text(names["fail 2"])
    expect(check(page, names, "open")).to_contain_text(names["failed"])
    expect(check(page, names, "stage")).to_contain_text(names["failed"])
    closed = cause(page, f"1. {names['closed']}")
    expect(closed).to_contain_text("0x8F4C4760")
    expect(closed).to_contain_text(names["reactivate"])
    expect(cause(page, f"2. {names['not on lead']}")).to_contain_text("0x80100002")
    page.get_by_role("link", name=names["back"]).click()
    page.wait_for_url(f"{live_server.url}/app/leads/{lead}")


def test_a_healthy_lead_would_succeed_and_nothing_is_changed(
    page: Page, live_server: LiveServer
) -> None:
    names = NAMES["en"]
    lead = a_lead(live_server, SALESPERSON)
    sign_in(page, live_server, SALESPERSON)
    page.goto(f"{live_server.url}/app/leads/{lead}")
    page.get_by_role("link", name=names["why"], exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(names["succeed"])
    items = page.get_by_role("list", name=names["checks"]).get_by_role("listitem")
    expect(items).to_have_count(8)
    expect(items.filter(has_text=names["passed"])).to_have_count(8)
    expect(page.get_by_text(names["nothing ran"])).to_be_visible()
    assert live_server.system.retrieve("lead", lead)["statecode"] == 0  # the trial was undone
    assert not live_server.system.retrieve_multiple("opportunity", originatingleadid=lead)


def test_a_refused_qualify_offers_the_report_which_says_what_to_fill_in(
    page: Page, live_server: LiveServer
) -> None:
    names = NAMES["en"]
    system = live_server.system
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))  # as an administrator does
    try:
        lead = a_lead(live_server, SALESPERSON)
        sign_in(page, live_server, SALESPERSON)
        page.goto(f"{live_server.url}/app/leads/{lead}")
        page.get_by_role("button", name=names["qualify"], exact=True).click()
        error = page.get_by_role("alert")
        expect(error).to_contain_text("0x8006041a")

        error.get_by_role("link", name=names["why"], exact=True).click()
        page.wait_for_url(f"{live_server.url}/app/leads/{lead}/diagnosis")
        expect(page.get_by_role("status")).to_contain_text(names["fail 1"])
        expect(check(page, names, "steps")).to_contain_text(names["failed"])
        expect(check(page, names, "open")).to_contain_text(names["passed"])
        empty = cause(page, f"1. {names['empty steps']}")
        expect(empty).to_contain_text("0x8006041a")
        expect(empty).to_contain_text(names["fill in"])
    finally:
        system.update(Entity("processstep", step.id, isrequired=False))


def test_an_administrator_fixes_a_cause_in_one_click_after_confirming(
    page: Page, live_server: LiveServer
) -> None:
    system = live_server.system
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))
    try:
        lead = a_lead(live_server, ADMIN_EMAIL)
        sign_in(page, live_server, ADMIN_EMAIL)
        page.goto(f"{live_server.url}/app/leads/{lead}/diagnosis")
        fix = "Make the step Purchase Timeframe optional"
        page.get_by_role("link", name=f"{fix}…").click()
        dialog = page.get_by_role("dialog", name=fix)
        expect(dialog).to_contain_text("Every lead's process will let this stage go on")
        dialog.get_by_role("link", name="Cancel").click()
        expect(dialog).to_be_hidden()
        assert system.retrieve("processstep", step.id)["isrequired"] is True  # nothing yet

        page.get_by_role("link", name=f"{fix}…").click()
        page.get_by_role("dialog", name=fix).get_by_role("button", name="Apply this fix").click()
        expect(page.get_by_role("status").filter(has_text="Done:")).to_contain_text(
            f"Done: {fix}. The lead was checked again.")  # fmt: skip
        expect(page.get_by_role("status").filter(has_text="Qualification")).to_contain_text(
            NAMES["en"]["succeed"])  # fmt: skip
        assert system.retrieve("processstep", step.id)["isrequired"] is False
    finally:
        system.update(Entity("processstep", step.id, isrequired=False))
