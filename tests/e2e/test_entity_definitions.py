"""EntityDefinitions and their Attributes, read as Dataverse clients read them before anything
else (CLIENTS.md): Microsoft's SDK resolves a table's entity set by its logical name, lists the
tables, and reads the labels of its choice columns; labels come in English and French, the
caller's language as UserLocalizedLabel. Metadata is the same on both databases: SQLite alone."""

from __future__ import annotations

import pytest

from leadgate.platform.engine.errors import RECORD_NOT_FOUND, RESOURCE_NOT_FOUND, UNKNOWN_PROPERTY
from tests.e2e.conftest import API, assert_error, in_both_languages

pytestmark = pytest.mark.interface_only
BAD_QUERY = "0x8006088a"  # the query is not valid, and why

PICKLISTS = (
    f"{API}/EntityDefinitions(LogicalName='lead')/Attributes"
    "/Microsoft.Dynamics.CRM.PicklistAttributeMetadata"
)


def test_the_sdk_resolves_a_table_s_entity_set_by_its_logical_name(api):
    asked = {"$select": "LogicalName,EntitySetName,PrimaryIdAttribute",
             "$filter": "LogicalName eq 'lead'"}  # fmt: skip
    for url in (f"{API}/EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
                "&$filter=LogicalName+eq+%27lead%27", f"{API}/EntityDefinitions"):  # fmt: skip
        response = api.get(url, params=None if "?" in url else asked)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["@odata.context"].endswith("/$metadata#EntityDefinitions")
        (lead,) = body["value"]
        assert {k: v for k, v in lead.items() if not k.startswith("@") and k != "MetadataId"} == {
            "LogicalName": "lead",
            "EntitySetName": "leads",
            "PrimaryIdAttribute": "leadid",
        }
    plural = api.get(f"{API}/EntityDefinitions", params={"$filter": "LogicalName eq 'leads'"})
    assert plural.json()["value"] == []  # the SDK says "did you pass a plural?"


def test_dataverse_api_reads_a_table_s_entity_set_and_image_column(api):
    response = api.get(
        f"{API}/EntityDefinitions(LogicalName='lead')",
        params={"$select": "EntitySetName,PrimaryIdAttribute,PrimaryImageAttribute"},
    )
    assert response.status_code == 200, response.text
    body = {k: v for k, v in response.json().items() if not k.startswith("@")}
    assert body == {
        "MetadataId": body["MetadataId"],
        "EntitySetName": "leads",
        "PrimaryIdAttribute": "leadid",
        "PrimaryImageAttribute": None,
    }


def test_tables_are_listed_and_read_by_name_or_id_with_labels_in_both_languages(api):
    listed = api.get(f"{API}/EntityDefinitions", params={"$filter": "IsPrivate eq false"})
    names = {row["LogicalName"] for row in listed.json()["value"]}
    assert {"lead", "account", "contact", "opportunity", "systemuser"} <= names
    lead = api.get(f"{API}/EntityDefinitions(LogicalName='lead')",
                   headers={"Accept-Language": "fr"}).json()  # fmt: skip
    assert (lead["SchemaName"], lead["PrimaryNameAttribute"], lead["OwnershipType"]) == (
        "Lead",
        "fullname",
        "UserOwned",
    )
    labels = {
        item["LanguageCode"]: item["Label"] for item in lead["DisplayName"]["LocalizedLabels"]
    }
    assert labels == {1033: "Lead", 1036: "Prospect"}
    assert lead["DisplayName"]["UserLocalizedLabel"]["Label"] == "Prospect"
    by_id = api.get(f"{API}/EntityDefinitions({lead['MetadataId']})").json()
    assert by_id["LogicalName"] == "lead"
    assert by_id["DisplayName"]["UserLocalizedLabel"]["Label"] == "Lead"


def test_choice_labels_come_with_their_option_set(api):
    response = api.get(f"{PICKLISTS}?$select=LogicalName&$expand=OptionSet($select=Options)")
    assert response.status_code == 200, response.text
    columns = {row["LogicalName"]: row for row in response.json()["value"]}
    assert "leadsourcecode" in columns and "subject" not in columns
    options = {o["Value"]: o["Label"] for o in columns["leadsourcecode"]["OptionSet"]["Options"]}
    assert [item["Label"] for item in options[1]["LocalizedLabels"]] == [
        "Advertisement",
        "Publicité",
    ]
    every = api.get(f"{API}/EntityDefinitions(LogicalName='lead')/Attributes",
                    params={"$filter": "LogicalName eq 'subject'"}).json()["value"]  # fmt: skip
    (subject,) = every
    assert (subject["AttributeType"], subject["MaxLength"]) == ("String", 300)
    assert subject["@odata.type"] == "#Microsoft.Dynamics.CRM.StringAttributeMetadata"
    assert "OptionSet" not in subject


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        (f"{API}/EntityDefinitions(LogicalName='nothing')", 404, RECORD_NOT_FOUND.code),
        (f"{API}/EntityDefinitions(LogicalName='lead')/Attributes/Microsoft.Dynamics.CRM.Nope",
         404, RESOURCE_NOT_FOUND.code),
        (f"{API}/EntityDefinitions?$filter=Colour eq 'red'", 400, UNKNOWN_PROPERTY.code),
        (f"{API}/EntityDefinitions?$top=3", 400, BAD_QUERY),
        (f"{API}/EntityDefinitions(LogicalName='lead')/Attributes?$expand=Targets", 400,
         BAD_QUERY),
        (f"{API}/EntityDefinitions?$filter=contains(LogicalName,'le')", 400, BAD_QUERY),
    ],
)  # fmt: skip
def test_bad_metadata_requests_are_coded_errors(api, url, status, code):
    assert_error(api.get(url), status, code)


def test_metadata_errors_read_in_both_languages(api):
    missing = RECORD_NOT_FOUND(table="EntityDefinitions", id="LogicalName='nothing'")
    in_both_languages(
        lambda headers: api.get(f"{API}/EntityDefinitions(LogicalName='nothing')", headers=headers),
        404,
        missing,
    )
    english = assert_error(api.get(f"{API}/EntityDefinitions?$filter=contains(LogicalName,'x')"),
                           400, BAD_QUERY)  # fmt: skip
    assert "metadata can be filtered with eq, ne, in, and, or and not only" in english
    french = assert_error(
        api.get(
            f"{API}/EntityDefinitions?$filter=contains(LogicalName,'x')",
            headers={"Accept-Language": "fr"},
        ),
        400,
        BAD_QUERY,
        "fr",
    )
    assert "les métadonnées se filtrent avec eq, ne, in, and, or et not seulement" in french
