"""What the public clients' wider API sends beyond their everyday flows (docs/clients.md):
FetchXML and views as queries, Dataverse SQL refused, a column emptied by DELETE, the metadata
the SDK's and dataverse-api's table calls read. SQLite alone, except what runs a query or a
write (paging by page number, a view, an emptied column): both databases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform.engine import errors
from tests.conftest import property_budget
from tests.e2e.conftest import API, assert_error

LEADS = f"{API}/leads"


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        # Microsoft's SDK: client.query.sql(...)
        ("sql=SELECT%20TOP%205%20subject%20FROM%20lead", "sql"),
        ("userQuery=00000000-0000-0000-0000-000000000001", "userQuery"),
        ("SQL=SELECT%201&$select=subject", "sql"),
    ],
)
def test_a_sql_query_is_refused_not_answered_with_every_record(api, query, parameter):
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
        "$select, $filter, $orderby, $top and $expand, or with fetchXml, instead."
    )
    assert french == (
        f"La requête n'est pas valide : leadgate n'exécute pas les requêtes {parameter} : "
        "demandez plutôt avec $select, $filter, $orderby, $top et $expand, ou avec fetchXml."
    )


def fetch(subject_filter: str = "", attributes: str = "") -> str:
    return (
        f"<fetch {attributes}><entity name='lead'><attribute name='subject'/>"
        "<order attribute='subject' descending='true'/><filter>"
        f"<condition attribute='lastname' operator='eq' value='Fetched'/>{subject_filter}"
        "</filter></entity></fetch>"
    )


@pytest.fixture
def fetched(api):
    for n in range(5):
        response = api.post(LEADS, json={"subject": f"F{n}", "lastname": "Fetched"})
        assert response.status_code == 204, response.text


@pytest.mark.usefixtures("fetched")
def test_fetchxml_pages_by_its_count_and_says_which_page_follows(api):
    """Microsoft's SDK ``client.query.fetchxml(xml).execute()``: each page names the next
    one in Dataverse's paging cookie, which the SDK sends back as ``page``."""
    pages, page, prefer = [], 1, {
        "Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,'
        'Microsoft.Dynamics.CRM.morerecords"'
    }  # fmt: skip
    while True:
        response = api.get(LEADS, params={"fetchXml": fetch("", f"count='2' page='{page}'")},
                           headers=prefer)  # fmt: skip
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([row["subject"] for row in body["value"]])
        if not body["@Microsoft.Dynamics.CRM.morerecords"]:
            assert "@Microsoft.Dynamics.CRM.fetchxmlpagingcookie" not in body
            break
        page += 1
        assert f'pagenumber="{page}"' in body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"]

    assert pages == [["F4", "F3"], ["F2", "F1"], ["F0"]]
    top = api.get(LEADS, params={"fetchXml": fetch("", "top='2'")}).json()
    assert [row["subject"] for row in top["value"]] == ["F4", "F3"]
    chosen = (
        "<condition attribute='subject' operator='in'><value>F1</value><value>F3</value>"
        "</condition>"
    )
    found = api.get(LEADS, params={"fetchXml": fetch(chosen)}).json()["value"]
    assert [row["subject"] for row in found] == ["F3", "F1"]
    assert set(found[0]) == {"@odata.etag", "leadid", "subject"}


@pytest.mark.usefixtures("fetched")
def test_saved_query_runs_the_views_fetchxml(api, system):
    (view,) = system.retrieve_multiple("savedquery", name="Open Leads").entities

    response = api.get(f"{LEADS}?savedQuery={view.id}")

    assert response.status_code == 200, response.text
    mine = api.get(f"{LEADS}?$select=leadid&$filter=lastname eq 'Fetched'").json()["value"]
    assert {row["leadid"] for row in mine} <= {row["leadid"] for row in response.json()["value"]}
    wrong = api.get(f"{API}/accounts?savedQuery={view.id}")
    assert "the FetchXML reads the table lead, not account" in assert_error(
        wrong, 400, errors.INVALID_QUERY.code
    )


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        (f"{LEADS}?fetchXml=<fetch aggregate='true'><entity name='lead'/></fetch>",
         errors.INVALID_QUERY.code, "leadgate does not run FetchXML with aggregate."),
        (f"{LEADS}?fetchXml=<fetch><entity name='lead'><link-entity name='account'/>"
         "</entity></fetch>",
         "0x8F4C47B0", "<link-entity> is not supported"),
        (f"{LEADS}?fetchXml=<fetch><entity name='lead'/></fetch>&$select=subject",
         errors.INVALID_QUERY.code, "fetchXml cannot be combined with $ query options."),
        (f"{LEADS}?fetchXml=<fetch count='5001'><entity name='lead'/></fetch>",
         errors.INVALID_QUERY.code, "count is a whole number from 1 to 5000, not '5001'."),
        (f"{LEADS}(00000000-0000-4000-8000-000000000001)?fetchXml=<fetch/>",
         errors.INVALID_QUERY.code,
         "fetchXml is read by an entity set's GET only, such as leads?fetchXml=…"),
        (f"{LEADS}?savedQuery=abc", errors.INVALID_QUERY.code,
         "savedQuery takes a view's id (a GUID), not 'abc'."),
        (f"{LEADS}?fetchXml=hello", "0x8F4C47B0", "not well-formed XML"),
    ],
)  # fmt: skip
def test_a_fetchxml_leadgate_does_not_read_is_a_coded_400(api, url, code, says):
    assert says in assert_error(api.get(url), 400, code)


@pytest.mark.interface_only
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


@pytest.mark.interface_only
def test_delete_on_a_column_of_a_missing_record_is_404(api):
    response = api.delete(f"{LEADS}(00000000-0000-4000-8000-000000000001)/description")

    assert_error(response, 404, errors.RECORD_NOT_FOUND.code)


@pytest.mark.interface_only
@pytest.mark.parametrize(
    "path",
    ["leads/description", "leads(00000000-0000-4000-8000-000000000001)/nosuchcolumn"],
)
def test_delete_on_what_is_not_a_column_of_a_record_is_404(api, path):
    assert_error(api.delete(f"{API}/{path}"), 404, errors.RESOURCE_NOT_FOUND.code)


@pytest.mark.interface_only
def test_a_required_or_read_only_column_is_not_emptied(api):
    url = _lead(api)

    assert_error(api.delete(f"{url}/subject"), 400, "0x80040200")  # required
    for column in ("createdon", "statecode", "leadid"):  # set once, by SetState, the key
        assert_error(api.delete(f"{url}/{column}"), 400, errors.NOT_VALID_FOR_UPDATE.code)
    assert api.get(f"{url}?$select=subject").json()["subject"] == "Columns"


@pytest.mark.interface_only
def test_the_available_languages_are_english_and_french(api):
    """dataverse-api's ``get_language_codes``."""
    for url in (f"{API}/RetrieveAvailableLanguages", f"{API}/RetrieveAvailableLanguages()"):
        response = api.get(url)
        assert response.status_code == 200, response.text
        assert response.json()["LocaleIds"] == [1033, 1036]


@pytest.mark.interface_only
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


@pytest.mark.interface_only
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


@pytest.mark.interface_only
def test_a_table_has_no_many_to_many_relationships_nor_activities(api):
    table = f"{API}/EntityDefinitions(LogicalName='lead')"

    relationships = api.get(f"{table}/ManyToManyRelationships")
    definition = api.get(f"{table}?$select=HasActivities,HasNotes")

    assert relationships.json()["value"] == []
    assert (definition.json()["HasActivities"], definition.json()["HasNotes"]) == (False, False)


fetch_texts = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda attributes, inside: f"<fetch {attributes}><entity name='lead'>{inside}</entity>"
        "</fetch>",
        st.sampled_from(["", "count='3'", "page='x'", "top='-1'", "aggregate='true'",
                         "count='99999999999'", "page='0'", "distinct='true'"]),
        st.sampled_from(["", "<attribute name='subject'/>", "<all-attributes/>",
                         "<filter><condition attribute='subject' operator='like' value='%'/>"
                         "</filter>", "<filter type='xor'/>", "<order attribute='nope'/>",
                         "<filter><condition attribute='createdon' operator='gt' value='x'/>"
                         "</filter>"]),
    ),
)  # fmt: skip


@pytest.mark.interface_only
@property_budget("request")
@given(text=fetch_texts)
def test_whatever_fetchxml_a_client_sends_the_answer_is_rows_or_a_coded_400(sqlite_api, text):
    response = sqlite_api.get(LEADS, params={"fetchXml": text})

    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"]["code"].startswith("0x")
