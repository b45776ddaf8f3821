"""Qualify from the lead form in real Chromium, in English and French: the seed's duplicate
warning (Continue, or select the existing account) and its refusals, as a salesperson sees
them. The rest of the commands' logic is tested without a browser (tests/ui).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from leadgate.platform import Organization, OrganizationService
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.types import Language
from leadgate.platform.records.state import AssignRequest, SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from leadgate.platform.users.messages import SetPasswordRequest, SetUserLanguageRequest
from leadgate.web import create_app
from tests.browser import BROWSER
from tests.conftest import (
    ADMIN_EMAIL,
    ADMIN_ID,
    add_user,
    map_status_then_add_nurturing,
    role_reference,
)
from tests.served import served

# A test here changes its organization (roles, maps, choices): each serves its own copy.
pytestmark = BROWSER

SALES_EMAIL = "sam@test.example"

TEXTS = {
    "en": {"qualify": "Qualify", "title": "Duplicate warning", "continue": "Continue",
           "use": "Use selected record", "email": "Email", "password": "Password",
           "signin": "Sign in"},
    "fr": {"qualify": "Qualifier", "title": "Avertissement dupliqué", "continue": "Continuer",
           "use": "Utiliser l'enregistrement sélectionné", "email": "Adresse e-mail",
           "password": "Mot de passe", "signin": "Se connecter"},
}  # fmt: skip


@pytest.fixture
def server(org: Organization) -> Iterator[str]:
    """The app served on a free local port for the test's organization."""
    with served(create_app(org), lifespan="on") as port:
        yield f"http://127.0.0.1:{port}"


def sign_in(chromium: Browser, server: str, email: str, password: str, language: str) -> Page:
    """A new browser at 1280x800, signed in; the app then speaks the user's ``language``
    (their setting), the sign-in page being the same for everyone here."""
    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{server}/signin")
    words = TEXTS["en"]
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"]).fill(password)
    page.get_by_role("button", name=words["signin"]).click()
    page.wait_for_url(f"{server}/app/**")
    return page


@pytest.fixture
def person(system: OrganizationService, browser: Browser) -> Iterator[Any]:
    """``person(server, language, salesperson=False)``: a page signed in as the admin, or as
    a new salesperson, reading ``language``."""
    pages: list[Page] = []

    def make(server: str, language: str, salesperson: bool = False) -> Page:
        user, email, password = ADMIN_ID, ADMIN_EMAIL, "correct horse"
        if salesperson:
            email, password = SALES_EMAIL, "sell sell sell"
            user = add_user(system, email, role="Salesperson", last_name="Seller")
            system.execute(SetPasswordRequest(EntityReference("systemuser", user), password))
        if language == "fr":
            system.execute(SetUserLanguageRequest(Language.FRENCH,
                                                  EntityReference("systemuser", user)))  # fmt: skip
        pages.append(sign_in(browser, server, email, password, language))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()


def a_lead(service: OrganizationService, **values: Any) -> uuid.UUID:
    fields = {"firstname": "Ravi", "lastname": "Kumar", "companyname": "Brand New Airline",
              "subject": "Fleet tablets", "emailaddress1": "ravi@brand-new.example"}  # fmt: skip
    return service.create("lead", {**fields, **values})


def qualify(page: Page, server: str, lead: uuid.UUID, language: str) -> None:
    page.goto(f"{server}/app/leads/{lead}")
    page.get_by_role("button", name=TEXTS[language]["qualify"], exact=True).click()


LANGUAGES = pytest.mark.parametrize("language", ["en", "fr"])


@LANGUAGES
def test_qualify_without_duplicates_opens_the_opportunity(server, person, admin, language):
    page = person(server, language)
    lead = a_lead(admin)
    qualify(page, server, lead, language)
    page.wait_for_url(f"{server}/app/opportunities/*")
    opportunity = admin.retrieve("lead", lead)["qualifyingopportunityid"].id
    assert page.url.endswith(f"/app/opportunities/{opportunity}")
    expect(page.get_by_role("status")).to_contain_text("Brand New Airline")


@LANGUAGES
def test_duplicate_warning_then_continue_creates_the_account(server, person, admin, language):
    admin.create("account", name="Brand New Airline")
    page = person(server, language)
    lead = a_lead(admin)
    qualify(page, server, lead, language)
    warning = page.get_by_role("dialog", name=TEXTS[language]["title"])
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("0x80040333")
    expect(warning.get_by_role("link", name="Brand New Airline")).to_be_visible()
    warning.get_by_role("button", name=TEXTS[language]["continue"]).click()
    page.wait_for_url(f"{server}/app/opportunities/*")
    accounts = admin.retrieve_multiple_all("account")
    assert [account["name"] for account in accounts].count("Brand New Airline") == 2


@LANGUAGES
def test_duplicate_warning_select_the_existing_account_links_it(server, person, admin, language):
    existing = admin.create("account", name="Brand New Airline")
    page = person(server, language)
    lead = a_lead(admin)
    qualify(page, server, lead, language)
    warning = page.get_by_role("dialog", name=TEXTS[language]["title"])
    warning.get_by_role("radio").first.check()
    warning.get_by_role("button", name=TEXTS[language]["use"]).click()
    page.wait_for_url(f"{server}/app/opportunities/*")
    opportunity = uuid.UUID(page.url.rsplit("/", 1)[1])
    assert admin.retrieve("opportunity", opportunity)["parentaccountid"].id == existing
    assert len(admin.retrieve_multiple("account", name="Brand New Airline").entities) == 1


def closed(org: Organization, system: OrganizationService) -> tuple[uuid.UUID, bool]:
    """The form offers no Qualify on a closed lead: the seed's case is a form opened while the
    lead was open, closed meanwhile by someone else (see the test)."""
    return a_lead(system), False


def missing_privilege(org: Organization, system: OrganizationService) -> tuple[uuid.UUID, bool]:
    system.execute(RemovePrivilegeRoleRequest(role_reference(system, "Salesperson").id,
                                              "prvCreateOpportunity"))  # fmt: skip
    return a_lead(system), True  # given to the salesperson below


def invalid_status(org: Organization, system: OrganizationService) -> tuple[uuid.UUID, bool]:
    map_status_then_add_nurturing(system)
    return a_lead(system, statuscode=100000000), False


@LANGUAGES
@pytest.mark.parametrize(("scenario", "code", "words"), [
    (closed, "0x8F4C4760", {"en": "The lead is closed", "fr": "Le prospect est fermé"}),
    (missing_privilege, "0x80040220", {"en": "prvCreateOpportunity", "fr": "prvCreateOpportunity"}),
    (invalid_status, "0x80048408", {"en": "is not a valid status code",
                                    "fr": "Erreur de code d'état non valide"}),
])  # fmt: skip
def test_a_refusal_is_shown_in_the_page_with_its_code(
    server, person, org, system, language, scenario, code, words
):
    lead, for_salesperson = scenario(org, system)
    page = person(server, language, salesperson=for_salesperson)
    if for_salesperson:  # the lead is the salesperson's own
        user = system.retrieve_multiple("systemuser", internalemailaddress=SALES_EMAIL)[0]
        system.execute(AssignRequest(EntityReference("lead", lead), user.to_reference()))
    page.goto(f"{server}/app/leads/{lead}")
    if scenario is closed:
        system.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))
    page.get_by_role("button", name=TEXTS[language]["qualify"], exact=True).click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text(code)
    expect(error).to_contain_text(words[language])
    assert not system.retrieve_multiple_all("opportunity")


def test_keyboard_opens_disqualify_with_space_and_escape_returns_to_qualify(server, person, admin):
    page = person(server, "en")
    lead = a_lead(admin)
    page.goto(f"{server}/app/leads/{lead}")
    # Enter in a field saves the form (its hidden first Save), it runs no command.
    page.locator("#field-subject").fill("Fleet tablets, 40 units")
    page.locator("#field-subject").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Saved")
    assert admin.retrieve("lead", lead)["statecode"] == 0
    assert admin.retrieve("lead", lead)["subject"] == "Fleet tablets, 40 units"
    page.get_by_role("button", name="Disqualify", exact=True).focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("dialog", name="Disqualify")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Disqualify", exact=True)).to_be_focused()
    # The Duplicate warning the server opens after the post gives focus back to Qualify.
    admin.create("account", name="Brand New Airline")
    qualify(page, server, lead, "en")
    expect(page.get_by_role("dialog", name=TEXTS["en"]["title"])).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Qualify", exact=True)).to_be_focused()


def test_a_required_step_picked_in_the_bar_is_saved_by_qualify(server, person, system, admin):
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))
    page = person(server, "en")
    lead = a_lead(admin)
    page.goto(f"{server}/app/leads/{lead}")
    page.locator("#process").get_by_label("Purchase Timeframe").select_option(label="This Year")
    page.get_by_role("button", name="Qualify", exact=True).click()  # no Save pressed
    page.wait_for_url(f"{server}/app/opportunities/*")
    record = admin.retrieve("lead", lead)
    assert (record["statecode"], record["purchasetimeframe"]) == (1, 3)
