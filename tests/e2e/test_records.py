"""Create, read, update, upsert and delete records the way Dataverse clients do."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform.engine import errors
from tests.e2e.conftest import API, assert_error, new_id

CURRENCIES = f"{API}/transactioncurrencies"
PROJECTS = f"{API}/new_projects"
FORMATTED = "@OData.Community.Display.V1.FormattedValue"
LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname"


def yen(**more):
    return {
        "currencyname": "Yen",
        "isocurrencycode": "JPY",
        "currencysymbol": "¥",
        "exchangerate": 150.25,
        **more,
    }


def version(etag: str) -> int:
    """The row version an etag (W/"<version>") names."""
    assert etag.startswith('W/"') and etag.endswith('"'), etag
    return int(etag[3:-1])


def usd_id(api) -> str:
    found = api.get(f"{CURRENCIES}?$select=currencyname&$filter=isocurrencycode eq 'USD'")
    return found.json()["value"][0]["transactioncurrencyid"]


@pytest.mark.interface_only
def test_post_answers_204_with_the_new_records_absolute_url(api):
    response = api.post(CURRENCIES, json=yen())

    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["OData-Version"] == "4.0"
    location = response.headers["OData-EntityId"]
    assert location.startswith("http://testserver/api/data/v9.2/transactioncurrencies(")
    record_id = location.rsplit("(", 1)[1].rstrip(")")
    uuid.UUID(record_id)
    record = api.get(location).json()
    assert record["currencyname"] == "Yen"
    assert record["exchangerate"] == 150.25


@pytest.mark.interface_only
def test_post_with_return_representation_answers_201_with_the_selected_columns(api):
    response = api.post(
        f"{CURRENCIES}?$select=currencyname,exchangerate",
        json=yen(),
        headers={"Prefer": "return=representation"},
    )

    assert response.status_code == 201
    assert response.headers["Preference-Applied"] == "return=representation"
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    record_id = body["transactioncurrencyid"]
    stored = api.get(f"{CURRENCIES}({record_id})?$select=versionnumber").json()
    assert body == {
        "@odata.context": "http://testserver/api/data/v9.2/$metadata"
        "#transactioncurrencies(currencyname,exchangerate)/$entity",
        "@odata.etag": f'W/"{stored["versionnumber"]}"',
        "transactioncurrencyid": record_id,
        "currencyname": "Yen",
        "exchangerate": 150.25,
    }
    assert response.headers["OData-EntityId"].endswith(f"transactioncurrencies({record_id})")


@pytest.mark.interface_only
def test_post_may_choose_the_new_records_id(api):
    chosen = new_id()

    response = api.post(CURRENCIES, json=yen(transactioncurrencyid=chosen))

    assert response.headers["OData-EntityId"].endswith(f"({chosen})")
    assert api.get(f"{CURRENCIES}({chosen})").status_code == 200


@pytest.mark.interface_only
def test_get_one_record_with_select_gives_context_etag_and_only_those_columns(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]

    response = api.get(f"{location}?$select=isocurrencycode,currencyprecision")

    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"].endswith(
        "#transactioncurrencies(isocurrencycode,currencyprecision)/$entity"
    )
    assert version(body["@odata.etag"]) > 0
    assert set(body) == {
        "@odata.context",
        "@odata.etag",
        "transactioncurrencyid",
        "isocurrencycode",
        "currencyprecision",
    }
    assert body["currencyprecision"] == 2


@pytest.mark.interface_only
def test_unknown_annotations_in_a_body_are_ignored(api):
    body = yen(
        **{
            "@odata.type": "Microsoft.Dynamics.CRM.transactioncurrency",
            "currencyname@OData.Community.Display.V1.FormattedValue": "ignored",
            "@odata.etag": 'W/"99"',
        }
    )

    response = api.post(CURRENCIES, json=body, headers={"Prefer": "return=representation"})

    assert response.status_code == 201
    assert response.json()["currencyname"] == "Yen"


def test_every_column_type_in_dataverse_json(api, new_project):
    usd = usd_id(api)
    project = new_project(
        new_code="AP-1",
        new_count=7,
        new_budget=1234.5,
        new_due="2026-11-23T09:30:00.123+01:00",
        new_start="2026-11-23",
        new_phase=2,
        new_active=True,
        **{"new_currencyid@odata.bind": f"/transactioncurrencies({usd})"},
    )

    record = api.get(f"{PROJECTS}({project})").json()

    assert record["new_projectid"] == project
    assert record["new_name"] == "Apollo"
    assert record["new_count"] == 7
    assert record["new_budget"] == 1234.5
    assert record["new_due"] == "2026-11-23T08:30:00Z"
    assert record["new_start"] == "2026-11-23"
    assert record["new_phase"] == 2
    assert record["new_active"] is True
    assert record["_new_currencyid_value"] == usd
    assert "new_currencyid" not in record
    assert record["_ownerid_value"] == "11111111-1111-4111-8111-111111111111"
    assert record["statecode"] == 0
    assert record["statuscode"] == 1
    assert record["versionnumber"] > 0
    assert record["@odata.etag"] == f'W/"{record["versionnumber"]}"'
    assert record["createdon"].endswith("Z") and "." not in record["createdon"]


@pytest.mark.interface_only
def test_empty_values_are_null_and_lookups_stay_underscored(api, new_project):
    project = new_project()

    record = api.get(f"{PROJECTS}({project})?$select=new_count,_new_currencyid_value").json()

    assert record["new_count"] is None
    assert record["_new_currencyid_value"] is None


@pytest.mark.interface_only
def test_formatted_values_and_lookup_names_when_annotations_are_asked_for(api, new_project):
    usd = usd_id(api)
    project = new_project(
        new_phase=3,
        new_active=False,
        **{"new_currencyid@odata.bind": f"/transactioncurrencies({usd})"},
    )
    url = f"{PROJECTS}({project})?$select=new_phase,new_active,_new_currencyid_value,new_count"

    plain = api.get(url).json()
    everything = api.get(url, headers={"Prefer": 'odata.include-annotations="*"'})
    french = api.get(
        url, headers={"Prefer": 'odata.include-annotations="*"', "Accept-Language": "fr"}
    ).json()
    named = api.get(
        url,
        headers={"Prefer": 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"'},
    ).json()

    assert not any("@" in key for key in plain if not key.startswith("@"))
    assert everything.headers["Preference-Applied"] == 'odata.include-annotations="*"'
    body = everything.json()
    assert body["new_phase" + FORMATTED] == "Done"
    assert body["new_active" + FORMATTED] == "No"
    assert body["_new_currencyid_value" + LOGICAL_NAME] == "transactioncurrency"
    assert "new_count" + FORMATTED not in body
    assert french["new_phase" + FORMATTED] == "Terminé"
    assert french["new_active" + FORMATTED] == "Non"
    assert named["new_phase" + FORMATTED] == "Done"
    assert "_new_currencyid_value" + LOGICAL_NAME not in named


@pytest.mark.interface_only
def test_lookups_bind_by_relative_or_absolute_url_and_null_clears_them(api, new_project):
    usd = usd_id(api)
    project = new_project(
        **{
            "new_currencyid@odata.bind": f"http://testserver/api/data/v9.2/transactioncurrencies({usd})"
        }
    )
    url = f"{PROJECTS}({project})?$select=_new_currencyid_value"
    assert api.get(url).json()["_new_currencyid_value"] == usd

    cleared = api.patch(f"{PROJECTS}({project})", json={"new_currencyid@odata.bind": None})

    assert cleared.status_code == 204
    assert api.get(url).json()["_new_currencyid_value"] is None


@pytest.mark.interface_only
def test_owner_is_bound_with_its_navigation_name(api, new_project, system):
    root = system.retrieve_multiple_all("businessunit")[0]
    team = system.create("team", name="Sales team", businessunitid=root.to_reference())

    project = new_project(**{"ownerid_team@odata.bind": f"/teams({team})"})

    body = api.get(
        f"{PROJECTS}({project})?$select=_ownerid_value",
        headers={"Prefer": 'odata.include-annotations="*"'},
    ).json()
    assert body["_ownerid_value"] == str(team)
    assert body["_ownerid_value" + LOGICAL_NAME] == "team"


def test_patch_updates_and_moves_the_version_on(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    created = version(api.get(location).json()["@odata.etag"])

    response = api.patch(location, json={"currencysymbol": "JP¥"})

    assert response.status_code == 204
    assert response.headers["OData-EntityId"] == location
    record = api.get(f"{location}?$select=currencysymbol").json()
    assert record["currencysymbol"] == "JP¥"
    assert version(record["@odata.etag"]) > created


def test_patch_with_return_representation_answers_200_with_the_record(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    created = version(api.get(location).json()["@odata.etag"])

    response = api.patch(
        f"{location}?$select=currencysymbol",
        json={"currencysymbol": "円"},
        headers={"Prefer": "return=representation"},
    )

    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == "return=representation"
    assert response.json()["currencysymbol"] == "円"
    assert version(response.json()["@odata.etag"]) > created


def test_patch_without_conditions_creates_a_missing_record(api):
    chosen = new_id()

    response = api.patch(f"{CURRENCIES}({chosen})", json=yen())

    assert response.status_code == 204
    assert api.get(f"{CURRENCIES}({chosen})").json()["currencyname"] == "Yen"
    assert api.patch(f"{CURRENCIES}({chosen})", json={"currencyname": "Yen!"}).status_code == 204
    assert api.get(f"{CURRENCIES}({chosen})").json()["currencyname"] == "Yen!"


def test_patch_if_match_star_updates_but_never_creates(api):
    missing = new_id()

    response = api.patch(f"{CURRENCIES}({missing})", json=yen(), headers={"If-Match": "*"})

    assert_error(response, 404, errors.RECORD_NOT_FOUND(table="transactioncurrency", id=missing))
    assert api.get(f"{CURRENCIES}({missing})").status_code == 404
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    updated = api.patch(location, json={"currencyname": "Y"}, headers={"If-Match": "*"})
    assert updated.status_code == 204


def test_patch_if_match_etag_updates_only_the_version_read(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    etag = api.get(location).json()["@odata.etag"]

    first = api.patch(location, json={"currencyname": "First"}, headers={"If-Match": etag})
    second = api.patch(location, json={"currencyname": "Second"}, headers={"If-Match": etag})

    assert first.status_code == 204
    record_id = location.rsplit("(", 1)[1].rstrip(")")
    stored = version(api.get(location).json()["@odata.etag"])
    stale = errors.VERSION_MISMATCH(
        table="transactioncurrency", id=record_id, expected=version(etag), actual=stored
    )
    assert_error(second, 412, stale, "en")
    french = api.patch(
        location,
        json={"currencyname": "Second"},
        headers={"If-Match": etag, "Accept-Language": "fr"},
    )
    assert_error(french, 412, stale, "fr")
    assert api.get(location).json()["currencyname"] == "First"


def test_patch_if_none_match_star_creates_but_never_updates(api):
    chosen = new_id()
    url = f"{CURRENCIES}({chosen})"

    created = api.patch(url, json=yen(), headers={"If-None-Match": "*"})
    again = api.patch(url, json=yen(currencyname="Other"), headers={"If-None-Match": "*"})

    assert created.status_code == 204
    assert_error(again, 412, errors.DUPLICATE_RECORD.code)
    assert api.get(url).json()["currencyname"] == "Yen"


def test_get_if_none_match_the_current_etag_is_not_modified(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    etag = api.get(location).json()["@odata.etag"]

    assert api.get(location, headers={"If-None-Match": etag}).status_code == 304
    other = f'W/"{version(etag) + 7}"'
    assert api.get(location, headers={"If-None-Match": other}).status_code == 200


@pytest.mark.interface_only
def test_delete_removes_the_record(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]

    response = api.delete(location)

    assert response.status_code == 204
    assert response.headers["OData-Version"] == "4.0"
    assert api.get(location).status_code == 404
    assert api.delete(location).status_code == 404


def test_delete_if_match_refuses_a_stale_version(api):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    old = api.get(location).json()["@odata.etag"]
    api.patch(location, json={"currencyname": "Changed"})
    current = api.get(location).json()["@odata.etag"]

    stale = api.delete(location, headers={"If-Match": old})

    assert_error(stale, 412, errors.VERSION_MISMATCH.code)
    assert api.get(location).status_code == 200
    assert api.delete(location, headers={"If-Match": current}).status_code == 204


@pytest.mark.interface_only
def test_malformed_or_conflicting_conditions_are_400(api, subtests):
    location = api.post(CURRENCIES, json=yen()).headers["OData-EntityId"]
    for headers in (
        {"If-Match": "version 1"},
        {"If-None-Match": "version 1"},
        {"If-Match": 'W/"1", W/"2"'},
        {"If-None-Match": 'W/"1"'},
        {"If-Match": "*", "If-None-Match": "*"},
    ):
        with subtests.test(str(headers)):
            response = api.patch(location, json={"currencyname": "x"}, headers=headers)

            assert_error(response, 400, errors.INVALID_QUERY.code)
    assert api.get(location).json()["currencyname"] == "Yen"
