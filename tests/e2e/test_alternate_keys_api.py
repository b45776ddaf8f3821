"""Records named by an alternate key in URLs, as Dataverse's Web API reads them:
``accounts(accountnumber='A-1')`` and keys of several columns in any order, for GET, PATCH
(upsert; update only with ``If-Match: *``; create only with ``If-None-Match: *``) and DELETE,
and in UpsertMultiple's ``@odata.id`` as Microsoft's SDK sends it (CLIENTS.md §1, item 9).
The keys themselves are defined and enforced in tests/integration/test_alternate_keys.py."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.platform import (
    EntityReference,
    OrganizationService,
    PublishAllXmlRequest,
    RetrieveRequest,
)
from leadgate.platform.customization.keys import CreateEntityKeyRequest
from leadgate.platform.records.keys import KEY_NOT_DEFINED, RECORD_NOT_FOUND_BY_KEY
from tests.e2e.conftest import API, assert_error, in_both_languages, platform_error

ACCOUNTS = f"{API}/accounts"
CONTACTS = f"{API}/contacts"


@pytest.fixture
def keyed(system: OrganizationService) -> OrganizationService:
    """Keys on account (accountnumber) and contact (firstname + emailaddress1), published."""
    system.execute(CreateEntityKeyRequest("account", "new_accountnumber", ("accountnumber",)))
    system.execute(
        CreateEntityKeyRequest("contact", "new_nameandemail", ("firstname", "emailaddress1"))
    )
    system.execute(PublishAllXmlRequest())
    return system


def record_id(response) -> str:
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def test_get_patch_and_delete_by_a_key_of_one_column(api, keyed):
    created = api.post(ACCOUNTS, json={"name": "Fabrikam", "accountnumber": "A-1"})
    account = record_id(created)

    read = api.get(f"{ACCOUNTS}(accountnumber='A-1')?$select=name")
    assert read.status_code == 200, read.text
    assert (read.json()["name"], read.json()["accountid"]) == ("Fabrikam", account)

    changed = api.patch(f"{ACCOUNTS}(accountnumber='A-1')", json={"name": "Fabrikam Inc"},
                        headers={"If-Match": "*"})  # fmt: skip
    assert changed.status_code == 204, changed.text
    assert record_id(changed) == account  # OData-EntityId names the record by its id
    assert api.get(f"{ACCOUNTS}({account})?$select=name").json()["name"] == "Fabrikam Inc"

    assert api.delete(f"{ACCOUNTS}(accountnumber='A-1')").status_code == 204
    assert api.get(f"{ACCOUNTS}({account})").status_code == 404


def test_patch_without_conditions_creates_the_record_with_its_key_then_updates_it(api, keyed):
    url = f"{ACCOUNTS}(accountnumber='ACC-1')"
    made = api.patch(url, json={"name": "Contoso"})
    assert made.status_code == 204, made.text
    account = record_id(made)
    again = api.patch(url, json={"name": "Contoso Ltd"})
    assert (again.status_code, record_id(again)) == (204, account)
    read = api.get(f"{ACCOUNTS}({account})?$select=name,accountnumber").json()
    assert (read["name"], read["accountnumber"]) == ("Contoso Ltd", "ACC-1")


def test_a_body_naming_another_key_value_creates_nothing(api, keyed):
    # The record created must be the one the URL names: its key's values are not the body's
    # to change (as the id in a body may not differ from the URL's).
    url = f"{ACCOUNTS}(accountnumber='K-1')"
    for headers in ({}, {"If-None-Match": "*"}):
        refused = api.patch(url, json={"name": "Conflict", "accountnumber": "K-2"}, headers=headers)
        assert_error(refused, 400, "0x80040203")
        assert "'K-2'" in refused.json()["error"]["message"]
        assert "expected 'K-1'" in refused.json()["error"]["message"]
    french = api.patch(url, json={"accountnumber": "K-2"}, headers={"Accept-Language": "fr"})
    assert "attendu 'K-1'" in french.json()["error"]["message"]
    assert api.get(f"{ACCOUNTS}?$filter=accountnumber eq 'K-2'").json()["value"] == []
    same = api.patch(url, json={"name": "Same", "accountnumber": "K-1"})
    assert same.status_code == 204, same.text
    assert api.get(f"{url}?$select=name").json()["name"] == "Same"


def test_if_match_star_only_updates_and_if_none_match_star_only_creates(api, keyed):
    url = f"{ACCOUNTS}(accountnumber='B-1')"
    missing = api.patch(url, json={"name": "Nobody"}, headers={"If-Match": "*"})
    assert_error(missing, 404, RECORD_NOT_FOUND_BY_KEY.code)
    assert "accountnumber='B-1'" in missing.json()["error"]["message"]

    made = api.patch(url, json={"name": "Made"}, headers={"If-None-Match": "*"})
    assert made.status_code == 204, made.text
    twice = api.patch(url, json={"name": "Twice"}, headers={"If-None-Match": "*"})
    assert_error(twice, 412, "0x80040237")  # the unique index: Cannot insert duplicate key
    assert api.get(f"{url}?$select=name").json()["name"] == "Made"


def test_a_key_of_two_columns_in_any_order_with_quotes_doubled(api, keyed):
    made = api.patch(f"{CONTACTS}(firstname='Ann O''Neil',emailaddress1='ann@example.com')",
                     json={"lastname": "O'Neil"})  # fmt: skip
    assert made.status_code == 204, made.text
    contact = record_id(made)
    read = api.get(
        f"{CONTACTS}( emailaddress1 = 'ann@example.com' , firstname = 'Ann O''Neil' )"
        "?$select=firstname,lastname"
    )
    assert read.status_code == 200, read.text
    assert read.json()["contactid"] == contact
    assert (read.json()["firstname"], read.json()["lastname"]) == ("Ann O'Neil", "O'Neil")
    encoded = quote("(firstname='Ann O''Neil',emailaddress1='ann@example.com')")
    assert api.get(f"{CONTACTS}{encoded}?$select=lastname").status_code == 200


def test_the_primary_key_may_be_named(api, keyed):
    account = record_id(api.post(ACCOUNTS, json={"name": "Named"}))
    read = api.get(f"{ACCOUNTS}(accountid={account})?$select=name")
    assert (read.status_code, read.json()["name"]) == (200, "Named")


def test_upsert_multiple_with_key_ids_as_the_sdk_sends_them(api, keyed):
    existing = record_id(api.post(ACCOUNTS, json={"name": "Old", "accountnumber": "ACC-1"}))
    done = api.post(f"{ACCOUNTS}/Microsoft.Dynamics.CRM.UpsertMultiple", json={"Targets": [
        {"@odata.id": "accounts(accountnumber='ACC-1')", "name": "Updated",
         "@odata.type": "Microsoft.Dynamics.CRM.account"},
        {"@odata.id": f"{API}/accounts(accountnumber='ACC-2')", "name": "Created",
         "@odata.type": "Microsoft.Dynamics.CRM.account"},
    ]})  # fmt: skip
    assert done.status_code == 200, done.text
    results = done.json()["Results"]
    assert [(r["RecordCreated"], r["Target"]["accountid"] == existing) for r in results] == [
        (False, True), (True, False)]  # fmt: skip
    made = api.get(f"{ACCOUNTS}(accountnumber='ACC-2')?$select=name").json()
    assert (made["name"], made["accountid"]) == ("Created", results[1]["Target"]["accountid"])


def test_columns_that_are_no_key_are_refused_in_both_languages(api, keyed, admin):
    by_name = EntityReference.by_key("account", name="Fabrikam")
    expected = platform_error(lambda: admin.execute(RetrieveRequest(by_name)))
    assert expected.kind is KEY_NOT_DEFINED
    english, _french = in_both_languages(
        lambda h: api.get(f"{ACCOUNTS}(name='Fabrikam')", headers=h), 400, expected
    )
    assert "accountnumber" in english  # the keys the table has


def test_a_missing_record_by_key_is_404_in_both_languages(api, keyed, admin):
    by_number = EntityReference.by_key("account", accountnumber="Z")
    expected = platform_error(lambda: admin.execute(RetrieveRequest(by_number)))
    in_both_languages(lambda h: api.get(f"{ACCOUNTS}(accountnumber='Z')", headers=h), 404, expected)


# Each key, and the status and code it is refused with (typed values are the platform's).
REFUSED_KEYS = [
    ("accountnumber='A-1'", 404, RECORD_NOT_FOUND_BY_KEY.code),  # well formed, no record
    ("accountnumber=5", 400, "0x80040203"),  # a number is not text
    ("accountnumber=null", 400, "0x80040203"),
    ("accountnumber='A-1',", 400, "0x8006088a"),
    ("accountnumber='A-1", 400, "0x8006088a"),
    ("accountnumber='A'-1'", 400, "0x8006088a"),
    ("accountnumber=", 400, "0x8006088a"),
    ("accountnumber='A-1',accountnumber='A-2'", 400, "0x8006088a"),
    ("nosuchcolumn='x'", 400, "0x80060888"),
    ("name='x',accountnumber='A-1'", 400, KEY_NOT_DEFINED.code),
    ("'A-1'", 400, "0x8006088a"),
    ("=", 400, "0x8006088a"),
    ("accountnumber=A-1", 400, "0x8006088a"),
    ("accountnumber=2026-13-45", 400, "0x8006088a"),
    ("accountnumber='x'" + ",accountnumber='y'" * 500, 400, "0x8006088a"),
    ("accountnumber=" + " " * 5000 + "x", 400, "0x8006088a"),  # read in linear time
]


@pytest.mark.interface_only
def test_keys_that_cannot_name_a_record_are_coded_refusals(api, keyed):
    for key, status, code in REFUSED_KEYS:
        for method in (api.get, api.delete):
            assert_error(method(f"{ACCOUNTS}({key})"), status, code)
        update = api.patch(f"{ACCOUNTS}({key})", json={"name": "X"}, headers={"If-Match": "*"})
        assert_error(update, status, code)


@pytest.mark.interface_only
def test_keys_are_no_collections(api, keyed):
    assert_error(api.get(f"{ACCOUNTS}(accountnumber='A-1')/$count"), 404, "0x80060889")
    assert_error(api.post(f"{ACCOUNTS}(accountnumber='A-1')", json={}), 405, "0x8F4C470F")


def test_a_key_with_a_lookup_is_named_by_its_lookup_property(api, system):
    system.execute(CreateEntityKeyRequest(
        "contact", "new_nameandaccount", ("lastname", "parentcustomerid")))  # fmt: skip
    system.execute(PublishAllXmlRequest())
    account = record_id(api.post(ACCOUNTS, json={"name": "Parent"}))
    made = api.patch(f"{CONTACTS}(lastname='Child',_parentcustomerid_value={account})",
                     json={"firstname": "Kid"})  # fmt: skip
    assert made.status_code == 204, made.text
    read = api.get(
        f"{CONTACTS}(_parentcustomerid_value={account},lastname='Child')"
        "?$select=firstname,_parentcustomerid_value"
    ).json()
    assert (read["firstname"], read["_parentcustomerid_value"]) == ("Kid", account)
    assert read["contactid"] == record_id(made)
    assert api.get(f"{CONTACTS}(lastname='Child',_parentcustomerid_value={uuid.uuid4()})"
                   ).status_code == 404  # fmt: skip


# Any text but '/', which ends a URL's segment (Dataverse refuses more: / < > * % & : \ ? +).
KEY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
    min_size=1, max_size=20,
)  # fmt: skip


@pytest.mark.interface_only
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(number=KEY_TEXT)
def test_any_key_text_survives_the_url(api, keyed, number):
    """What a client quotes ('' for ') and percent-encodes names the record it made."""
    url = f"{ACCOUNTS}" + quote(f"(accountnumber='{number.replace(chr(39), chr(39) * 2)}')")
    made = api.patch(url, json={"name": "Round trip"})
    assert made.status_code == 204, made.text
    read = api.get(f"{url}?$select=accountnumber")
    assert read.status_code == 200, read.text
    assert read.json()["accountnumber"] == number
    assert record_id(made) == read.json()["accountid"]
    assert api.delete(url).status_code == 204


def test_a_lookup_is_bound_by_key(api, keyed):
    account = record_id(api.post(ACCOUNTS, json={"name": "Parent", "accountnumber": "P-1"}))
    lead = api.post(f"{API}/leads", json={
        "subject": "Bound", "lastname": "Lee",
        "parentaccountid@odata.bind": "/accounts(accountnumber='P-1')"})  # fmt: skip
    assert lead.status_code == 204, lead.text
    read = api.get(f"{API}/leads({record_id(lead)})?$select=_parentaccountid_value").json()
    assert read["_parentaccountid_value"] == account
    unknown = {"parentaccountid@odata.bind": f"{ACCOUNTS}(accountnumber='P-2')"}
    missing = api.patch(f"{API}/leads({record_id(lead)})", json=unknown, headers={"If-Match": "*"})
    assert_error(missing, 404, RECORD_NOT_FOUND_BY_KEY.code)


def test_a_bound_action_on_a_record_named_by_key(api, system):
    system.execute(CreateEntityKeyRequest("lead", "new_leademail", ("emailaddress1",)))
    system.execute(PublishAllXmlRequest())
    lead = record_id(api.post(f"{API}/leads", json={
        "subject": "By key", "lastname": "Lee", "emailaddress1": "lee@example.com"}))  # fmt: skip
    qualified = api.post(
        f"{API}/leads(emailaddress1='lee@example.com')/Microsoft.Dynamics.CRM.QualifyLead",
        json={"CreateAccount": False, "CreateContact": True, "CreateOpportunity": False,
              "Status": 3},
    )  # fmt: skip
    assert qualified.status_code == 200, qualified.text
    assert api.get(f"{API}/leads({lead})?$select=statecode").json()["statecode"] == 1
    missing = api.post(
        f"{API}/leads(emailaddress1='nobody@example.com')/Microsoft.Dynamics.CRM.QualifyLead",
        json={"Status": 3},
    )
    assert_error(missing, 404, RECORD_NOT_FOUND_BY_KEY.code)


def test_numbers_out_of_any_range_are_answered_not_crashed(api, system):
    system.execute(CreateEntityKeyRequest("account", "new_staff", ("numberofemployees",)))
    system.execute(PublishAllXmlRequest())
    made = api.patch(f"{ACCOUNTS}(numberofemployees=42)", json={"name": "Forty-two"})
    assert made.status_code == 204, made.text
    assert api.get(f"{ACCOUNTS}(numberofemployees=42.0)?$select=name").json()["name"] == (
        "Forty-two"
    )
    for number in ("99999999999999999999999999", "-2147483649", "1e400", "0.5"):
        response = api.get(f"{ACCOUNTS}(numberofemployees={number})")
        assert response.status_code in (400, 404), response.text
        assert response.json()["error"]["code"].startswith("0x")
