"""Duplicate detection over the Web API (REFERENCE §5), as a Dataverse client meets it.

Creates and updates are checked only when the client sends
``MSCRM.SuppressDuplicateDetection: false``; RetrieveDuplicates lists what the published
rules find for a stored record or for values not saved yet; QualifyLead with
``SuppressDuplicateDetection: false`` is the lead form's path. Refusals are compared with the
platform's own errors, in English and in French.
"""

from __future__ import annotations

import json
import uuid

import pytest

from leadgate.platform import CreateRequest, Entity, EntityReference, PagingInfo
from leadgate.platform.duplicates.bulk import BulkDetectDuplicatesRequest
from leadgate.platform.duplicates.messages import RetrieveDuplicatesRequest
from leadgate.platform.engine.query import QueryExpression
from leadgate.platform.jobs import JobStatus, run_queued
from leadgate.sales.qualify import QualifyLeadRequest
from tests.e2e.conftest import API, platform_error
from tests.e2e.test_qualify_api import ALL_THREE, created_id, new_lead, qualify

DETECT = {"MSCRM.SuppressDuplicateDetection": "false"}
FRENCH = {"Accept-Language": "fr"}
DUPLICATE = "0x80040333"
ACCOUNT_NAME_RULE = ("Accounts with the same Account Name", "Comptes avec le même nom de compte")
COMPANY_RULE = (
    "Accounts with the same company name (ignoring case, punctuation, accents and legal form)"
)
SEED_EN = "There might already be a match for this account or contact. If so, please select it."
SEED_FR = (
    "Il peut déjà y avoir une correspondance pour ce compte ou ce contact. "
    "Si c'est le cas, sélectionnez-le."
)
FUNCTION = "RetrieveDuplicates(BusinessEntity=@p1,MatchingEntityName=@p2,PagingInfo=@p3)"


def duplicate_refusal(response, expected, language: str = "en") -> list[dict]:
    """A duplicate refusal as Dataverse answers it (500, 0x80040333), with leadgate's
    details; returns the matches."""
    assert response.status_code == 500, response.text
    error = response.json()["error"]
    assert sorted(error) == ["code", "details", "message"]
    assert error["code"] == DUPLICATE == expected.code
    assert error["message"] == expected.message(language)
    assert error["details"] == expected.details
    return error["details"]["matches"]


def count(api, entity_set: str, query: str = "") -> int:
    response = api.get(f"{API}/{entity_set}?$count=true&$top=0{query}")
    assert response.status_code == 200, response.text
    return response.json()["@odata.count"]


def account(system, name: str) -> uuid.UUID:
    """An account saved without duplicate detection (what a program does by default)."""
    return system.create("account", name=name)


def retrieve_duplicates(api, entity: dict, matching: str | None = "account", paging=None,
                        headers: dict | None = None):  # fmt: skip
    params = {"@p1": json.dumps(entity), "@p2": "null" if matching is None else f"'{matching}'",
              "@p3": json.dumps(paging or {"PageNumber": 1, "Count": 50})}  # fmt: skip
    return api.get(f"{API}/{FUNCTION}", params=params, headers=headers)


def as_account(key: uuid.UUID | None = None, **values) -> dict:
    body = {"@odata.type": "Microsoft.Dynamics.CRM.account", **values}
    if key is not None:
        body["accountid"] = str(key)
    return body


# --- create and update -------------------------------------------------------------------


def test_a_create_with_detection_is_refused_when_a_duplicate_exists(api, system):
    existing = account(system, "Contoso Ltd.")
    before = count(api, "accounts")
    expected = platform_error(lambda: system.execute(
        CreateRequest(Entity("account", None, {"name": "contoso ltd."}), False)
    ))  # fmt: skip

    matches = duplicate_refusal(
        api.post(f"{API}/accounts", json={"name": "contoso ltd."}, headers=DETECT), expected
    )
    french = api.post(
        f"{API}/accounts", json={"name": "contoso ltd."}, headers={**DETECT, **FRENCH}
    )
    duplicate_refusal(french, expected, "fr")

    assert matches == [{"table": "account", "id": str(existing), "name": "Contoso Ltd.",
                        "ruleid": matches[0]["ruleid"], "rule": ACCOUNT_NAME_RULE[0],
                        "rule_fr": ACCOUNT_NAME_RULE[1]}]  # fmt: skip
    assert expected.message("en").startswith(
        "A record was not created or updated because a duplicate of the current record "
        "already exists. Possible duplicates: Account 'Contoso Ltd.'"
    )
    assert french.json()["error"]["message"].startswith(
        "Un enregistrement n'a pas été créé ou mis à jour, car un doublon de l'enregistrement "
        "actif existe déjà. Doublons possibles : Compte « Contoso Ltd. »"
    )
    assert count(api, "accounts") == before
    # Without the header, or with true, Dataverse saves the record whatever exists.
    for headers in ({}, {"MSCRM.SuppressDuplicateDetection": "true"}):
        created = created_id(api.post(f"{API}/accounts", json={"name": "contoso ltd."},
                                      headers=headers))  # fmt: skip
        assert api.get(f"{API}/accounts({created})?$select=name").json()["name"] == "contoso ltd."
    assert count(api, "accounts") == before + 2


def test_an_update_with_detection_is_refused_and_leaves_the_record_unchanged(api, system):
    account(system, "Contoso Ltd.")
    fabrikam = account(system, "Fabrikam")
    url = f"{API}/accounts({fabrikam})"
    expected = platform_error(lambda: system.execute(
        CreateRequest(Entity("account", None, {"name": "CONTOSO LTD."}), False)
    ))  # fmt: skip

    # An update (If-Match: *), and a PATCH without conditions (an upsert of a stored record).
    for headers in ({"If-Match": "*"}, {}):
        response = api.patch(url, json={"name": "CONTOSO LTD."}, headers={**DETECT, **headers})
        duplicate_refusal(response, expected)
    assert api.get(f"{url}?$select=name").json()["name"] == "Fabrikam"
    # A PATCH that would create (upsert of a missing key) is checked too, and creates nothing.
    missing = uuid.uuid4()
    response = api.patch(f"{API}/accounts({missing})", json={"name": "CONTOSO LTD."},
                         headers=DETECT)  # fmt: skip
    duplicate_refusal(response, expected)
    assert api.get(f"{API}/accounts({missing})").status_code == 404
    # A change that makes no duplicate goes through, and without the header anything does.
    assert api.patch(url, json={"name": "Fabrikam, Inc."}, headers=DETECT).status_code == 204
    assert api.patch(url, json={"name": "Contoso Ltd."}).status_code == 204
    assert api.get(f"{url}?$select=name").json()["name"] == "Contoso Ltd."


@pytest.mark.interface_only
def test_a_bad_header_value_is_refused_with_a_coded_error(api, subtests):
    before = count(api, "accounts")
    for value in ["maybe", "0", "", "false, true"]:
        with subtests.test(value):
            header = {"MSCRM.SuppressDuplicateDetection": value}
            english = api.post(f"{API}/accounts", json={"name": "Litware"}, headers=header)
            french = api.post(f"{API}/accounts", json={"name": "Litware"},
                              headers={**header, **FRENCH})  # fmt: skip

            assert (english.status_code, french.status_code) == (400, 400)
            assert english.json()["error"] == {
                "code": "0x8006088a",
                "message": "The query is not valid: the header "
                f"MSCRM.SuppressDuplicateDetection takes true or false, not '{value}'.",
            }
            assert french.json()["error"]["message"] == (
                "La requête n'est pas valide : l'en-tête MSCRM.SuppressDuplicateDetection prend "
                f"true ou false, pas « {value} »."
            )
            patched = api.patch(f"{API}/accounts({uuid.uuid4()})", json={"name": "Litware"},
                                headers=header)  # fmt: skip
            assert patched.status_code == 400
    assert count(api, "accounts") == before


# --- RetrieveDuplicates ------------------------------------------------------------------------


def test_retrieve_duplicates_of_a_stored_record_names_each_match_and_its_rule(api, system):
    first = account(system, "Contoso Ltd.")
    second = account(system, "CONTOSO LTD.")
    account(system, "Fabrikam")

    response = retrieve_duplicates(api, as_account(first))
    french = retrieve_duplicates(api, as_account(first), headers=FRENCH)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"] == "http://testserver/api/data/v9.2/$metadata#accounts"
    (match,) = body["value"]
    assert list(match)[:3] == ["@odata.type", "@leadgate.duplicaterule",
                               "@leadgate.duplicateruleid"]  # fmt: skip
    assert match == {
        "@odata.type": "#Microsoft.Dynamics.CRM.account",
        "@leadgate.duplicaterule": ACCOUNT_NAME_RULE[0],
        "@leadgate.duplicateruleid": match["@leadgate.duplicateruleid"],
        "accountid": str(second),
        "name": "CONTOSO LTD.",
    }
    assert french.json()["value"][0]["@leadgate.duplicaterule"] == ACCOUNT_NAME_RULE[1]
    # The same answer as the platform's, and values given with the key are checked instead of
    # the stored ones.
    platform = system.execute(RetrieveDuplicatesRequest(Entity("account", first), "account"))
    assert [m.id for m in platform.matches] == [second]
    renamed = retrieve_duplicates(api, as_account(first, name="fabrikam"))
    assert [r["name"] for r in renamed.json()["value"]] == ["Fabrikam"]


def test_retrieve_duplicates_of_values_not_saved_yet(api, system):
    first = account(system, "Contoso Ltd.")
    second = account(system, "contoso ltd.")

    response = retrieve_duplicates(api, as_account(name="Contoso Ltd."), matching=None)
    assert response.status_code == 200, response.text
    assert {row["accountid"] for row in response.json()["value"]} == {str(first), str(second)}
    # The parameters written in the call itself, without aliases, read the same.
    entity = json.dumps(as_account(name="Contoso Ltd."))
    inline = api.get(f"{API}/RetrieveDuplicates(BusinessEntity={entity},"
                     "MatchingEntityName='account')")  # fmt: skip
    assert inline.status_code == 200, inline.text
    assert inline.json()["value"] == response.json()["value"]
    # The table comes from the key when the type is left out; a name without match: none.
    nothing = retrieve_duplicates(api, {"accountid": str(first), "name": "Northwind"})
    assert nothing.status_code == 200, nothing.text
    assert nothing.json()["value"] == []


def test_retrieve_duplicates_pages(api, system):
    ids = {str(account(system, name)) for name in ("Contoso Ltd.", "CONTOSO LTD.", "contoso ltd.")}
    probe = as_account(name="Contoso Ltd.")

    pages = [
        retrieve_duplicates(api, probe, paging={"PageNumber": page, "Count": 2,
                                                "ReturnTotalRecordCount": True})
        for page in (1, 2, 3)
    ]  # fmt: skip

    bodies = [page.json() for page in pages]
    assert [len(body["value"]) for body in bodies] == [2, 1, 0]
    more = [body.get("@Microsoft.Dynamics.CRM.morerecords") for body in bodies]
    assert more == [True, None, None]
    assert [body["@odata.count"] for body in bodies] == [3, 3, 3]
    seen = [row["accountid"] for body in bodies for row in body["value"]]
    assert len(seen) == len(set(seen)) and set(seen) == ids


MALFORMED = (
    [
        ("RetrieveDuplicates()", "needs the parameter BusinessEntity"),
        ("RetrieveDuplicates(BusinessEntity=@p1)", "alias @p1 has no value"),
        ("RetrieveDuplicates(BusinessEntity=@p1,Colour='red')?@p1={}", "has no parameter Colour"),
        ("RetrieveDuplicates(BusinessEntity=@p1)?@p1=[1]", "takes a record"),
        ("RetrieveDuplicates(BusinessEntity=@p1)?@p1={\"name\":\"x\"}", "must name its table"),
        ("RetrieveDuplicates(BusinessEntity=@p1,MatchingEntityName=account)"
         "?@p1={\"accountid\":\"" + str(uuid.UUID(int=1)) + "\"}", "in quotes"),
        ("RetrieveDuplicates(BusinessEntity=@p1,PagingInfo=@p3)"
         "?@p1={\"accountid\":\"" + str(uuid.UUID(int=1)) + "\"}&@p3={\"Page\":1}",
         "has no property Page"),
        ("RetrieveDuplicates(BusinessEntity)", "are written Name=value"),
        ("RetrieveDuplicates(BusinessEntity=@p1)?@p1={}&$top=1", "cannot be used here"),
    ]
)  # fmt: skip


@pytest.mark.interface_only
def test_a_malformed_call_is_refused_with_a_coded_error(api, subtests):
    for path, fragment in MALFORMED:
        with subtests.test(path):
            response = api.get(f"{API}/{path}")
            assert response.status_code == 400, response.text
            error = response.json()["error"]
            assert error["code"] == "0x8006088a" and fragment in error["message"], error


@pytest.mark.interface_only
def test_retrieve_duplicates_is_a_function_not_an_entity_set(api, system):
    response = api.post(f"{API}/RetrieveDuplicates(BusinessEntity=@p1)", json={})
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    unknown = retrieve_duplicates(api, as_account(uuid.uuid4()))
    assert unknown.status_code == 404, unknown.text


# --- QualifyLead from the lead form ------------------------------------------------------------


def test_qualify_with_detection_warns_and_creates_nothing_then_continue_creates(api, system):
    existing = account(system, "Contoso")
    lead = new_lead(api, companyname="Contoso")
    totals = {entity_set: count(api, entity_set)
              for entity_set in ("accounts", "contacts", "opportunities")}  # fmt: skip
    form = {**ALL_THREE, "SuppressDuplicateDetection": False}
    reference = EntityReference("lead", uuid.UUID(lead))
    expected = platform_error(lambda: system.execute(QualifyLeadRequest(
        reference, 3, True, True, True, suppress_duplicate_detection=False
    )))  # fmt: skip

    english = qualify(api, lead, form)
    french = qualify(api, lead, form, headers=FRENCH)

    matches = duplicate_refusal(english, expected)
    duplicate_refusal(french, expected, "fr")
    assert english.json()["error"]["message"].startswith(SEED_EN + " Possible duplicates:")
    assert french.json()["error"]["message"].startswith(SEED_FR + " Doublons possibles :")
    assert [(m["table"], m["id"]) for m in matches] == [("account", str(existing))]
    assert {entity_set: count(api, entity_set) for entity_set in totals} == totals
    assert api.get(f"{API}/leads({lead})?$select=statecode").json()["statecode"] == 0

    response = qualify(api, lead, {**ALL_THREE, "SuppressDuplicateDetection": True})
    assert response.status_code == 200, response.text
    assert {entity_set: count(api, entity_set) for entity_set in totals} == {
        entity_set: total + 1 for entity_set, total in totals.items()
    }
    assert api.get(f"{API}/leads({lead})?$select=statecode").json()["statecode"] == 1


# --- leadgate's normalized rules ----------------------------------------------------------------


def test_a_published_company_name_rule_matches_names_that_differ_in_form(api, system):
    contoso = account(system, "Contoso Ltd.")
    (rule,) = system.retrieve_multiple("duplicaterule", name=COMPANY_RULE).entities
    assert rule.id is not None
    # PublishDuplicateRule answers with the job that publishes the rule, as Dataverse does.
    published = api.post(
        f"{API}/duplicaterules({rule.id})/Microsoft.Dynamics.CRM.PublishDuplicateRule", json={}
    )
    assert published.status_code == 200, published.text
    assert published.json()["@odata.context"].endswith(
        "$metadata#Microsoft.Dynamics.CRM.PublishDuplicateRuleResponse"
    )
    job_id = uuid.UUID(published.json()["JobId"])
    assert system.retrieve("duplicaterule", rule.id)["statuscode"] == 1  # Publishing
    assert run_queued(system.organization, job_id).status is JobStatus.SUCCEEDED
    assert system.retrieve("duplicaterule", rule.id)["statuscode"] == 2  # Published

    response = retrieve_duplicates(api, as_account(name="The Contoso, Inc."))
    refused = api.post(f"{API}/accounts", json={"name": "The Contoso, Inc."}, headers=DETECT)

    assert response.status_code == 200, response.text
    assert [(row["accountid"], row["@leadgate.duplicaterule"]) for row in
            response.json()["value"]] == [(str(contoso), COMPANY_RULE)]  # fmt: skip
    assert refused.status_code == 500, refused.text
    (match,) = refused.json()["error"]["details"]["matches"]
    assert (match["id"], match["rule"]) == (str(contoso), COMPANY_RULE)
    # A record two rules find is listed once, named with the first rule that found it.
    both = retrieve_duplicates(api, as_account(name="Contoso Ltd."))
    assert [(row["accountid"], row["@leadgate.duplicaterule"]) for row in
            both.json()["value"]] == [(str(contoso), ACCOUNT_NAME_RULE[0])]  # fmt: skip
    # The exact rule alone does not see it.
    exact = system.execute(RetrieveDuplicatesRequest(
        Entity("account", None, {"name": "The Contoso, Inc."}), "account", PagingInfo(count=10)
    ))  # fmt: skip
    assert {m.rule.en for m in exact.matches} == {COMPANY_RULE}


def test_a_bulk_detection_jobs_pairs_are_read_as_duplicaterecords(api, system):
    first, second = account(system, "Wide World Importers"), account(system, "Wide World Importers")
    job_id = system.execute(BulkDetectDuplicatesRequest(QueryExpression("account"))).job_id
    assert run_queued(system.organization, job_id).status is JobStatus.SUCCEEDED

    response = api.get(
        f"{API}/duplicaterecords?$filter=_asyncoperationid_value eq {job_id}"
        "&$select=baserecordid,duplicaterecordid,duplicaterecordidtypecode"
    )

    assert response.status_code == 200, response.text
    assert sorted(
        (row["baserecordid"], row["duplicaterecordid"], row["duplicaterecordidtypecode"])
        for row in response.json()["value"]
    ) == sorted([(str(first), str(second), "account"), (str(second), str(first), "account")])
