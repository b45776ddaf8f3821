"""A table's keys and relationships, read as dataverse-api reads them on
``client.entity("lead")`` (CLIENTS.md §2): every row with the navigation property names that
``$metadata`` declares. Metadata is the same on both databases: SQLite alone."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadgate.platform.engine.errors import RECORD_NOT_FOUND, UNKNOWN_PROPERTY
from leadgate.platform.engine.i18n import N_
from leadgate.web.errors import bad_query
from tests.conftest import property_budget
from tests.e2e.conftest import API, in_both_languages
from tests.e2e.csdl_rules import EDM

pytestmark = pytest.mark.interface_only
LEAD = f"{API}/EntityDefinitions(LogicalName='lead')"


def _rows(api, url: str, **params: str) -> list[dict]:
    response = api.get(url, params=params or None)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["value"]


def test_keys_as_dataverse_api_asks_for_them(api):
    assert _rows(api, f"{LEAD}/Keys", **{"$select": "SchemaName,KeyAttributes"}) == []
    (team,) = _rows(api, f"{API}/EntityDefinitions(LogicalName='team')/Keys",
                    **{"$select": "SchemaName,KeyAttributes"})  # fmt: skip
    assert (team["SchemaName"], team["KeyAttributes"]) == (
        "team_name_businessunitid_key",
        ["name", "businessunitid"],
    )
    (full,) = _rows(api, f"{API}/EntityDefinitions(LogicalName='team')/Keys")
    assert full["LogicalName"] == full["SchemaName"] and full["MetadataId"]
    assert full["@odata.type"] == "#Microsoft.Dynamics.CRM.EntityKeyMetadata"


def test_relationships_from_both_ends_name_the_navigation_properties(api):
    many_to_one = {row["SchemaName"]: row for row in _rows(api, f"{LEAD}/ManyToOneRelationships")}
    parent = many_to_one["lead_parent_account"]
    assert {key: value for key, value in parent.items() if key != "MetadataId"} == {
        "@odata.type": "#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
        "SchemaName": "lead_parent_account",
        "RelationshipType": "OneToManyRelationship",
        "IsCustomRelationship": False,
        "ReferencedEntity": "account",
        "ReferencedAttribute": "accountid",
        "ReferencingEntity": "lead",
        "ReferencingAttribute": "parentaccountid",
        "ReferencedEntityNavigationPropertyName": "lead_parent_account",
        "ReferencingEntityNavigationPropertyName": "parentaccountid",
    }
    # A lookup no relationship declares is one all the same, named as Dataverse names it.
    assert many_to_one["lk_lead_createdby"]["ReferencingEntityNavigationPropertyName"] == (
        "createdby"
    )
    assert {"lk_lead_ownerid_systemuser", "lk_lead_ownerid_team"} <= set(many_to_one)
    one_to_many = _rows(api, f"{LEAD}/OneToManyRelationships",
                        **{"$select": "SchemaName,ReferencingEntity,"
                           "ReferencedEntityNavigationPropertyName,"
                           "ReferencingEntityNavigationPropertyName",
                           "$filter": "ReferencingEntity eq 'opportunity'"})  # fmt: skip
    names = {row["SchemaName"]: row for row in one_to_many}
    assert names["opportunity_originating_lead"]["ReferencingEntityNavigationPropertyName"] == (
        "originatingleadid"
    )
    assert {row["ReferencingEntity"] for row in one_to_many} == {"opportunity"}


def test_the_names_are_those_of_the_metadata_document(api):
    schema = ET.fromstring(api.get(f"{API}/$metadata").content).find(f".//{{{EDM}}}Schema")
    assert schema is not None

    def navigation(table: str) -> dict[str, str | None]:
        entity = schema.find(f"{{{EDM}}}EntityType[@Name='{table}']")
        assert entity is not None
        return {
            n.get("Name", ""): n.get("Type") for n in entity.iter(f"{{{EDM}}}NavigationProperty")
        }

    for row in _rows(api, f"{LEAD}/ManyToOneRelationships"):
        referenced = row["ReferencedEntity"]
        assert navigation("lead")[row["ReferencingEntityNavigationPropertyName"]] == (
            f"mscrm.{referenced}"
        )
        assert navigation(referenced)[row["ReferencedEntityNavigationPropertyName"]] == (
            "Collection(mscrm.lead)"
        )
    for row in _rows(api, f"{LEAD}/OneToManyRelationships"):
        assert navigation("lead")[row["ReferencedEntityNavigationPropertyName"]] == (
            f"Collection(mscrm.{row['ReferencingEntity']})"
        )


def test_an_unknown_table_or_property_is_refused_in_both_languages(api):
    in_both_languages(
        lambda headers: api.get(f"{API}/EntityDefinitions(LogicalName='nope')/Keys",
                                headers=headers),
        404, RECORD_NOT_FOUND(table="EntityDefinitions", id="LogicalName='nope'"),
    )  # fmt: skip
    in_both_languages(
        lambda headers: api.get(f"{LEAD}/ManyToOneRelationships",
                                params={"$select": "Nope"}, headers=headers),
        400, UNKNOWN_PROPERTY(name="Nope", table="OneToManyRelationshipMetadata"),
    )  # fmt: skip


def test_sdk_message_filters_say_which_bulk_messages_a_table_takes(api):
    """dataverse-api's question before ``mode="multiple"`` (CLIENTS.md §2, item 2), as sent."""
    response = api.get(
        f"{API}/sdkmessagefilters?%24select=sdkmessagefilterid&%24expand=sdkmessageid"
        "%28%24select%3Dname%29&%24filter=%28sdkmessageid%2Fname+eq+%27CreateMultiple%27+or+"
        "sdkmessageid%2Fname+eq+%27UpdateMultiple%27%29+and+primaryobjecttypecode+eq+%27lead%27"
    )
    assert response.status_code == 200, response.text
    rows = response.json()["value"]
    assert sorted(row["sdkmessageid"]["name"] for row in rows) == [
        "CreateMultiple",
        "UpdateMultiple",
    ]
    assert all(set(row) == {"sdkmessagefilterid", "sdkmessageid"} for row in rows)
    custom_and_bound = _rows(api, f"{API}/sdkmessagefilters", **{
        "$filter": "sdkmessageid/name eq 'QualifyLead'", "$expand": "sdkmessageid"})  # fmt: skip
    assert [row["primaryobjecttypecode"] for row in custom_and_bound] == ["lead"]
    assert _rows(api, f"{API}/sdkmessagefilters",
                 **{"$filter": "sdkmessageid/name eq 'Fly'"}) == []  # fmt: skip


def test_sdk_message_filters_expand_their_message_alone(api):
    """French: needs the catalogue entry of NEW_FR_csdl.json."""
    in_both_languages(
        lambda headers: api.get(f"{API}/sdkmessagefilters", params={"$expand": "owner"},
                                headers=headers),
        400, bad_query(N_("{resource} expands {navigation} only, not {expand}."),
                       resource="sdkmessagefilters", navigation="sdkmessageid", expand="owner"),
    )  # fmt: skip


def test_a_table_s_image_column_is_none_as_dataverse_api_asks(api):
    response = api.get(
        f"{LEAD}?%24select=EntitySetName%2CPrimaryIdAttribute%2CPrimaryImageAttribute"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["EntitySetName"], body["PrimaryIdAttribute"], body["PrimaryImageAttribute"]) == (
        "leads",
        "leadid",
        None,
    )


@property_budget("request")
@given(
    path=st.sampled_from([f"{LEAD}/Keys", f"{LEAD}/ManyToOneRelationships",
                          f"{LEAD}/OneToManyRelationships", f"{API}/sdkmessagefilters",
                          f"{API}/GlobalOptionSetDefinitions"]),
    option=st.sampled_from(["$select", "$filter", "$expand", "$top", "$orderby"]),
    value=st.text(max_size=40) | st.sampled_from([
        "sdkmessageid/name eq 'x'", "sdkmessageid($select=)", "Name,,", "'", "a/b/c eq 1",
        "sdkmessageid($select=name", "not (SchemaName eq null)", "ReferencedEntity in ('a')",
    ]),
)  # fmt: skip
def test_any_query_option_is_answered_or_refused_with_a_code(api, path, option, value):
    response = api.get(path, params={option: value})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"]["code"].startswith("0x")
