"""The record form's fields as a browser would post them, without a browser: a Yes/No field
with no value stays empty through a Save, money shows in the reader's language, required
fields are flagged all at once, a new record's header shows no dashes, and lookups tell
their tables and their namesakes apart."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest

from leadgate.platform import Entity, Organization, OrganizationService
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.web import create_app
from tests.conftest import ADMIN_EMAIL, add_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2, which is not installed here
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.interface_only

PASSWORD = "correct horse"
STEPS = ("identifycompetitors", "identifypursuitteam", "sendthankyounote")


class Posted(HTMLParser):
    """What a browser posts for the record form when the person changes nothing: each
    control's initial value (a select's selected option, else its first)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def _ours(self, attrs: dict[str, str | None]) -> bool:
        return self._in_form or attrs.get("form") == "record-form"

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "form" and attrs.get("id") == "record-form":
            self._in_form = True
        elif tag == "input" and self._ours(attrs) and attrs.get("name"):
            if attrs.get("type") not in ("submit", "button", "checkbox", "radio"):
                self.fields.append((str(attrs["name"]), attrs.get("value") or ""))
        elif tag == "select" and self._ours(attrs):
            self._select, self._options = str(attrs["name"]), []
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and self._ours(attrs):
            self._textarea, self._text = str(attrs["name"]), ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.fields.append((self._select, (chosen or [self._options[0][0]])[-1]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def posted(page_text: str, **changes: str) -> list[tuple[str, str]]:
    parser = Posted()
    parser.feed(page_text)
    fields = [(name, changes.get(name, value)) for name, value in parser.fields]
    return [*fields, *((n, v) for n, v in changes.items() if n not in dict(parser.fields))]


def _sign_in(org: Organization, email: str) -> TestClient:
    client = TestClient(create_app(org))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert token is not None
    answer = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def english(org: Organization) -> Iterator[TestClient]:
    with _sign_in(org, ADMIN_EMAIL) as client:
        yield client


@pytest.fixture
def french(org: Organization, system: OrganizationService) -> Iterator[TestClient]:
    user_id = add_user(system, "camille@test.example", role="System Administrator")
    system.execute(SetPasswordRequest(EntityReference("systemuser", user_id), PASSWORD))
    system.update(Entity("systemuser", user_id, uilanguageid=1036))
    with _sign_in(org, "camille@test.example") as client:
        yield client


def _field(page_text: str, name: str) -> str:
    found = re.search(rf'<div class="field[^"]*">\s*<label for="field-{name}".*?\n</div>',
                      page_text, re.S)  # fmt: skip
    assert found is not None, f"no field {name}"
    return html.unescape(found.group(0))


def _post(client: TestClient, url: str, fields: list[tuple[str, str]]) -> httpx.Response:
    """The fields as a browser posts them (a name twice when the page has it twice)."""
    return client.post(url, content=urlencode(fields), follow_redirects=False,
                       headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip


def test_an_unchanged_save_leaves_empty_yes_no_fields_empty(
    english: TestClient, system: OrganizationService
) -> None:
    opportunity = system.create("opportunity", {"name": "Espresso bar"})
    url = f"/app/opportunities/{opportunity}"
    page = english.get(url).text
    for name in STEPS:
        assert '<option value="" selected>(none)</option>' in _field(page, name)
    answer = _post(english, url, posted(page))
    assert answer.status_code == 303
    assert "Nothing to save" in english.get(answer.headers["location"]).text
    saved = system.retrieve("opportunity", opportunity)
    assert all(saved.get(name) is None for name in STEPS)
    # Chosen, then set back to the empty choice: stored as no value.
    page = english.get(url).text
    _post(english, url, posted(page, identifycompetitors="true"))
    assert system.retrieve("opportunity", opportunity)["identifycompetitors"] is True
    page = english.get(url).text
    assert '<option value="true" selected>Yes</option>' in _field(page, "identifycompetitors")
    _post(english, url, posted(page, identifycompetitors=""))
    after = system.retrieve("opportunity", opportunity)
    assert after["identifycompetitors"] is None and after["identifypursuitteam"] is None


@pytest.mark.parametrize(("language", "shown"), [("en", "12500.50"), ("fr", "12500,50")])
def test_money_edit_boxes_show_the_readers_number_and_an_unchanged_save_keeps_it(
    request: pytest.FixtureRequest, system: OrganizationService, language: str, shown: str
) -> None:
    client = request.getfixturevalue("french" if language == "fr" else "english")
    opportunity = system.create("opportunity", {"name": "Grinders", "budgetamount": 12500.5})
    url = f"/app/opportunities/{opportunity}"
    page = client.get(url).text
    assert f'value="{shown}"' in _field(page, "budgetamount")
    answer = _post(client, url, posted(page))
    assert answer.status_code == 303
    before = system.retrieve("opportunity", opportunity)
    assert before["budgetamount"] == 12500.5
    other = "1,234.5" if language == "fr" else "1.234,5"  # the other language's way
    refused = _post(client, url, posted(client.get(url).text, budgetamount=other))
    assert refused.status_code == 400
    field = _field(refused.text, "budgetamount")
    assert 'aria-invalid="true"' in field and f'value="{other}"' in field
    assert system.retrieve("opportunity", opportunity)["budgetamount"] == 12500.5


def test_required_fields_are_required_inputs_and_all_flagged_with_an_unreadable_value(
    english: TestClient,
) -> None:
    page = english.get("/app/leads/new").text
    assert re.search(r'<input type="text" id="field-subject" name="subject" required', page)
    assert " required" not in _field(page, "firstname")
    answer = _post(english, "/app/leads/new", posted(page, numberofemployees="a dozen"))
    assert answer.status_code == 400
    text = answer.text
    assert "expected a number" in _field(text, "numberofemployees")
    for name, label in (("subject", "Topic"), ("lastname", "Last Name")):
        field = _field(text, name)
        assert 'aria-invalid="true"' in field and f"({label})" in field
        assert "Required field missing" in field
    assert "aria-invalid" not in _field(text, "firstname")


def test_a_missing_required_value_flags_every_empty_required_field(english: TestClient) -> None:
    page = english.get("/app/leads/new").text
    answer = _post(english, "/app/leads/new", posted(page, firstname="Nora"))
    assert answer.status_code == 400
    for name in ("subject", "lastname"):
        assert 'aria-invalid="true"' in _field(answer.text, name)


def test_a_new_records_header_shows_no_empty_fields(english: TestClient) -> None:
    page = english.get("/app/leads/new").text
    header = page.split('<header class="record-header">')[1].split("</header>")[0]
    assert "—" not in header and "Owner" not in header


def test_lookups_group_by_table_and_tell_namesakes_apart(
    english: TestClient, system: OrganizationService
) -> None:
    first = system.create("account", {"name": "Fourth Coffee", "telephone1": "555-0100"})
    second = system.create("account", {"name": "Fourth Coffee", "telephone1": "555-0199"})
    third = system.create("account", {"name": "Fourth Coffee"})
    system.create("contact", {"lastname": "Fourth Coffee"})
    opportunity = system.create("opportunity", {"name": "Beans"})
    field = _field(english.get(f"/app/opportunities/{opportunity}").text, "customerid")
    accounts = field.split('<optgroup label="Account">')[1].split("</optgroup>")[0]
    contacts = field.split('<optgroup label="Contact">')[1].split("</optgroup>")[0]
    assert f'account:{first}">Fourth Coffee (555-0100)</option>' in accounts
    assert f'account:{second}">Fourth Coffee (555-0199)</option>' in accounts
    assert f'account:{third}">Fourth Coffee ({str(third)[:8]})</option>' in accounts
    assert ">Fourth Coffee</option>" in contacts  # one of its name in its own table
    lead = system.create("lead", {"subject": "Beans", "lastname": "Durand"})
    single = _field(english.get(f"/app/leads/{lead}").text, "parentaccountid")
    assert '<optgroup label="Account">' in single
