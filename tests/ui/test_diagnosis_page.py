"""The qualification check's page (GET /app/leads/{id}/diagnosis) without a browser: where the
app offers it, what an address that names no lead answers (the app's 404 page, never a 500),
and the dry run's trace of a plug-in step that refuses. The diagnosis itself is the message's
(lg_DiagnoseQualify); Chromium drives the page in tests/browser/test_diagnosis.py."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest

from leadgate.platform import OrganizationService
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.users.messages import SetPasswordRequest
from tests.conftest import add_user, map_status_then_add_nurturing

pytestmark = pytest.mark.interface_only

WHY = "Why can&#39;t I qualify?"


def a_lead(service: OrganizationService, **values: Any) -> uuid.UUID:
    fields = {"firstname": "Ravi", "lastname": "Kumar", "companyname": "Tailspin Toys",
              "subject": "Fleet tablets"}  # fmt: skip
    return service.create("lead", {**fields, **values})


def error_alert(page: str) -> str:
    found = re.search(r'<div class="alert alert-error" role="alert".*?</div>', page, re.S)
    assert found is not None, page[:3000]
    return found.group(0)


def why_link(lead: uuid.UUID) -> str:
    return f'<a href="/app/leads/{lead}/diagnosis"'


def test_an_address_that_names_no_lead_is_the_app_s_404_page(browser, admin):
    user = browser()
    missing = user.get(f"/app/leads/{uuid.uuid4()}/diagnosis")
    assert missing.status_code == 404 and "0x80040217" in error_alert(missing.text)
    account = admin.create("account", name="Fabrikam")
    for address in ("/app/leads/not-a-guid/diagnosis", "/app/nothings/1/diagnosis",
                    f"/app/accounts/{account}/diagnosis"):  # fmt: skip
        page = user.get(address)
        assert page.status_code == 404, address
        assert "0x8F4C47C9" in error_alert(page.text) and "Traceback" not in page.text


def test_the_lead_form_links_to_the_check_whether_the_lead_is_open_or_closed(browser, admin):
    lead = a_lead(admin)
    user = browser()
    bar = re.compile(r'<div class="command-bar".*?</div>', re.S)
    for state, status in ((None, None), (2, 4)):
        if state is not None:
            admin.execute(SetStateRequest(EntityReference("lead", lead), state, status))
        found = bar.search(user.get(f"/app/leads/{lead}").text)
        assert found is not None
        assert f'{why_link(lead)} class="button">{WHY}</a>' in found.group(0)
    assert why_link(lead) not in user.get("/app/leads/new").text


def test_a_refused_qualify_offers_the_check_and_the_check_says_the_same(browser, admin):
    lead = a_lead(admin)
    user = browser()
    user.get(f"/app/leads/{lead}")  # the form, opened while the lead was open
    admin.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))
    refused = user.post(f"/app/leads/{lead}/qualify")
    assert refused.status_code == 400
    shown = error_alert(refused.text)
    assert "0x8F4C4760" in shown and f"{why_link(lead)}>{WHY}</a>" in shown

    report = user.get(f"/app/leads/{lead}/diagnosis")
    assert report.status_code == 200
    text = html.unescape(report.text)
    assert "<h1>Why can't I qualify?</h1>" in text
    assert "Qualification would fail for 1 reason." in text
    assert '<a href="#cause-1">The lead is open</a>' in text
    assert "<code>0x8F4C4760</code>" in text and "Reactivate the lead" in text
    assert admin.retrieve("lead", lead)["statecode"] == 2  # the check changed nothing


def test_a_plug_in_step_that_refuses_is_the_cause_and_shows_in_the_trace(browser, admin, system):
    system.create("sdkmessageprocessingstep", {
        "name": "No new accounts", "messagename": "Create", "primaryentity": "account",
        "stage": 20, "plugintypename": "tests.sample_plugins:cancel",
        "configuration": "Accounts are made by the finance team.",
    })  # fmt: skip
    lead = a_lead(admin)
    text = html.unescape(browser().get(f"/app/leads/{lead}/diagnosis").text)
    assert "A plug-in step or workflow refuses the qualification" in text
    assert "Accounts are made by the finance team." in text
    trace = re.search(r'<table class="grid diagnosis-trace">.*?</table>', text, re.S)
    assert trace is not None
    row = re.search(r"<tr class=\"failed\">.*?</tr>", trace.group(0), re.S)
    assert row is not None and "No new accounts" in row.group(0)
    assert "Pre-operation (20)" in row.group(0) and "Failed" in row.group(0)
    assert not system.retrieve_multiple_all("account")  # the trial was undone


def test_an_administrator_applies_a_one_click_fix_after_confirming_it(browser, admin, system):
    map_id, _added = map_status_then_add_nurturing(system)
    lead = a_lead(admin, statuscode=100000000)
    user = browser()
    url = f"/app/leads/{lead}/diagnosis"
    text = html.unescape(user.get(url).text)
    key = f"remove-map-{map_id}"
    label = "Remove the map lead.statuscode -> opportunity.statuscode"
    assert f'data-open-dialog="confirm-{key}">{label}…</a>' in text
    assert re.search(rf'<dialog id="confirm-{key}" class="dialog"[^>]*>', text)
    assert not re.search(rf'<dialog id="confirm-{key}"[^>]* open', text)  # closed until asked
    opened = html.unescape(user.get(f"{url}?confirm={key}").text)
    assert re.search(rf'<dialog id="confirm-{key}"[^>]* open data-modal', opened)
    assert "Qualifying leads will no longer copy this value" in opened
    assert system.retrieve_multiple("attributemap", attributemapid=map_id).entities  # not yet

    done = user.post(f"{url}/fix", remedy=key)
    assert done.status_code == 303 and done.headers["location"] == url
    after = html.unescape(user.get(url).text)
    assert f"Done: {label}. The lead was checked again." in after
    assert "Qualification would succeed." in after
    assert system.retrieve_multiple("attributemap", attributemapid=map_id).entities == []

    again = user.post(f"{url}/fix", remedy=key)  # the cause is gone: nothing to apply
    assert again.status_code == 400 and "0x8F4C47EB" in error_alert(again.text)
    assert user.client.post(f"{url}/fix", data={"remedy": key}).status_code == 403  # no token


def test_a_salesperson_is_offered_no_fix_that_is_not_theirs(browser, org, system):
    map_status_then_add_nurturing(system)
    sal = add_user(system, "sal@test.example", role="Salesperson")
    system.execute(SetPasswordRequest(EntityReference("systemuser", sal), "correct horse"))
    lead = a_lead(org.service(sal), statuscode=100000000)
    text = html.unescape(browser("sal@test.example").get(f"/app/leads/{lead}/diagnosis").text)
    assert "A mapping copies a value the new record cannot take" in text
    assert "You can fix this now" not in text and "data-open-dialog" not in text
