"""What the public clients' wider API sends beyond their everyday flows (docs/clients.md):
Dataverse's query parameters that leadgate does not run, a column emptied by DELETE."""

from __future__ import annotations

import pytest

from leadgate.platform.engine import errors
from tests.e2e.conftest import API, assert_error

pytestmark = pytest.mark.interface_only

LEADS = f"{API}/leads"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        # Microsoft's SDK: client.query.sql(...) and client.query.fetchxml(...).execute()
        ("sql=SELECT%20TOP%205%20subject%20FROM%20lead", "sql"),
        ("fetchXml=%3Cfetch%3E%3Centity%20name%3D%27lead%27%2F%3E%3C%2Ffetch%3E", "fetchXml"),
        ("savedQuery=00000000-0000-0000-0000-000000000001", "savedQuery"),
        ("userQuery=00000000-0000-0000-0000-000000000001", "userQuery"),
        ("FETCHXML=%3Cfetch%2F%3E&$select=subject", "fetchXml"),
    ],
)
def test_a_fetchxml_or_sql_query_is_refused_not_answered_with_every_record(api, query, parameter):
    """Ignored as any custom option, it would answer the whole table as if it were the result."""
    api.post(LEADS, json={"subject": "Not a result", "lastname": "Lovelace"})

    english = assert_error(api.get(f"{LEADS}?{query}"), 400, errors.INVALID_QUERY.code)
    french = assert_error(
        api.get(f"{LEADS}?{query}", headers={"Accept-Language": "fr"}),
        400,
        errors.INVALID_QUERY.code,
    )

    assert english == (
        f"The query is not valid: leadgate does not run {parameter} queries: ask with "
        "$select, $filter, $orderby, $top and $expand instead."
    )
    assert french == (
        f"La requête n'est pas valide : leadgate n'exécute pas les requêtes {parameter} : "
        "demandez plutôt avec $select, $filter, $orderby, $top et $expand."
    )


def test_a_custom_query_option_is_still_the_clients_own(api):
    response = api.get(f"{LEADS}?$select=subject&mytag=1")

    assert response.status_code == 200, response.text


def _lead(api, **values) -> str:
    response = api.post(LEADS, json={"subject": "Columns", "lastname": "Lovelace", **values})
    assert response.status_code == 204, response.text
    return response.headers["OData-EntityId"]


def test_delete_on_a_column_empties_it_and_leaves_the_others(api):
    """dataverse-api's ``delete_columns`` sends ``DELETE leads(…)/description``."""
    url = _lead(api, description="To forget", companyname="Contoso")

    response = api.delete(f"{url}/description")

    assert response.status_code == 204, response.text
    record = api.get(f"{url}?$select=description,companyname").json()
    assert (record["description"], record["companyname"]) == (None, "Contoso")


def test_delete_on_a_column_of_a_missing_record_is_404(api):
    response = api.delete(f"{LEADS}(00000000-0000-4000-8000-000000000001)/description")

    assert_error(response, 404, errors.RECORD_NOT_FOUND.code)


@pytest.mark.parametrize(
    "path",
    ["leads/description", "leads(00000000-0000-4000-8000-000000000001)/nosuchcolumn"],
)
def test_delete_on_what_is_not_a_column_of_a_record_is_404(api, path):
    assert_error(api.delete(f"{API}/{path}"), 404, errors.RESOURCE_NOT_FOUND.code)


def test_a_required_or_read_only_column_is_not_emptied(api):
    url = _lead(api)

    assert_error(api.delete(f"{url}/subject"), 400, "0x80040200")  # required
    for column in ("createdon", "statecode", "leadid"):  # set once, by SetState, the key
        assert_error(api.delete(f"{url}/{column}"), 400, errors.NOT_VALID_FOR_UPDATE.code)
    assert api.get(f"{url}?$select=subject").json()["subject"] == "Columns"


def test_the_available_languages_are_english_and_french(api):
    """dataverse-api's ``get_language_codes``."""
    for url in (f"{API}/RetrieveAvailableLanguages", f"{API}/RetrieveAvailableLanguages()"):
        response = api.get(url)
        assert response.status_code == 200, response.text
        assert response.json()["LocaleIds"] == [1033, 1036]


def test_one_attribute_is_read_by_its_logical_name(api):
    """The SDK's ``tables.get_column``; ``AttributeOf`` is in its ``sql_columns`` $select."""
    table = f"{API}/EntityDefinitions(LogicalName='lead')"

    found = api.get(f"{table}/Attributes(LogicalName='subject')?$select=LogicalName,AttributeOf")
    listed = api.get(f"{table}/Attributes?$select=LogicalName,AttributeOf")

    assert found.status_code == 200, found.text
    assert (found.json()["LogicalName"], found.json()["AttributeOf"]) == ("subject", None)
    assert found.json()["MetadataId"] in {row["MetadataId"] for row in listed.json()["value"]}
    by_id = api.get(f"{table}/Attributes({found.json()['MetadataId']})?$select=LogicalName")
    assert by_id.json()["LogicalName"] == "subject"
    missing = api.get(f"{table}/Attributes(LogicalName='nosuchcolumn')")
    assert_error(missing, 404, errors.RECORD_NOT_FOUND.code)
    wrong = api.get(f"{table}/Attributes?$select=LogicalName,NoSuchProperty")
    assert "AttributeMetadata" in assert_error(wrong, 400, errors.UNKNOWN_PROPERTY.code)


def test_relationship_definitions_list_every_relationship_and_find_one(api):
    """The SDK's ``tables.list_relationships``/``get_relationship``, dataverse-api's
    ``get_relationship_definition``."""
    every = api.get(f"{API}/RelationshipDefinitions?$select=SchemaName")
    filtered = api.get(f"{API}/RelationshipDefinitions?$filter=SchemaName eq 'lead_parent_account'")
    one = api.get(f"{API}/RelationshipDefinitions(SchemaName='lead_parent_account')")

    names = [row["SchemaName"] for row in every.json()["value"]]
    assert "lead_parent_account" in names and len(names) == len(set(names))
    assert [row["ReferencedEntity"] for row in filtered.json()["value"]] == ["account"]
    assert (one.json()["ReferencingEntity"], one.json()["ReferencingAttribute"]) == (
        "lead",
        "parentaccountid",
    )
    missing = api.get(f"{API}/RelationshipDefinitions(SchemaName='no_such_relationship')")
    assert_error(missing, 404, errors.RECORD_NOT_FOUND.code)


def test_a_table_has_no_many_to_many_relationships_nor_activities(api):
    table = f"{API}/EntityDefinitions(LogicalName='lead')"

    relationships = api.get(f"{table}/ManyToManyRelationships")
    definition = api.get(f"{table}?$select=HasActivities,HasNotes")

    assert relationships.json()["value"] == []
    assert (definition.json()["HasActivities"], definition.json()["HasNotes"]) == (False, False)
