"""The qualification doctor over the Web API: the bound function
``GET leads(<id>)/Microsoft.Dynamics.CRM.lg_DiagnoseQualify(…)``, answering the diagnosis's
JSON (``to_json``) in the caller's language, and coded errors, never a 500."""

from __future__ import annotations

import uuid
import warnings

import pytest

from leadgate.platform import Entity, EntityReference
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.sales.diagnosis import DiagnoseQualifyRequest
from leadgate.web import create_app
from tests.conftest import ADMIN_ID, add_user
from tests.e2e.conftest import API, assert_error, in_both_languages, platform_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # see tests/e2e/conftest.py
    from fastapi.testclient import TestClient

FUNCTION = "Microsoft.Dynamics.CRM.lg_DiagnoseQualify"
CONTEXT = (
    "http://testserver/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.lg_DiagnoseQualifyResponse"
)
CLOSED_FR = (
    "Le prospect est fermé et vous ne pouvez pas convertir ou qualifier un prospect déjà fermé."
)
REQUIRED_FR = "Pour passer à l'étape suivante, effectuez les étapes requises."


def new_lead(client, **values) -> str:
    body = {"subject": "Fleet renewal", "firstname": "Ada", "lastname": "Lovelace",
            "companyname": "Contoso", "jobtitle": "CTO", **values}  # fmt: skip
    response = client.post(f"{API}/leads", json=body)
    assert response.status_code == 204, response.text
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def diagnose(client, lead: str, call: str = "()", headers: dict | None = None, **params):
    return client.get(f"{API}/leads({lead})/{FUNCTION}{call}", params=params, headers=headers)


def diagnosis(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"] == CONTEXT
    return body


def outcomes(body: dict) -> dict[str, str]:
    return {check["Check"]: check["Outcome"] for check in body["Checks"]}


def test_a_healthy_lead_would_succeed_with_or_without_parentheses(api):
    lead = new_lead(api)

    for call in ("()", ""):
        body = diagnosis(diagnose(api, lead, call))
        assert body["WouldSucceed"] is True
        assert body["LeadId"] == lead and body["UserId"] == str(ADMIN_ID)
        assert set(outcomes(body).values()) == {"passed"} and body["Findings"] == []
        assert body["Checks"][0]["Label"] == "The lead is open"
    # Nothing changed: the lead is still open.
    assert api.get(f"{API}/leads({lead})?$select=statecode").json()["statecode"] == 0


def test_a_closed_lead_missing_a_step_gives_both_causes_in_french(api, system):
    (step,) = system.retrieve_multiple("processstep", attributename="purchasetimeframe")
    system.update(Entity("processstep", step.id, isrequired=True))
    lead = new_lead(api)
    closing = api.patch(f"{API}/leads({lead})", json={"statecode": 2, "statuscode": 4})
    assert closing.status_code == 204, closing.text

    body = diagnosis(diagnose(api, lead, headers={"Accept-Language": "fr"}))

    assert body["WouldSucceed"] is False
    findings = body["Findings"]
    assert [finding["Code"] for finding in findings] == ["0x8F4C4760", "0x8006041a"]
    assert findings[0]["Cause"].startswith(CLOSED_FR)
    assert findings[0]["Evidence"]["state"] == "Disqualifié"
    assert findings[1]["Cause"].startswith(REQUIRED_FR)
    assert findings[1]["Evidence"]["steps"] == "Délai d'achat"
    assert findings[1]["Fix"].startswith("Renseignez Délai d'achat")
    assert body["Checks"][0] == {"Check": "lead_open", "Label": "Le prospect est ouvert",
                                 "Outcome": "failed", "Note": None}  # fmt: skip
    english = diagnosis(diagnose(api, lead))
    assert english["Findings"][0]["Cause"].startswith("The lead is closed")


def test_the_form_path_warns_of_duplicates_and_the_grid_path_does_not(api):
    api.post(f"{API}/accounts", json={"name": "Contoso"})
    lead = new_lead(api)

    form = diagnosis(diagnose(api, lead, "(SuppressDuplicateDetection=false)"))
    grid = diagnosis(diagnose(api, lead, "(SuppressDuplicateDetection=@s)", **{"@s": "true"}))

    assert form["WouldSucceed"] is False and outcomes(form)["duplicates"] == "failed"
    assert [finding["Code"] for finding in form["Findings"]] == ["0x80040333"]
    assert grid["WouldSucceed"] is True and outcomes(grid)["duplicates"] == "not_checked"
    # Without the account, the lead makes no account to match: only a contact and a deal.
    body = diagnosis(diagnose(api, lead, "(CreateAccount=false,CreateContact=true,"
                                         "CreateOpportunity=true,Status=3)"))  # fmt: skip
    assert body["WouldSucceed"] is True


def test_for_another_user_administrators_may_and_salespeople_may_not(api, org, system):
    seller = add_user(system, "sam@test.example", role="Salesperson", last_name="Sam")
    lead = new_lead(api)  # the administrator's: out of the salesperson's reach

    body = diagnosis(diagnose(api, lead, "(UserId=@u)", **{"@u": str(seller)}))

    assert body["UserId"] == str(seller) and body["WouldSucceed"] is False
    assert outcomes(body)["privileges"] == "failed"
    token = system.execute(CreateApiTokenRequest(EntityReference("systemuser", seller))).token
    service = org.service(seller)
    own = service.create("lead", subject="Own", lastname="Lead", companyname="Fabrikam")
    expected = platform_error(lambda: service.execute(DiagnoseQualifyRequest(
        EntityReference("lead", own), user_id=ADMIN_ID)))  # fmt: skip
    with TestClient(create_app(org), headers={"Authorization": f"Bearer {token}"}) as sales:
        english, _ = in_both_languages(
            lambda h: diagnose(sales, str(own), f"(UserId={ADMIN_ID})", headers=h), 403, expected
        )
        assert "prvActOnBehalfOfAnotherUser" in english
        assert diagnosis(diagnose(sales, str(own)))["WouldSucceed"] is True


def test_an_unknown_lead_or_user_is_404(api, system):
    missing = str(uuid.uuid4())
    expected = platform_error(lambda: system.execute(DiagnoseQualifyRequest(
        EntityReference("lead", uuid.UUID(missing)))))  # fmt: skip
    in_both_languages(lambda h: diagnose(api, missing, headers=h), 404, expected)

    lead = new_lead(api)
    response = diagnose(api, lead, f"(UserId={uuid.uuid4()})")
    assert_error(response, 404, "0x80040217")


@pytest.mark.interface_only
@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("leads(42)/{function}()", 400, "0x8006088a"),
        ("leads/{function}()", 404, "0x80060889"),
        ("accounts({lead})/{function}()", 404, "0x80060889"),
        ("nothings({lead})/{function}()", 404, "0x80060889"),
        ("leads({lead})/Microsoft.Dynamics.CRM.lg_Frobnicate()", 404, "0x80060889"),
        ("leads({lead})/{function}(Nope=1)", 400, "0x8006088a"),
        ("leads({lead})/{function}(UserId=abc)", 400, "0x8006088a"),
        ("leads({lead})/{function}(UserId=@u)", 400, "0x8006088a"),
        ("leads({lead})/{function}(Status='3')", 400, "0x8006088a"),
        ("leads({lead})/{function}(CreateAccount=yes)", 400, "0x8006088a"),
        ("leads({lead})/{function}(OpportunityCurrencyId=[1])", 400, "0x8006088a"),
        ('leads({lead})/{function}(OpportunityCurrencyId={{"a":1}})', 400, "0x8006088a"),
        ("leads({lead})/{function}(Status=1,Status=2)", 400, "0x8006088a"),
        ("leads({lead})/{function}()?$top=1", 400, "0x8006088a"),
    ],
)
def test_bad_calls_are_coded_json_errors(api, path, status, code):
    lead = new_lead(api)

    response = api.get(f"{API}/{path.format(lead=lead, function=FUNCTION)}")

    assert_error(response, status, code)


@pytest.mark.interface_only
def test_an_invalid_status_reason_is_a_finding_not_an_error(api):
    lead = new_lead(api)

    body = diagnosis(diagnose(api, lead, "(Status=4)"))

    assert body["WouldSucceed"] is False
    assert [finding["Code"] for finding in body["Findings"]] == ["0x80048408"]
