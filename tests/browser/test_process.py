"""The process bar in Chromium, in English and French: the seed's three process cases as a
salesperson meets them on a lead's form (Next Stage on Qualify, required steps empty, the
active stage not on the lead fixed with Set Active)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from leadgate.platform import Entity, EntityReference
from leadgate.platform.records.state import SetStateRequest
from leadgate.sales.qualify import QualifyLeadRequest
from tests.browser import BROWSER, sign_in
from tests.browser.live import FRENCH_SALESPERSON, SALESPERSON, LiveServer

pytestmark = BROWSER

PEOPLE = [(SALESPERSON, "en"), (FRENCH_SALESPERSON, "fr")]
NAMES = {
    "en": {"stages": "Stages", "qualify": "Qualify", "develop": "Develop",
           "next": "Next Stage", "set": "Set Active", "save": "Save", "active": "Active",
           "timeframe": "Purchase Timeframe", "this quarter": "This Quarter",
           "seed": "Qualify the lead: qualifying creates the opportunity",
           "required": "To move to the next stage, complete the required steps."},
    "fr": {"stages": "Étapes", "qualify": "Qualifier", "develop": "Développer",
           "next": "Étape suivante", "set": "Définir actif", "save": "Enregistrer",
           "active": "Active", "timeframe": "Délai d'achat", "this quarter": "Ce trimestre",
           "seed": "Qualifiez le prospect : la qualification crée l'opportunité",
           "required": "Pour passer à l'étape suivante, effectuez les étapes requises."},
}  # fmt: skip


def stage(page: Page, names: dict[str, str], which: str) -> Locator:
    stages = page.get_by_role("list", name=names["stages"])
    return stages.get_by_role("listitem").filter(has_text=names[which])


def a_lead(server: LiveServer, email: str) -> uuid.UUID:
    """A lead the salesperson made (and so the process instance that follows it)."""
    return server.org.service(server.user_id(email)).create("lead", {
        "subject": "Process bar", "firstname": "Grace",
        "lastname": f"Hopper {uuid.uuid4().hex[:4]}", "companyname": "Compilers Inc",
    })  # fmt: skip


def open_lead(page: Page, server: LiveServer, email: str, language: str) -> str:
    lead = a_lead(server, email)
    sign_in(page, server, email, language=language)
    page.goto(f"{server.url}/app/leads/{lead}")
    return str(lead)


def alert(page: Page) -> Locator:
    return page.get_by_role("alert")


@pytest.mark.parametrize(("email", "language"), PEOPLE)
def test_next_stage_on_qualify_does_not_move_and_says_to_qualify(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    names = NAMES[language]
    open_lead(page, live_server, email, language)
    qualify = stage(page, names, "qualify")
    expect(qualify.locator("[aria-current=step]")).to_contain_text(names["active"])
    page.get_by_role("button", name=names["next"], exact=True).click()
    expect(alert(page)).to_contain_text("0x8F4C4770")
    expect(alert(page)).to_contain_text(names["seed"])
    expect(stage(page, names, "qualify").locator("[aria-current=step]")).to_be_visible()


@pytest.mark.parametrize(("email", "language"), PEOPLE)
def test_required_steps_refuse_next_stage_until_filled_in_and_saved(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    names = NAMES[language]
    system = live_server.system
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))  # as an administrator does
    try:
        open_lead(page, live_server, email, language)
        page.get_by_role("button", name=names["next"], exact=True).click()
        expect(alert(page)).to_contain_text("0x8006041a")
        expect(alert(page)).to_contain_text(names["required"])
        # The seed's fix: fill in the step (in the bar), save, try again.
        bar = page.locator("#process")
        bar.get_by_label(names["timeframe"]).select_option(label=names["this quarter"])
        page.get_by_role("button", name=names["save"], exact=True).click()
        expect(bar.get_by_label(names["timeframe"])).to_have_value("1")
        page.get_by_role("button", name=names["next"], exact=True).click()
        expect(alert(page)).to_contain_text("0x8F4C4770")  # now only "qualify the lead"
    finally:
        system.update(Entity("processstep", step.id, isrequired=False))


@pytest.mark.parametrize(("email", "language"), PEOPLE)
def test_set_active_fixes_an_active_stage_not_on_the_lead(
    page: Page, live_server: LiveServer, email: str, language: str
) -> None:
    names = NAMES[language]
    server = live_server
    lead = a_lead(server, email)
    person = server.org.service(server.user_id(email))
    reference = EntityReference("lead", lead)
    person.execute(QualifyLeadRequest(reference))
    person.execute(SetStateRequest(reference, 0, 2))  # reactivated: the process is on Develop
    sign_in(page, server, email, language=language)
    page.goto(f"{server.url}/app/leads/{lead}")
    expect(stage(page, names, "develop").locator("[aria-current=step]")).to_be_visible()
    expect(page.locator("#process").get_by_role("note")).to_contain_text(names["set"])

    stage(page, names, "qualify").get_by_role("button", name=names["set"], exact=True).click()
    expect(stage(page, names, "qualify").locator("[aria-current=step]")).to_be_visible()
    expect(page.locator("#process").get_by_role("note")).to_have_count(0)
    # The Qualify command is another branch's: qualifying as the same person now works.
    created = person.execute(QualifyLeadRequest(reference)).created_entities
    assert created[-1].logical_name == "opportunity"
