"""The record commands in the browser app, without a browser: Qualify and its Duplicate
warning, Disqualify, Reactivate, Close as Won / Lost, and every refusal of the seeds shown
in the page, coded, in the reader's language.

The rules themselves are the messages' (tested on both databases in tests/integration);
these tests check what the pages make of them, so they run on SQLite alone.
"""

from __future__ import annotations

import html
import re
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from leadgate.platform import Label, Organization, OrganizationService
from leadgate.platform.customization.messages import InsertOptionValueRequest, PublishAllXmlRequest
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.web import create_app
from tests.conftest import add_user, map_status_then_add_nurturing, role_reference

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2, which is not installed here
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.interface_only

SALES_EMAIL = "sam@test.example"


@pytest.fixture
def app_client(org: Organization) -> Iterator[TestClient]:
    with TestClient(create_app(org)) as client:
        yield client


@pytest.fixture
def salesperson(system: OrganizationService) -> uuid.UUID:
    user = add_user(system, SALES_EMAIL, role="Salesperson", last_name="Seller")
    system.execute(SetPasswordRequest(EntityReference("systemuser", user), "sell sell sell"))
    return user


def a_lead(service: OrganizationService, **values: Any) -> uuid.UUID:
    fields = {"firstname": "Ravi", "lastname": "Kumar", "companyname": "Blue Yonder Airlines",
              "subject": "Fleet tablets", "emailaddress1": "ravi@blueyonder.example"}  # fmt: skip
    return service.create("lead", {**fields, **values})


def counts(system: OrganizationService) -> dict[str, int]:
    return {table: len(system.retrieve_multiple_all(table))
            for table in ("account", "contact", "opportunity")}  # fmt: skip


def alert(page: str) -> tuple[str, str]:
    """The page's error: its code and text."""
    found = re.search(
        r'role="alert"[^>]*>.*?<code>([^<]+)</code>.*?<p class="alert-text">(.*?)</p>', page, re.S
    )
    assert found is not None, page[:3000]
    return found.group(1), html.unescape(found.group(2))


def dialog(page: str) -> str:
    found = re.search(r'<dialog id="dialog-duplicates".*?</dialog>', page, re.S)
    assert found is not None, page[:3000]
    return found.group(0)


def lead_url(lead: uuid.UUID) -> str:
    return f"/app/leads/{lead}"


# --- Qualify and the Duplicate warning ----------------------------------------------------


@pytest.mark.parametrize(("language", "title", "rule"), [
    ("en", "Duplicate warning", "Accounts with the same Account Name"),
    ("fr", "Avertissement dupliqué", "Comptes avec le même nom de compte"),
])  # fmt: skip
def test_the_duplicate_warning_lists_the_matching_account_with_its_rule(
    browser, admin, system, language, title, rule
):
    existing = admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin, emailaddress1="nobody@else.example")
    before = counts(system)
    page = browser(language=language).post(f"{lead_url(lead)}/qualify")
    assert page.status_code == 200
    shown = dialog(page.text)
    assert 'aria-labelledby="dialog-duplicates-title"' in shown
    heading = re.search(r'id="dialog-duplicates-title">(.*?)</h2>', shown, re.S)
    assert heading is not None and heading.group(1).endswith(f"</span> {title}")
    assert "0x80040333" in shown
    assert f'<a href="/app/accounts/{existing}">Blue Yonder Airlines</a>' in shown
    assert rule in shown
    assert f'name="select.account" value="{existing}"' in shown
    assert counts(system) == before  # nothing was made while the salesperson decides
    assert admin.retrieve("lead", lead)["statecode"] == 0


def test_continue_creates_the_account_and_opens_the_new_opportunity(browser, admin, system):
    admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin, emailaddress1="nobody@else.example")
    before = counts(system)
    user = browser()
    answer = user.post(f"{lead_url(lead)}/qualify", duplicates="continue")
    assert answer.status_code == 303
    opportunity = admin.retrieve("lead", lead)["qualifyingopportunityid"].id
    assert answer.headers["location"] == f"/app/opportunities/{opportunity}"
    assert counts(system) == {table: count + 1 for table, count in before.items()}
    # The opportunity's page says what was made (once).
    shown = user.get(answer.headers["location"]).text
    assert "The lead was qualified. Created: Account &#39;Blue Yonder Airlines&#39;" in shown
    assert "The lead was qualified" not in user.get(answer.headers["location"]).text


def test_selecting_the_existing_account_links_it_instead_of_creating_one(browser, admin, system):
    existing = admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin, emailaddress1="nobody@else.example")
    before = counts(system)
    answer = browser().post(f"{lead_url(lead)}/qualify", duplicates="use",
                            **{"select.account": str(existing)})  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/app/opportunities/")
    record = admin.retrieve("lead", lead)
    assert record["parentaccountid"].id == existing
    assert record["statecode"] == 1
    assert counts(system) == {"account": before["account"], "contact": before["contact"] + 1,
                              "opportunity": before["opportunity"] + 1}  # fmt: skip
    opportunity = admin.retrieve("opportunity", record["qualifyingopportunityid"].id)
    assert opportunity["parentaccountid"].id == existing


def test_a_contact_still_matching_is_asked_about_next_and_the_account_choice_is_kept(
    browser, admin, system
):
    account = admin.create("account", name="Blue Yonder Airlines")
    contact = admin.create("contact", firstname="R.", lastname="Kumar",
                           emailaddress1="ravi@blueyonder.example")  # fmt: skip
    lead = a_lead(admin)
    user = browser()
    first = dialog(user.post(f"{lead_url(lead)}/qualify").text)
    assert str(account) in first and str(contact) in first
    again = user.post(f"{lead_url(lead)}/qualify", duplicates="use",
                      **{"select.account": str(account)})  # fmt: skip
    shown = dialog(again.text)
    assert f'name="select.contact" value="{contact}"' in shown
    assert 'name="select.account"' not in shown  # linked: no longer a question
    assert f'name="linked.account" value="{account}"' in shown
    assert admin.retrieve("lead", lead)["parentaccountid"] is None  # nothing half-done
    done = user.post(f"{lead_url(lead)}/qualify", duplicates="continue",
                     **{"linked.account": str(account)})  # fmt: skip
    assert done.status_code == 303
    record = admin.retrieve("lead", lead)
    assert record["parentaccountid"].id == account
    assert record["parentcontactid"].id != contact  # Continue: a new contact


@pytest.mark.parametrize(("language", "text"), [
    ("en", "No record was selected"), ("fr", "Aucun enregistrement n'a été sélectionné"),
])  # fmt: skip
def test_use_selected_record_without_a_selection_says_so_in_the_dialog(
    browser, admin, system, language, text
):
    admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin, emailaddress1="nobody@else.example")
    page = browser(language=language).post(f"{lead_url(lead)}/qualify", duplicates="use")
    assert page.status_code == 400
    shown = dialog(page.text)
    assert alert(shown)[0] == "0x8F4C47D0"
    assert text in alert(shown)[1]
    assert admin.retrieve("lead", lead)["statecode"] == 0


def test_qualifying_without_duplicates_opens_the_opportunity(browser, admin):
    lead = a_lead(admin, companyname="Brand New Airline", emailaddress1="new@brand.example")
    answer = browser().post(f"{lead_url(lead)}/qualify")
    assert answer.status_code == 303
    opportunity = admin.retrieve("lead", lead)["qualifyingopportunityid"].id
    assert answer.headers["location"] == f"/app/opportunities/{opportunity}"


# --- refusals of the seeds, in the page -------------------------------------------------


@pytest.mark.parametrize(("language", "text"), [
    ("en", "The lead is closed and you can't convert or qualify a lead that is already "
           "closed."),
    ("fr", "Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà "
           "fermé."),
])  # fmt: skip
def test_an_already_closed_lead_is_refused_with_its_code(browser, admin, language, text):
    lead = a_lead(admin)
    admin.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))
    page = browser(language=language).post(f"{lead_url(lead)}/qualify")
    assert page.status_code == 400
    code, shown = alert(page.text)
    assert (code, shown.startswith(text)) == ("0x8F4C4760", True)
    again = browser(language=language).post(f"{lead_url(lead)}/disqualify", status="5")
    assert alert(again.text)[0] == "0x8F4C4760"
    assert admin.retrieve("lead", lead)["statuscode"] == 4


@pytest.fixture
def nurturing(system: OrganizationService) -> None:
    map_status_then_add_nurturing(system)


@pytest.mark.parametrize(("language", "text"), [
    ("en", "100000000 is not a valid status code for state code OpportunityState.Open"),
    ("fr", "Erreur de code d'état non valide : 100000000 n'est pas un code de statut"),
])  # fmt: skip
def test_an_invalid_status_code_is_shown_with_the_map_that_copied_it(
    browser, admin, system, nurturing, language, text
):
    lead = a_lead(admin, statuscode=100000000, companyname="Brand New Airline",
                  emailaddress1="new@brand.example")  # fmt: skip
    before = counts(system)
    page = browser(language=language).post(f"{lead_url(lead)}/qualify")
    code, shown = alert(page.text)
    assert code == "0x80048408"
    assert shown.startswith(text)
    assert "lead.statuscode" in shown  # which map copied it
    assert counts(system) == before
    assert admin.retrieve("lead", lead)["statecode"] == 0


@pytest.mark.parametrize(("language", "text"), [
    ("en", "Insufficient permissions (Access denied)"),
    ("fr", "Accès refusé ou autorisations insuffisantes"),
])  # fmt: skip
def test_a_salesperson_missing_a_privilege_reads_which_one(
    browser, system, salesperson, language, text
):
    system.execute(RemovePrivilegeRoleRequest(role_reference(system, "Salesperson").id,
                                              "prvCreateOpportunity"))  # fmt: skip
    lead = a_lead(system, ownerid=EntityReference("systemuser", salesperson),
                  companyname="Brand New Airline", emailaddress1="new@brand.example")  # fmt: skip
    before = counts(system)
    page = browser(SALES_EMAIL, "sell sell sell", language).post(f"{lead_url(lead)}/qualify")
    assert page.status_code == 403
    code, shown = alert(page.text)
    assert code == "0x80040220"
    assert shown.startswith(text)
    assert "prvCreateOpportunity" in shown
    assert counts(system) == before


def test_a_post_without_the_csrf_token_changes_nothing(browser, admin):
    lead = a_lead(admin)
    user = browser()
    page = user.client.post(f"{lead_url(lead)}/qualify", data={"csrf_token": "forged"})
    assert alert(page.text)[0] == "0x8F4C47C8"
    assert admin.retrieve("lead", lead)["statecode"] == 0


def test_a_command_the_table_does_not_have_is_not_found(browser, admin):
    account = admin.create("account", name="Northwind")
    page = browser().post(f"/app/accounts/{account}/qualify")
    assert page.status_code == 404


# --- Disqualify, Reactivate ---------------------------------------------------------------


@pytest.fixture
def unreachable(system: OrganizationService) -> int:
    """An administrator's own Disqualified reason."""
    system.execute(InsertOptionValueRequest(
        "lead", "statuscode", Label("Moved abroad", "Parti à l'étranger"), value=100000001,
        state=2))  # fmt: skip
    system.execute(PublishAllXmlRequest())
    return 100000001


@pytest.mark.parametrize(("language", "labels"), [
    ("en", ["Lost", "Cannot Contact", "No Longer Interested", "Canceled", "Moved abroad"]),
    ("fr", ["Perdu", "Impossible à contacter", "N'est plus intéressé", "Annulé",
            "Parti à l'étranger"]),
])  # fmt: skip
def test_the_disqualify_dialog_lists_every_disqualified_reason(
    browser, admin, unreachable, language, labels
):
    lead = a_lead(admin)
    page = browser(language=language).get(f"{lead_url(lead)}?dialog=disqualify")
    found = re.search(r'<dialog id="dialog-disqualify"[^>]*>.*?</dialog>', page.text, re.S)
    assert found is not None, page.text[:2000]
    assert " open data-modal" in found.group(0)
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', found.group(0))
    assert [value for value, _ in options] == ["4", "5", "6", "7", str(unreachable)]
    assert [html.unescape(label) for _, label in options] == labels


def test_disqualify_with_an_administrators_reason_then_reactivate(browser, admin, unreachable):
    lead = a_lead(admin)
    user = browser()
    answer = user.post(f"{lead_url(lead)}/disqualify", status=str(unreachable))
    assert (answer.status_code, answer.headers["location"]) == (303, lead_url(lead))
    record = admin.retrieve("lead", lead)
    assert (record["statecode"], record["statuscode"]) == (2, unreachable)
    answer = user.post(f"{lead_url(lead)}/reactivate")
    assert answer.status_code == 303
    record = admin.retrieve("lead", lead)
    assert (record["statecode"], record["statuscode"]) == (0, 1)


@pytest.mark.parametrize(("language", "text"), [
    ("en", "3 is not a valid status code for state code LeadState.Disqualified"),
    ("fr", "3 n'est pas un code de statut valide pour le code d'état "
           "LeadState.Disqualified"),
])  # fmt: skip
def test_disqualify_with_a_status_of_another_state_is_refused(browser, admin, language, text):
    lead = a_lead(admin)
    page = browser(language=language).post(f"{lead_url(lead)}/disqualify", status="3")
    code, shown = alert(page.text)
    assert code == "0x80048408"
    assert text in shown
    assert admin.retrieve("lead", lead)["statecode"] == 0


# --- opportunities ------------------------------------------------------------------------


def test_close_as_won_finishes_the_process(browser, admin, system):
    lead = a_lead(admin, companyname="Brand New Airline", emailaddress1="new@brand.example")
    user = browser()
    opened = user.post(f"{lead_url(lead)}/qualify")
    opportunity = uuid.UUID(opened.headers["location"].rsplit("/", 1)[1])
    instance = system.retrieve_multiple("leadtoopportunitysalesprocess",
                                        opportunityid=opportunity)[0]  # fmt: skip
    assert instance["statecode"] == 0
    answer = user.post(f"/app/opportunities/{opportunity}/win", status="3",
                       actualclosedate="2030-02-01")  # fmt: skip
    assert answer.status_code == 303, answer.text
    record = admin.retrieve("opportunity", opportunity)
    assert (record["statecode"], record["statuscode"]) == (1, 3)
    assert str(record["actualclosedate"])[:10] == "2030-02-01"
    # The engine finishes the process when the record its last stage is on closes.
    finished = system.retrieve("leadtoopportunitysalesprocess", instance.id)
    assert (finished["statecode"], finished["statuscode"]) == (1, 2)


def test_close_as_lost_with_a_lost_reason(browser, admin):
    opportunity = admin.create("opportunity", name="Fleet tablets")
    answer = browser().post(f"/app/opportunities/{opportunity}/lose", status="5")
    assert answer.status_code == 303
    record = admin.retrieve("opportunity", opportunity)
    assert (record["statecode"], record["statuscode"]) == (2, 5)
    assert browser().post(f"/app/opportunities/{opportunity}/reopen").status_code == 303
    assert admin.retrieve("opportunity", opportunity)["statecode"] == 0


def test_commands_follow_the_record_state():
    from leadgate.ui.commands import COMMANDS

    lead = {spec.key: spec.states for spec in COMMANDS["lead"]}
    assert lead == {"qualify": {0}, "disqualify": {0}, "reactivate": {1, 2}}
