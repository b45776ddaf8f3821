"""$expand: lookups and one level of one-to-many relationships, read as the caller."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadgate.platform import (
    EntityReference,
    LeadgateError,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.metadata import navigation_properties
from leadgate.web import expand as expand_module
from tests.conftest import add_user
from tests.e2e.conftest import API, assert_error
from tests.e2e.test_security_api import lead_of, salesperson, units  # noqa: F401  (fixtures)

LEADS = f"{API}/leads"
ACCOUNTS = f"{API}/accounts"


@pytest.fixture
def world(admin):
    """Two accounts (one with two contacts) and three leads, two of them on the first."""
    contoso = admin.create("account", name="Contoso", accountnumber="C-1")
    fabrikam = admin.create("account", name="Fabrikam")
    on_contoso = EntityReference("account", contoso)
    people = [
        admin.create("contact", lastname=name, firstname="Ada", parentcustomerid=on_contoso)
        for name in ("Lovelace", "Byron")
    ]
    leads = [
        admin.create(
            "lead",
            subject=f"Lead {index}",
            lastname=f"L{index}",
            **({"parentaccountid": EntityReference("account", account)} if account else {}),
        )
        for index, account in enumerate((contoso, contoso, None))
    ]
    return {"contoso": contoso, "fabrikam": fabrikam, "people": people, "leads": leads}


def test_a_lookup_expands_with_its_select_on_a_record(api, world):
    lead = world["leads"][0]
    response = api.get(f"{LEADS}({lead})?$select=subject&$expand=parentaccountid($select=name)")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith("#leads(subject,parentaccountid(name))/$entity")
    assert body["subject"] == "Lead 0"
    expanded = body["parentaccountid"]
    assert expanded["name"] == "Contoso"
    assert expanded["accountid"] == str(world["contoso"])
    assert "accountnumber" not in expanded and "@odata.etag" in expanded
    # The lookup the expansion followed was read, not shown: only $select is.
    assert "_parentaccountid_value" not in body


def test_a_lookup_without_select_gives_every_column_and_empty_is_null(api, world):
    response = api.get(f"{LEADS}?$select=subject&$expand=parentaccountid&$orderby=subject")
    assert response.status_code == 200, response.text
    rows = response.json()["value"]
    assert [r["parentaccountid"] and r["parentaccountid"]["name"] for r in rows] == [
        "Contoso",
        "Contoso",
        None,
    ]
    assert rows[0]["parentaccountid"]["accountnumber"] == "C-1"


def test_a_one_to_many_relationship_expands_with_filter_order_and_top(api, world):
    url = (
        f"{ACCOUNTS}({world['contoso']})?$select=name"
        "&$expand=contact_customer_accounts($select=lastname;$orderby=lastname asc),"
        "lead_parent_account($select=subject;$filter=subject ne 'Lead 1';$top=5)"
    )
    response = api.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["lastname"] for c in body["contact_customer_accounts"]] == ["Byron", "Lovelace"]
    assert [r["subject"] for r in body["lead_parent_account"]] == ["Lead 0"]
    assert set(body["contact_customer_accounts"][0]) == {"@odata.etag", "contactid", "lastname"}


def test_collections_expand_per_record_with_top_per_parent(api, world):
    response = api.get(
        f"{ACCOUNTS}?$select=name&$orderby=name"
        "&$expand=contact_customer_accounts($select=lastname;$orderby=lastname;$top=1)"
    )
    assert response.status_code == 200, response.text
    by_name = {r["name"]: r["contact_customer_accounts"] for r in response.json()["value"]}
    assert [c["lastname"] for c in by_name["Contoso"]] == ["Byron"]
    assert by_name["Fabrikam"] == []


def test_expanding_costs_one_query_per_property_per_page_not_per_record(
    api, admin, world, monkeypatch
):
    currency = admin.retrieve_multiple("transactioncurrency", isocurrencycode="USD")[0]
    for index in range(5):
        admin.create(
            "lead",
            subject=f"Dollar {index}",
            lastname="D",
            transactioncurrencyid=currency.to_reference(),
            parentaccountid=EntityReference("account", world["fabrikam"]),
        )
    queries: list[str] = []
    real = expand_module._read

    def counted(service, table, *args, **kwargs):
        queries.append(table.name)
        return real(service, table, *args, **kwargs)

    monkeypatch.setattr(expand_module, "_read", counted)
    response = api.get(
        f"{LEADS}?$select=subject&$expand=parentaccountid($select=name),"
        "transactioncurrencyid($select=currencyname)"
    )
    assert response.status_code == 200, response.text
    assert sorted(queries) == ["account", "transactioncurrency"]


def test_a_related_record_the_caller_cannot_read_is_null(salesperson, system, units):  # noqa: F811
    _, west = units
    far = system.create(
        "account",
        name="Far away",
        ownerid=EntityReference("systemuser", add_user(system, "w@test.example", unit=west)),
    )
    mine = system.create(
        "lead",
        subject="Mine",
        lastname="Me",
        parentaccountid=EntityReference("account", far),
        ownerid=EntityReference("systemuser", salesperson.user_id),
    )
    response = salesperson.get(f"{LEADS}({mine})?$expand=parentaccountid($select=name)")
    assert response.status_code == 200, response.text
    assert response.json()["parentaccountid"] is None
    # The same query as the caller finds nothing: the expansion read as them.
    query = QueryExpression("account")
    found = salesperson.service.execute(RetrieveMultipleRequest(query)).entity_collection
    assert far not in [record.id for record in found]


def test_navigation_names_come_from_one_rule(org):
    metadata = org.metadata()
    lead = navigation_properties(metadata, metadata.table("lead"))
    assert lead["parentaccountid"].target == "account"
    assert lead["parentaccountid"].partner == "lead_parent_account"
    assert {"ownerid_systemuser", "ownerid_team"} <= set(lead)
    assert "ownerid" not in lead
    assert lead["createdby"].partner == "lk_lead_createdby"
    account = navigation_properties(metadata, metadata.table("account"))
    assert account["contact_customer_accounts"].collection
    assert account["contact_customer_accounts"].column == "parentcustomerid"
    assert account["contact_customer_accounts"].partner == "parentcustomerid_account"
    assert account["contact_customer_accounts"].target == "contact"
    contact = navigation_properties(metadata, metadata.table("contact"))
    assert {"parentcustomerid_account", "parentcustomerid_contact"} <= set(contact)
    assert "parentcustomerid" not in contact


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("expand", "fragment_en", "fragment_fr"),
    [
        ("parentaccountid($expand=primarycontactid)", "reads one level", "un seul niveau"),
        ("parentaccountid($top=1)", "only $select can be used", "seules les options $select"),
        ("parentaccountid(", "unbalanced parentheses", "parenthèses"),
        ("parentaccountid,parentaccountid", "names parentaccountid twice", "deux fois"),
        ("parentaccountid($select=)", "$select needs column names", "$select"),
        ("a b", "navigation properties separated by commas", "séparées par des virgules"),
        ("ownerid", "with ownerid_systemuser, ownerid_team", "avec ownerid_systemuser"),
    ],
)
def test_a_wrong_expand_is_a_coded_400_in_both_languages(
    sqlite_api, expand, fragment_en, fragment_fr
):
    response = sqlite_api.get(LEADS, params={"$expand": expand})
    assert fragment_en in assert_error(response, 400, errors.INVALID_QUERY.code)
    french = sqlite_api.get(LEADS, params={"$expand": expand}, headers={"Accept-Language": "fr"})
    assert fragment_fr in assert_error(french, 400, errors.INVALID_QUERY.code, "fr")


@pytest.mark.interface_only
def test_an_unknown_navigation_property_is_dataverses_error(sqlite_api):
    response = sqlite_api.get(LEADS, params={"$expand": "nosuchthing($select=name)"})
    message = assert_error(response, 400, errors.UNKNOWN_PROPERTY.code)
    assert message == (
        "Could not find a property named 'nosuchthing' on type 'Microsoft.Dynamics.CRM.lead'."
    )


@pytest.mark.interface_only
def test_more_than_fifteen_expansions_are_refused(sqlite_api):
    expand = ",".join(["parentaccountid"] * 16)
    response = sqlite_api.get(LEADS, params={"$expand": expand})
    message = assert_error(response, 400, expand_module.EXPAND_TOO_MANY.code)
    assert "at most 15" in message
    french = sqlite_api.get(LEADS, params={"$expand": expand}, headers={"Accept-Language": "fr"})
    assert "au plus 15" in assert_error(french, 400, expand_module.EXPAND_TOO_MANY.code, "fr")


def test_too_many_related_records_are_refused(api, world, monkeypatch):
    monkeypatch.setattr(expand_module, "MAX_EXPANDED_RECORDS", 1)
    response = api.get(f"{ACCOUNTS}({world['contoso']})?$expand=contact_customer_accounts")
    message = assert_error(response, 400, expand_module.EXPANDED_TOO_MANY.code)
    assert "contact_customer_accounts" in message


expand_pieces = st.sampled_from(
    ["parentaccountid", "contact_customer_accounts", "lead_parent_account", "ownerid_team",
     "(", ")",
     "$select=", "$filter=", "$orderby=", "$top=", "$expand=", "name", "subject", ",", ";", "'",
     "''", " ", "=", "1", "-1", "٣", "x eq 'a'", "\x00", "é", "*"]
)  # fmt: skip
hostile_expand = st.lists(expand_pieces | st.text(max_size=3), max_size=20).map("".join)


@pytest.mark.interface_only
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile_expand)
def test_any_expand_is_read_or_refused_with_a_code(sqlite_org, text):
    metadata = sqlite_org.metadata()
    for table in ("lead", "account"):
        try:
            expand_module.parse_expand(metadata, metadata.table(table), text)
        except LeadgateError as error:
            assert error.code.startswith("0x") and error.message("fr")


def test_the_owner_expands_by_its_table(api, world):
    url = f"{LEADS}({world['leads'][0]})?$select=subject&$expand=ownerid_systemuser,ownerid_team"
    response = api.get(url)
    assert response.status_code == 200, response.text
    assert response.json()["ownerid_systemuser"]["fullname"]
    assert response.json()["ownerid_team"] is None
