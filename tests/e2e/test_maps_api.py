"""Entity and attribute maps over the Web API (entity sets ``entitymaps``, ``attributemaps``).

A Dataverse client lists, adds, changes and removes maps as it would any record; the
platform checks each map when it is saved, so a bad one is refused before any lead can
fail to qualify because of it.
"""

from __future__ import annotations

import pytest

from leadgate.platform import EntityReference
from tests.e2e.conftest import API, in_both_languages, platform_error
from tests.e2e.test_qualify_api import created_id, new_lead, qualify


def lead_to_contact(api) -> str:
    response = api.get(
        f"{API}/entitymaps?$filter=sourceentityname eq 'lead' and targetentityname eq 'contact'"
        "&$select=entitymapid"
    )
    assert response.status_code == 200, response.text
    (found,) = response.json()["value"]
    return found["entitymapid"]


def attribute_maps(api, entity_map: str) -> dict[str, dict]:
    """The maps of one entity map by target column."""
    response = api.get(
        f"{API}/attributemaps?$filter=_entitymapid_value eq {entity_map}"
        "&$select=sourceattributename,targetattributename"
    )
    assert response.status_code == 200, response.text
    return {row["targetattributename"]: row for row in response.json()["value"]}


def test_maps_are_listed_added_changed_and_removed_and_qualification_follows(api):
    entity_map = lead_to_contact(api)
    maps = attribute_maps(api, entity_map)
    assert maps["lastname"]["sourceattributename"] == "lastname"
    assert maps["description"]["sourceattributename"] == "description"

    removed = api.delete(f"{API}/attributemaps({maps['description']['attributemapid']})")
    assert removed.status_code == 204, removed.text
    added = created_id(api.post(f"{API}/attributemaps", json={
        "entitymapid@odata.bind": f"/entitymaps({entity_map})",
        "sourceattributename": "qualificationcomments",
        "targetattributename": "description",
    }))  # fmt: skip
    assert attribute_maps(api, entity_map)["description"]["sourceattributename"] == (
        "qualificationcomments"
    )

    lead = new_lead(api, description="Met at the fair", qualificationcomments="Budget approved")
    response = qualify(api, lead)
    assert response.status_code == 200, response.text
    (contact,) = [r["contactid"] for r in response.json()["value"] if "contactid" in r]
    description = api.get(f"{API}/contacts({contact})?$select=description").json()["description"]
    assert description == "Budget approved"

    changed = api.patch(
        f"{API}/attributemaps({added})", json={"sourceattributename": "description"}
    )
    assert changed.status_code == 204, changed.text
    lead = new_lead(api, description="Fleet of 40 vans", qualificationcomments="Call Monday")
    response = qualify(api, lead)
    (contact,) = [r["contactid"] for r in response.json()["value"] if "contactid" in r]
    description = api.get(f"{API}/contacts({contact})?$select=description").json()["description"]
    assert description == "Fleet of 40 vans"


@pytest.mark.interface_only
def test_a_bad_map_is_refused_when_saved_in_both_languages(api, admin):
    entity_map = lead_to_contact(api)
    body = {
        "entitymapid@odata.bind": f"/entitymaps({entity_map})",
        "sourceattributename": "subject",  # 300 characters into a 50-character column
        "targetattributename": "lastname",
    }
    lastname = attribute_maps(api, entity_map)["lastname"]["attributemapid"]
    assert api.delete(f"{API}/attributemaps({lastname})").status_code == 204
    expected = platform_error(lambda: admin.create(
        "attributemap", entitymapid=EntityReference("entitymap", entity_map),
        sourceattributename="subject", targetattributename="lastname"))  # fmt: skip
    assert expected.code == "0x8F4C4718"
    english, french = in_both_languages(
        lambda headers: api.post(f"{API}/attributemaps", json=body, headers=headers), 400, expected
    )
    assert english == (
        "The attribute map lead.subject -> contact.lastname cannot be saved: the target holds "
        "50 characters, fewer than the source's 300."
    )
    assert french.startswith("Le mappage d'attribut lead.subject -> contact.lastname ")
    assert "lastname" not in attribute_maps(api, entity_map)


@pytest.mark.interface_only
def test_changing_a_map_into_a_bad_one_is_refused_and_keeps_the_old_one(api):
    entity_map = lead_to_contact(api)
    jobtitle = attribute_maps(api, entity_map)["jobtitle"]["attributemapid"]
    response = api.patch(
        f"{API}/attributemaps({jobtitle})", json={"sourceattributename": "budgetamount"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "0x8F4C4718"
    assert "the source is money and the target string" in response.json()["error"]["message"]
    assert attribute_maps(api, entity_map)["jobtitle"]["sourceattributename"] == "jobtitle"
