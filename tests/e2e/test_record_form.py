"""The record form in the browser app, without a browser: the table's Main systemform rendered
generically, saved through Create/Update as the signed-in person, refusals shown on the page
and on the field they name, in English and French."""

from __future__ import annotations

import html
import json
import re
import uuid
import warnings
from collections.abc import Iterator

import pytest

from leadgate.platform import Entity, Label, Organization, OrganizationService
from leadgate.platform.customization.messages import PublishAllXmlRequest
from leadgate.platform.customization.tables import CreateAttributeRequest
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.platform.views import Form
from leadgate.web import create_app
from tests.conftest import ADMIN_EMAIL, ADMIN_ID, add_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse"


def _sign_in(org: Organization, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(create_app(org))
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client


def _csrf(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found is not None
    return found.group(1)


def _version(page_text: str) -> str:
    found = re.search(r'name="row-version" value="(\d+)"', page_text)
    assert found is not None
    return found.group(1)


def _person(
    system: OrganizationService,
    email: str,
    *,
    role: str = "System Administrator",
    french: bool = False,
    unit: EntityReference | None = None,
) -> uuid.UUID:
    user_id = add_user(system, email, role=role, unit=unit)
    system.execute(SetPasswordRequest(EntityReference("systemuser", user_id), PASSWORD))
    if french:
        system.update(Entity("systemuser", user_id, uilanguageid=1036))
    return user_id


def _lead_form(system: OrganizationService, org: Organization) -> Form:
    records = system.retrieve_multiple("systemform", objecttypecode="lead", type=2, isdefault=True)
    return Form.from_record(records[0], org.metadata())


def _field(page_text: str, name: str) -> str:
    """The HTML of one field's block on the page."""
    found = re.search(
        rf'<div class="field[^"]*">\s*<(?:label for="field-{name}"|span class="label" '
        rf'id="label-{name}").*?\n</div>',
        page_text, re.S,
    )  # fmt: skip
    assert found is not None, f"no field {name}"
    return found.group(0)


def _alert(page_text: str) -> str:
    found = re.search(r'<div class="alert alert-error" role="alert".*?</div>', page_text, re.S)
    assert found is not None, "no error alert"
    return html.unescape(found.group(0))


@pytest.fixture
def admin_client(org: Organization) -> Iterator[TestClient]:
    with _sign_in(org, ADMIN_EMAIL) as client:
        yield client


@pytest.fixture
def french_client(org: Organization, system: OrganizationService) -> Iterator[TestClient]:
    _person(system, "camille@test.example", french=True)
    with _sign_in(org, "camille@test.example") as client:
        yield client


def _client(request: pytest.FixtureRequest, language: str) -> TestClient:
    return request.getfixturevalue("french_client" if language == "fr" else "admin_client")


def _lead(service: OrganizationService, **values: object) -> uuid.UUID:
    return service.create("lead", {"subject": "Coffee machines", "lastname": "Durand", **values})


# --- layout --------------------------------------------------------------------------------


@pytest.mark.interface_only
def test_a_french_user_reads_the_lead_form_of_its_systemform_with_french_labels(
    org: Organization, system: OrganizationService, french_client: TestClient
) -> None:
    lead_id = _lead(system, firstname="Léa", ownerid=EntityReference("systemuser", ADMIN_ID))
    page = french_client.get(f"/app/leads/{lead_id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "<h1>Léa Durand</h1>" in text
    lead = org.metadata().table("lead")
    form = _lead_form(system, org)
    for tab in form.tabs:
        for section in tab.sections:
            assert f"<legend>{section.label.in_language('fr')}</legend>" in text
            for name in section.fields:
                label = lead.column(name).label.in_language("fr")
                assert label in html.unescape(_field(page.text, name)), name
    # The header: status reason and owner, read-only, in French.
    header = text.split('<dl class="header-fields">')[1].split("</dl>")[0]
    assert "Raison du statut" in header and "Nouveau" in header and "Ada Admin" in header
    assert "<input" not in header and "<select" not in header


@pytest.mark.interface_only
def test_required_columns_are_marked_for_eyes_and_assistive_technology(
    admin_client: TestClient, french_client: TestClient
) -> None:
    english = admin_client.get("/app/leads/new")
    assert "<h1>New Lead</h1>" in english.text
    topic = _field(english.text, "subject")
    assert 'aria-required="true"' in topic and "(required)" in topic and "*" in topic
    assert "aria-required" not in _field(english.text, "firstname")
    french = french_client.get("/app/leads/new")
    assert "<h1>Nouveau prospect</h1>" in french.text
    assert "(obligatoire)" in _field(french.text, "lastname")


@pytest.mark.interface_only
def test_inputs_follow_the_column_types(admin_client: TestClient) -> None:
    page = admin_client.get("/app/leads/new").text
    assert 'type="email"' in _field(page, "emailaddress1")
    assert 'type="url"' in _field(page, "websiteurl")
    assert 'type="tel"' in _field(page, "telephone1")
    assert 'maxlength="300"' in _field(page, "subject")
    assert 'inputmode="decimal"' in _field(page, "revenue")
    assert 'type="date"' in _field(page, "estimatedclosedate")
    assert "<textarea" in _field(page, "description")
    assert '<option value="true">Yes</option>' in _field(page, "decisionmaker")
    rating = _field(page, "leadqualitycode")
    assert '<option value="">' in rating and '<option value="2" selected>Warm</option>' in rating


# --- saving --------------------------------------------------------------------------------


@pytest.mark.interface_only
def test_a_lead_created_through_the_form_opens_with_its_values(
    admin_client: TestClient, system: OrganizationService
) -> None:
    page = admin_client.get("/app/leads/new").text
    answer = admin_client.post("/app/leads/new", data={
        "csrf_token": _csrf(page), "subject": "Espresso for 40", "firstname": "Nora",
        "lastname": "Lindqvist", "revenue": "1,250,000.50", "numberofemployees": "42",
        "leadqualitycode": "1", "decisionmaker": "true", "estimatedclosedate": "2030-03-31",
    }, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, _alert(answer.text)
    location = answer.headers["location"]
    assert re.fullmatch(r"/app/leads/[0-9a-f-]{36}", location)
    shown = admin_client.get(location).text
    assert "Saved" in shown and "<h1>Nora Lindqvist</h1>" in shown
    assert 'value="Espresso for 40"' in _field(shown, "subject")
    assert 'value="1250000.50"' in _field(shown, "revenue")
    assert '<option value="1" selected>Hot</option>' in _field(shown, "leadqualitycode")
    assert 'value="2030-03-31"' in _field(shown, "estimatedclosedate")
    lead = system.retrieve("lead", uuid.UUID(location.split("/")[3].split("?")[0]))
    assert lead["numberofemployees"] == 42 and lead["decisionmaker"] is True
    assert lead["ownerid"] == EntityReference("systemuser", ADMIN_ID)


def test_saving_updates_only_what_changed(
    admin_client: TestClient, system: OrganizationService
) -> None:
    lead_id = _lead(system, firstname="Léa", jobtitle="Buyer")
    page = admin_client.get(f"/app/leads/{lead_id}").text
    form = dict(re.findall(r'<input type="(?:text|email|url|tel)"[^>]* name="(\w+)"[^>]*'
                           r' value="([^"]*)"', page))  # fmt: skip
    form.update({"csrf_token": _csrf(page), "row-version": _version(page), "jobtitle": "CFO"})
    system.update(Entity("lead", lead_id, description="Set elsewhere"))  # not on the page
    answer = admin_client.post(f"/app/leads/{lead_id}", data=form, follow_redirects=False)
    # Someone saved the lead since the page was read: refused, even for another column.
    assert answer.status_code == 412
    assert "0x80060882" in _alert(answer.text)
    assert 'value="CFO"' in _field(answer.text, "jobtitle")
    assert system.retrieve("lead", lead_id)["jobtitle"] == "Buyer"
    fresh = admin_client.get(f"/app/leads/{lead_id}").text
    form.update({"row-version": _version(fresh)})
    answer = admin_client.post(f"/app/leads/{lead_id}", data=form, follow_redirects=False)
    assert answer.status_code == 303 and "leadgate_notice" in answer.headers.get("set-cookie", "")
    saved = system.retrieve("lead", lead_id)
    assert saved["jobtitle"] == "CFO" and saved["description"] == "Set elsewhere"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "exceeded the maximum allowed length of '50'"),
        ("fr", "dépasse la longueur maximale autorisée de « 50 »"),
    ],
)
@pytest.mark.interface_only
def test_a_refused_save_keeps_the_input_and_shows_the_coded_error_on_its_field(
    request: pytest.FixtureRequest, system: OrganizationService, language: str, message: str
) -> None:
    client = _client(request, language)
    lead_id = _lead(system)
    page = client.get(f"/app/leads/{lead_id}").text
    too_long = "L" * 51
    answer = client.post(f"/app/leads/{lead_id}", data={
        "csrf_token": _csrf(page), "row-version": _version(page), "lastname": too_long,
        "jobtitle": "Head of Coffee",
    })  # fmt: skip
    assert answer.status_code == 400
    alert = _alert(answer.text)
    assert "0x80044331" in alert and message in alert
    field = _field(answer.text, "lastname")
    assert 'aria-invalid="true"' in field and 'aria-describedby="error-lastname"' in field
    assert f'value="{too_long}"' in field and message in html.unescape(field)
    assert 'id="error-lastname"' in field
    assert 'value="Head of Coffee"' in _field(answer.text, "jobtitle")
    assert system.retrieve("lead", lead_id)["jobtitle"] is None


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "expected a number"), ("fr", "attendu un nombre")]
)
@pytest.mark.interface_only
def test_a_value_the_form_cannot_read_is_shown_on_its_field_and_nothing_is_saved(
    request: pytest.FixtureRequest, system: OrganizationService, language: str, expected: str
) -> None:
    client = _client(request, language)
    before = len(system.retrieve_multiple("lead"))
    page = client.get("/app/leads/new").text
    answer = client.post("/app/leads/new", data={
        "csrf_token": _csrf(page), "subject": "Grinders", "lastname": "Okafor",
        "numberofemployees": "a dozen", "revenue": "lots",
    })  # fmt: skip
    assert answer.status_code == 400
    assert "0x80040203" in _alert(answer.text)
    for name, typed in (("numberofemployees", "a dozen"), ("revenue", "lots")):
        field = html.unescape(_field(answer.text, name))
        assert 'aria-invalid="true"' in field and f'value="{typed}"' in field
        assert expected in field
    assert 'value="Okafor"' in _field(answer.text, "lastname")
    assert len(system.retrieve_multiple("lead")) == before


@pytest.mark.interface_only
def test_a_missing_required_value_is_shown_on_its_field(admin_client: TestClient) -> None:
    page = admin_client.get("/app/leads/new").text
    answer = admin_client.post(
        "/app/leads/new", data={"csrf_token": _csrf(page), "lastname": "Okafor"}
    )
    assert answer.status_code == 400
    assert "0x80040200" in _alert(answer.text)
    assert 'aria-invalid="true"' in _field(answer.text, "subject")


@pytest.mark.interface_only
def test_a_form_post_without_the_csrf_token_changes_nothing(
    admin_client: TestClient, system: OrganizationService
) -> None:
    lead_id = _lead(system)
    answer = admin_client.post(f"/app/leads/{lead_id}", data={"jobtitle": "Intruder"})
    assert answer.status_code == 403 and "0x8F4C47C8" in answer.text
    assert system.retrieve("lead", lead_id)["jobtitle"] is None


# --- closed records, links, customization --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "This lead is closed (Disqualified): reactivate it to edit it."),
        ("fr", "Cet enregistrement (prospect) est fermé (Disqualifié) : réactivez-le pour le "
               "modifier."),
    ],
)  # fmt: skip
@pytest.mark.interface_only
def test_a_closed_lead_is_read_only(
    request: pytest.FixtureRequest, system: OrganizationService, language: str, note: str
) -> None:
    client = _client(request, language)
    lead_id = _lead(system, jobtitle="Buyer")
    system.set_state("lead", lead_id, 2, 4)
    page = client.get(f"/app/leads/{lead_id}").text
    assert note in html.unescape(page)
    form = page.split('id="record-form"')[1].split("</form>")[0]
    assert '<input type="text"' not in form and "<select" not in form and "<textarea" not in form
    assert "Buyer" in _field(page, "jobtitle")
    answer = client.post(f"/app/leads/{lead_id}", data={
        "csrf_token": _csrf(page), "row-version": _version(page), "jobtitle": "CFO",
    })  # fmt: skip
    assert answer.status_code == 400 and "0x8F4C47CD" in _alert(answer.text)
    assert system.retrieve("lead", lead_id)["jobtitle"] == "Buyer"


@pytest.mark.interface_only
def test_lookups_link_the_records_both_ways(
    admin_client: TestClient, system: OrganizationService
) -> None:
    account_id = system.create("account", name="Fourth Coffee")
    lead_id = _lead(system, parentaccountid=EntityReference("account", account_id))
    system.update(Entity("account", account_id, originatingleadid=EntityReference("lead", lead_id)))
    lead_page = admin_client.get(f"/app/leads/{lead_id}").text
    existing = _field(lead_page, "parentaccountid")
    assert f'<option value="{account_id}" selected>Fourth Coffee</option>' in existing
    assert f'href="/app/accounts/{account_id}"' in existing and ">Open</a>" in existing
    account_page = admin_client.get(f"/app/accounts/{account_id}").text
    assert "<h1>Fourth Coffee</h1>" in account_page
    assert f'href="/app/leads/{lead_id}"' in _field(account_page, "originatingleadid")


@pytest.mark.interface_only
def test_a_column_an_administrator_adds_to_the_form_record_appears_without_a_template_change(
    org: Organization,
    admin: OrganizationService,
    system: OrganizationService,
    admin_client: TestClient,
) -> None:
    admin.execute(CreateAttributeRequest(
        "lead", "new_coffeeblend", ColumnType.STRING, Label("Coffee Blend", "Mélange de café"),
        max_length=40,
    ))  # fmt: skip
    admin.execute(PublishAllXmlRequest())
    assert "new_coffeeblend" not in admin_client.get("/app/leads/new").text
    record = system.retrieve_multiple("systemform", objecttypecode="lead", isdefault=True)[0]
    layout = json.loads(record["formjson"])
    layout["tabs"][0]["sections"][0]["fields"].append("new_coffeeblend")
    assert record.id is not None
    admin.update(Entity("systemform", record.id, formjson=json.dumps(layout)))
    page = admin_client.get("/app/leads/new").text
    assert 'maxlength="40"' in _field(page, "new_coffeeblend") and "Coffee Blend" in page
    answer = admin_client.post("/app/leads/new", data={
        "csrf_token": _csrf(page), "subject": "Blends", "lastname": "Sato",
        "new_coffeeblend": "Mocha Java",
    }, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303
    assert 'value="Mocha Java"' in _field(admin_client.get(answer.headers["location"]).text,
                                          "new_coffeeblend")  # fmt: skip


# --- pages that are not there, records one may not read ------------------------------------


@pytest.mark.interface_only
def test_an_unknown_record_or_table_is_a_404_page(admin_client: TestClient) -> None:
    missing = admin_client.get(f"/app/leads/{uuid.uuid4()}")
    assert missing.status_code == 404 and "0x80040217" in _alert(missing.text)
    assert admin_client.get("/app/leads/not-an-id").status_code == 404
    assert admin_client.get("/app/nothings/new").status_code == 404


def test_a_salesperson_opening_a_lead_they_cannot_read_gets_the_coded_refusal(
    org: Organization, system: OrganizationService
) -> None:
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    other = system.create("businessunit", name="Lyon", parentbusinessunitid=root)
    _person(system, "sam@test.example", role="Salesperson",
            unit=EntityReference("businessunit", other))  # fmt: skip
    lead_id = _lead(system, ownerid=EntityReference("systemuser", ADMIN_ID))
    with _sign_in(org, "sam@test.example") as client:
        page = client.get(f"/app/leads/{lead_id}")
        assert page.status_code == 403
        assert "0x80048306" in _alert(page.text) and "Traceback" not in page.text
        own = client.get("/app/leads/new")
        assert own.status_code == 200 and "<h1>New Lead</h1>" in own.text
