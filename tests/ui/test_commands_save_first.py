"""The record commands after the new user's trial, without a browser: a command saves what
the person changed in the form first (Dynamics does), the Duplicate warning's chosen account
is the opportunity's customer, a reload of a command's address runs nothing, and each command
says what it did in a sentence, in English and French."""

from __future__ import annotations

import html
import re
import uuid

import pytest

from leadgate.platform import Entity, OrganizationService
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.records.state import SetStateRequest
from tests.ui.test_record_commands import a_lead, alert, lead_url

pytestmark = pytest.mark.interface_only


def version_of(page: str) -> str:
    found = re.search(r'name="row-version" value="(\d+)"', page)
    assert found is not None, page[:2000]
    return found.group(1)


@pytest.fixture
def required_timeframe(system: OrganizationService) -> None:
    """Purchase Timeframe a required step of the Qualify stage, as an administrator makes it."""
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))


def test_qualify_saves_a_required_step_picked_in_the_bar_then_qualifies(
    browser, admin, required_timeframe
):
    lead = a_lead(admin, companyname="Brand New Airline", emailaddress1="new@brand.example")
    user = browser()
    page = user.get(lead_url(lead)).text
    button = re.search(r'<button[^>]*id="command-qualify"[^>]*>', page)
    assert button is not None
    assert 'form="record-form"' in button.group(0)
    assert f'formaction="{lead_url(lead)}/qualify"' in button.group(0)
    # What the browser posts: the record's form, the step's copy in the bar picked (1, This
    # Quarter), its copy in the section left as it was; no Save pressed.
    answer = user.client.post(f"{lead_url(lead)}/qualify", data={
        "csrf_token": user.csrf, "row-version": version_of(page),
        "purchasetimeframe": ["1", ""],
    }, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, alert(answer.text)
    assert answer.headers["location"].startswith("/app/opportunities/")
    record = admin.retrieve("lead", lead)
    assert (record["statecode"], record["purchasetimeframe"]) == (1, 1)


def test_a_change_the_save_refuses_is_kept_with_the_error_and_nothing_runs(browser, admin):
    lead = a_lead(admin, companyname="Brand New Airline", emailaddress1="new@brand.example")
    user = browser()
    page = user.get(lead_url(lead)).text
    admin.update(Entity("lead", lead, {"description": "changed meanwhile"}))
    answer = user.client.post(f"{lead_url(lead)}/qualify", data={
        "csrf_token": user.csrf, "row-version": version_of(page),
        "purchasetimeframe": ["2", ""],
    }, follow_redirects=False)  # fmt: skip
    assert answer.status_code >= 400
    assert alert(answer.text)[0].startswith("0x")
    # The form's field shows what the person picked (the bar shows the saved value).
    kept = re.search(r'<select id="field-purchasetimeframe".*?</select>', answer.text, re.S)
    assert kept is not None and '<option value="2" selected>' in kept.group(0)
    record = admin.retrieve("lead", lead)
    assert (record["statecode"], record["purchasetimeframe"]) == (0, None)


def test_the_disqualify_dialog_saves_the_form_first(browser, admin):
    lead = a_lead(admin)
    user = browser()
    page = user.get(lead_url(lead)).text
    # app.js copies the record form's fields into the dialog's post.
    answer = user.post(f"{lead_url(lead)}/disqualify", **{
        "disqualify.status": "5", "row-version": version_of(page), "description": "No budget",
    })  # fmt: skip
    assert answer.status_code == 303
    record = admin.retrieve("lead", lead)
    assert (record["statecode"], record["statuscode"], record["description"]) == (
        2, 5, "No budget")  # fmt: skip


def test_the_account_selected_in_the_warning_is_the_opportunitys_customer(browser, admin):
    existing = admin.create("account", name="Blue Yonder Airlines")
    lead = a_lead(admin, emailaddress1="nobody@else.example")
    answer = browser().post(f"{lead_url(lead)}/qualify", duplicates="use",
                            **{"select.account": str(existing)})  # fmt: skip
    assert answer.status_code == 303
    opportunity = admin.retrieve("opportunity", uuid.UUID(answer.headers["location"][-36:]))
    assert opportunity["customerid"] == EntityReference("account", existing)
    assert opportunity["parentaccountid"].id == existing


def test_a_commands_address_reloaded_goes_back_to_the_form(browser, admin):
    lead = a_lead(admin)
    user = browser()
    for command in ("qualify", "disqualify", "reactivate"):
        answer = user.client.get(f"{lead_url(lead)}/{command}", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, lead_url(lead))
    assert admin.retrieve("lead", lead)["statecode"] == 0
    assert user.client.get(f"{lead_url(lead)}/explode").status_code == 404


def test_disqualify_opens_its_dialog_from_a_real_button(browser, admin):
    page = browser().get(lead_url(a_lead(admin))).text
    opener = re.search(r'<button[^>]*id="open-dialog-disqualify"[^>]*>', page)
    assert opener is not None and 'data-open-dialog="dialog-disqualify"' in opener.group(0)
    assert 'role="button"' not in page
    # Enter in a field saves: the first submit button of the record form is a Save.
    first = re.search(r'<button type="submit" form="record-form"[^>]*>([^<]*)<', page)
    assert first is not None and first.group(1) == "Save" and " hidden " in first.group(0)


@pytest.mark.parametrize(("language", "reactivated", "won"), [
    ("en", "The lead was reactivated.", "The opportunity was closed as won."),
    ("fr", "Le prospect a été réactivé.", "L'opportunité a été conclue comme gagnée."),
])  # fmt: skip
def test_each_command_says_what_it_did_in_a_sentence(browser, admin, language, reactivated, won):
    lead = a_lead(admin)
    admin.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))
    user = browser(language=language)
    answer = user.post(f"{lead_url(lead)}/reactivate")
    assert reactivated in html.unescape(user.get(answer.headers["location"]).text)
    opportunity = admin.create("opportunity", name="Fleet tablets")
    answer = user.post(f"/app/opportunities/{opportunity}/win", **{"win.status": "3"})
    assert answer.status_code == 303
    assert won in html.unescape(user.get(answer.headers["location"]).text)
    assert admin.retrieve("opportunity", opportunity)["statuscode"] == 3
