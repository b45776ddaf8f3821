"""The Lead to Opportunity Sales Process over the Web API, as a Dataverse client drives it.

Definitions are records (``workflows``, ``processstages``, ``processsteps``); a lead's
instance is a ``leadtoopportunitysalesprocesses`` record, moved by PATCHing
``activestageid@odata.bind`` (the platform runs SetProcessStage, REFERENCE §4). QualifyLead
moves the process on to Develop; every refusal is compared with the platform's own error,
in English and in French.
"""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine import errors
from leadgate.platform.processes.errors import (
    PROCESS_NOT_ACTIVE,
    STAGE_NOT_IN_PROCESS,
    STAGE_NOT_REACHABLE,
)
from leadgate.sales.errors import ACTIVE_STAGE_NOT_ON_LEAD, NOT_THIS_LEADS_PROCESS
from leadgate.sales.qualify import QualifyLeadRequest
from tests.e2e.conftest import API, assert_error, in_both_languages, platform_error
from tests.e2e.test_qualify_api import (
    ALL_THREE,
    FORMATTED,
    created_id,
    new_lead,
    qualify,
    qualify_as,
    read,
    salespeople,  # noqa: F401 (a fixture)
)

TABLE = "leadtoopportunitysalesprocess"
INSTANCES = "leadtoopportunitysalesprocesses"
INSTANCE_COLUMNS = (
    "_processid_value,_leadid_value,_opportunityid_value,_activestageid_value,"
    "activestagestartedon,traversedpath,completedon,statecode,statuscode"
)
STEPS_EMPTY_EN = "To move to the next stage, complete the required steps."
STEPS_EMPTY_FR = "Pour passer à l'étape suivante, effectuez les étapes requises."
NOT_ON_LEAD_EN = "Active stage is not on 'Lead' entity."
NOT_ON_LEAD_FR = "L'étape active n'est pas sur l'entité de prospect."


def get_values(client, query: str) -> list[dict]:
    response = client.get(f"{API}/{query}")
    assert response.status_code == 200, response.text
    return response.json()["value"]


def process_id(client) -> str:
    (process,) = get_values(
        client, "workflows?$filter=uniquename eq 'leadtoopportunitysalesprocess'"
        "&$select=name,primaryentity,statecode",
    )  # fmt: skip
    assert (process["name"], process["primaryentity"], process["statecode"]) == (
        "Lead to Opportunity Sales Process", "lead", 1,
    )  # fmt: skip
    return process["workflowid"]


def stage_ids(client) -> dict[str, str]:
    """The process's stages by name, in their order."""
    stages = get_values(
        client, f"processstages?$filter=_processid_value eq {process_id(client)}"
        "&$orderby=rank&$select=stagename,rank,primaryentitytypecode",
    )  # fmt: skip
    return {stage["stagename"]: stage["processstageid"] for stage in stages}


def step_id(client, stage: str, column: str) -> str:
    (step,) = get_values(
        client, f"processsteps?$filter=_processstageid_value eq {stage} "
        f"and attributename eq '{column}'&$select=label,isrequired",
    )  # fmt: skip
    return step["processstepid"]


def require_step(client, stage: str, column: str) -> None:
    response = client.patch(
        f"{API}/processsteps({step_id(client, stage, column)})", json={"isrequired": True}
    )
    assert response.status_code == 204, response.text


def instance_of(client, lead: str) -> dict:
    """The lead's process instance, found as a client finds it: by its lead."""
    (instance,) = get_values(
        client, f"{INSTANCES}?$filter=_leadid_value eq {lead}&$select={INSTANCE_COLUMNS}"
    )
    return instance


def move(client, instance: str, stage: str, path: str | None = None, headers=None):
    """PATCH the active stage; ``If-Match: *`` so a missing instance is not upserted."""
    body = {"activestageid@odata.bind": f"/processstages({stage})"}
    if path is not None:
        body["traversedpath"] = path
    return client.patch(
        f"{API}/{INSTANCES}({instance})", json=body, headers={"If-Match": "*", **(headers or {})}
    )


def move_as(service, instance: str, stage: str, path: str | None = None):
    values = {"activestageid": EntityReference("processstage", uuid.UUID(stage))}
    if path is not None:
        values["traversedpath"] = path
    return lambda: service.update(Entity(TABLE, uuid.UUID(instance), values))


def counts(client) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        len(get_values(client, f"{entity_set}?$select=createdon"))
        for entity_set in ("accounts", "contacts", "opportunities")
    )


def qualified(client, lead: str) -> str:
    """Qualify the lead (all three records); returns the opportunity."""
    response = qualify(client, lead)
    assert response.status_code == 200, response.text
    (opportunity,) = [r["opportunityid"] for r in response.json()["value"] if "opportunityid" in r]
    return opportunity


def path(*stages: str) -> str:
    return ",".join(stages)


# --- definitions ------------------------------------------------------------------------------


def test_the_stages_and_steps_of_the_process_are_listed_in_order(api):
    stages = get_values(
        api, f"processstages?$filter=_processid_value eq {process_id(api)}"
        "&$orderby=rank&$select=stagename,stagename_fr,rank,primaryentitytypecode",
    )  # fmt: skip

    assert [(s["stagename"], s["stagename_fr"], s["primaryentitytypecode"]) for s in stages] == [
        ("Qualify", "Qualifier", "lead"), ("Develop", "Développer", "opportunity"),
        ("Propose", "Proposer", "opportunity"), ("Close", "Conclure", "opportunity"),
    ]  # fmt: skip
    assert [s["rank"] for s in stages] == sorted(s["rank"] for s in stages)
    steps = get_values(
        api, f"processsteps?$filter=_processstageid_value eq {stages[0]['processstageid']}"
        "&$orderby=rank&$select=attributename,label,isrequired",
    )  # fmt: skip
    assert [(s["attributename"], s["label"]) for s in steps] == [
        ("parentcontactid", "Existing Contact?"), ("parentaccountid", "Existing Account?"),
        ("purchasetimeframe", "Purchase Timeframe"), ("budgetamount", "Estimated Budget"),
        ("purchaseprocess", "Purchase Process"), ("decisionmaker", "Identify Decision Maker"),
        ("qualificationcomments", "Capture Summary"),
    ]  # fmt: skip
    assert not any(s["isrequired"] for s in steps)  # as shipped; administrators mark them


def test_creating_a_lead_starts_its_process_on_the_qualify_stage(api):
    stages = stage_ids(api)
    lead = new_lead(api)

    instance = instance_of(api, lead)

    assert instance["_processid_value"] == process_id(api)
    assert instance["_leadid_value"] == lead
    assert instance["_opportunityid_value"] is None
    assert instance["_activestageid_value"] == stages["Qualify"]
    assert instance["traversedpath"] == stages["Qualify"]
    assert instance["activestagestartedon"] is not None
    assert instance["completedon"] is None
    assert (instance["statecode"], instance["statuscode"]) == (0, 1)
    shown = read(api, INSTANCES, instance["businessprocessflowinstanceid"],
                 "_activestageid_value,statuscode")  # fmt: skip
    assert shown["_activestageid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == (
        "processstage"
    )
    assert shown["statuscode" + FORMATTED] == "Active"


# --- moving on from Qualify -------------------------------------------------------------------


def test_next_stage_without_an_opportunity_is_refused_and_says_to_qualify(api, admin):
    stages = stage_ids(api)
    lead = new_lead(api)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    expected = platform_error(move_as(admin, instance, stages["Develop"]))
    assert expected.code == "0x8F4C4770"

    english, french = in_both_languages(
        lambda h: move(api, instance, stages["Develop"], headers=h), 400, expected
    )

    assert "Develop" in english and "Qualify the lead" in english
    assert "Développer" in french and "Qualifiez le prospect" in french
    renamed = api.patch(f"{API}/{INSTANCES}({instance})", json={
        "name": "Renamed", "activestageid@odata.bind": f"/processstages({stages['Develop']})",
    })  # fmt: skip
    assert_error(renamed, 400, expected)  # and nothing of that PATCH is saved
    unchanged = instance_of(api, lead)
    assert unchanged["_activestageid_value"] == stages["Qualify"]
    assert unchanged["traversedpath"] == stages["Qualify"]
    assert read(api, INSTANCES, instance, "name")["name"] != "Renamed"


def test_a_required_step_left_empty_blocks_qualifying_until_it_is_filled(api, admin):
    stages = stage_ids(api)
    require_step(api, stages["Qualify"], "qualificationcomments")
    (step,) = get_values(api, f"processsteps?$filter=_processstageid_value eq {stages['Qualify']}"
                              " and isrequired eq true&$select=attributename")  # fmt: skip
    assert step["attributename"] == "qualificationcomments"
    lead = new_lead(api)
    expected = platform_error(qualify_as(admin, lead))
    assert expected.code == "0x8006041a"

    english, french = in_both_languages(lambda h: qualify(api, lead, headers=h), 400, expected)

    assert english.startswith(STEPS_EMPTY_EN) and "Capture Summary" in english
    assert french.startswith(STEPS_EMPTY_FR) and "Saisir le résumé" in french
    assert counts(api) == (0, 0, 0)
    assert read(api, "leads", lead, "statecode")["statecode"] == 0
    assert instance_of(api, lead)["_activestageid_value"] == stages["Qualify"]

    filled = api.patch(f"{API}/leads({lead})", json={"qualificationcomments": "Budget approved"})
    assert filled.status_code == 204, filled.text
    opportunity = qualified(api, lead)

    assert counts(api) == (1, 1, 1)
    instance = instance_of(api, lead)
    assert instance["_opportunityid_value"] == opportunity
    assert instance["_activestageid_value"] == stages["Develop"]
    assert instance["traversedpath"] == path(stages["Qualify"], stages["Develop"])
    assert (instance["statecode"], instance["statuscode"]) == (0, 1)


def test_a_yes_no_step_is_filled_only_by_yes(api, admin):
    stages = stage_ids(api)
    require_step(api, stages["Qualify"], "decisionmaker")
    lead = new_lead(api, decisionmaker=False)
    expected = platform_error(qualify_as(admin, lead))

    english, _ = in_both_languages(lambda h: qualify(api, lead, headers=h), 400, expected)

    assert english.startswith(STEPS_EMPTY_EN) and "Identify Decision Maker" in english
    assert api.patch(f"{API}/leads({lead})", json={"decisionmaker": True}).status_code == 204
    qualified(api, lead)
    assert instance_of(api, lead)["_activestageid_value"] == stages["Develop"]


def test_a_required_step_of_develop_blocks_moving_on_to_propose(api, admin):
    stages = stage_ids(api)
    require_step(api, stages["Develop"], "customerneed")
    lead = new_lead(api)
    opportunity = qualified(api, lead)  # Develop's steps do not hold up qualifying
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    expected = platform_error(move_as(admin, instance, stages["Propose"]))
    assert expected.code == "0x8006041a"

    english, _ = in_both_languages(
        lambda h: move(api, instance, stages["Propose"], headers=h), 400, expected
    )

    assert english.startswith(STEPS_EMPTY_EN) and "Customer Need" in english
    assert api.patch(f"{API}/opportunities({opportunity})",
                     json={"customerneed": "40 vans by spring"}).status_code == 204  # fmt: skip
    assert move(api, instance, stages["Propose"]).status_code == 204
    assert instance_of(api, lead)["_activestageid_value"] == stages["Propose"]


# --- the traversed path -----------------------------------------------------------------------


def test_forward_and_back_the_traversed_path_is_checked_or_computed(api, admin):
    stages = stage_ids(api)
    qualify_, develop, propose, close = (stages[name] for name in
                                         ("Qualify", "Develop", "Propose", "Close"))  # fmt: skip
    lead = new_lead(api)
    qualified(api, lead)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    started = instance_of(api, lead)["activestagestartedon"]

    wrong = path(qualify_, propose)  # Develop left out
    expected = platform_error(move_as(admin, instance, propose, wrong))
    assert expected.code == "0x8F4C4773"
    english, _ = in_both_languages(
        lambda h: move(api, instance, propose, wrong, headers=h), 400, expected
    )
    assert path(qualify_, develop, propose) in english
    assert instance_of(api, lead)["_activestageid_value"] == develop

    response = move(api, instance, propose)  # traversedpath left out: computed
    assert response.status_code == 204, response.text
    moved = instance_of(api, lead)
    assert moved["_activestageid_value"] == propose
    assert moved["traversedpath"] == path(qualify_, develop, propose)
    assert moved["activestagestartedon"] >= started

    response = move(api, instance, close, path(qualify_, develop, propose, close))
    assert response.status_code == 204, response.text
    assert instance_of(api, lead)["traversedpath"] == path(qualify_, develop, propose, close)

    response = move(api, instance, develop)  # back to a visited stage
    assert response.status_code == 204, response.text
    back = instance_of(api, lead)
    assert back["_activestageid_value"] == develop
    assert back["traversedpath"] == path(qualify_, develop)
    assert (back["statecode"], back["statuscode"]) == (0, 1)


def test_a_stage_can_not_be_skipped(api, admin):
    stages = stage_ids(api)
    lead = new_lead(api)
    qualified(api, lead)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    expected = platform_error(move_as(admin, instance, stages["Close"]))
    assert expected.code == STAGE_NOT_REACHABLE.code

    english, _ = in_both_languages(
        lambda h: move(api, instance, stages["Close"], headers=h), 400, expected
    )

    assert "Propose" in english
    assert instance_of(api, lead)["_activestageid_value"] == stages["Develop"]


def test_a_path_alone_moves_the_process_to_the_last_stage_it_names(api):
    stages = stage_ids(api)
    lead = new_lead(api)
    qualified(api, lead)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    target = path(stages["Qualify"], stages["Develop"], stages["Propose"])

    response = api.patch(f"{API}/{INSTANCES}({instance})", json={"traversedpath": target})

    assert response.status_code == 204, response.text
    assert instance_of(api, lead)["_activestageid_value"] == stages["Propose"]


def test_qualifying_with_the_process_instance_named(api, admin):
    stages = stage_ids(api)
    lead, other = new_lead(api), new_lead(api, lastname="Byron")
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    named = {**ALL_THREE, "ProcessInstanceId": {
        "@odata.type": f"Microsoft.Dynamics.CRM.{TABLE}", "businessprocessflowinstanceid": instance,
    }}  # fmt: skip
    expected = platform_error(lambda: admin.execute(QualifyLeadRequest(
        EntityReference("lead", uuid.UUID(other)),
        process_instance_id=EntityReference(TABLE, uuid.UUID(instance)),
    )))  # fmt: skip
    assert expected.code == NOT_THIS_LEADS_PROCESS.code

    in_both_languages(lambda h: qualify(api, other, named, h), 400, expected)

    assert counts(api) == (0, 0, 0)
    response = qualify(api, lead, named)
    assert response.status_code == 200, response.text
    assert instance_of(api, lead)["_activestageid_value"] == stages["Develop"]
    assert instance_of(api, other)["_activestageid_value"] == stages["Qualify"]


# --- qualifying again after a reactivation ---------------------------------------------------


def test_a_reactivated_lead_qualifies_again_only_after_set_active_on_qualify(api, admin):
    stages = stage_ids(api)
    lead = new_lead(api)
    first = qualified(api, lead)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    reopened = api.patch(f"{API}/leads({lead})", json={"statecode": 0, "statuscode": 1})
    assert reopened.status_code == 204, reopened.text
    expected = platform_error(qualify_as(admin, lead))
    assert expected.code == ACTIVE_STAGE_NOT_ON_LEAD.code == "0x80100002"

    english, french = in_both_languages(lambda h: qualify(api, lead, headers=h), 400, expected)

    assert english.startswith(NOT_ON_LEAD_EN)
    assert "Develop" in english and "Set Active" in english and "Qualify" in english
    assert french.startswith(NOT_ON_LEAD_FR) and "Développer" in french
    assert counts(api) == (1, 1, 1)

    response = move(api, instance, stages["Qualify"])  # Set Active on Qualify
    assert response.status_code == 204, response.text
    assert instance_of(api, lead)["traversedpath"] == stages["Qualify"]
    second = qualified(api, lead)

    assert second != first
    assert counts(api) == (1, 1, 2)  # the lead now names its account and contact: linked
    again = instance_of(api, lead)
    assert again["_opportunityid_value"] == second
    assert again["_activestageid_value"] == stages["Develop"]
    assert again["traversedpath"] == path(stages["Qualify"], stages["Develop"])


# --- finishing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "status"), [(1, 3), (2, 4)], ids=["won", "lost"])
def test_closing_the_opportunity_finishes_the_process(api, admin, state, status):
    stages = stage_ids(api)
    lead = new_lead(api)
    opportunity = qualified(api, lead)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]

    closed = api.patch(
        f"{API}/opportunities({opportunity})", json={"statecode": state, "statuscode": status}
    )

    assert closed.status_code == 204, closed.text
    finished = instance_of(api, lead)
    assert (finished["statecode"], finished["statuscode"]) == (1, 2)
    assert finished["completedon"] is not None
    assert finished["_activestageid_value"] == stages["Develop"]
    shown = read(api, INSTANCES, instance, "statuscode")
    assert shown["statuscode" + FORMATTED] == "Finished"
    expected = platform_error(move_as(admin, instance, stages["Propose"]))
    assert expected.code == PROCESS_NOT_ACTIVE.code
    in_both_languages(lambda h: move(api, instance, stages["Propose"], headers=h), 400, expected)


# --- statuses of the refusals -----------------------------------------------------------------


@pytest.mark.interface_only
def test_moving_a_missing_instance_is_404(api, admin):
    stages = stage_ids(api)
    missing = str(uuid.uuid4())
    expected = platform_error(move_as(admin, missing, stages["Qualify"]))

    in_both_languages(lambda h: move(api, missing, stages["Qualify"], headers=h), 404, expected)


@pytest.mark.interface_only
def test_a_stage_that_is_not_of_the_process_is_refused(api, admin):
    lead = new_lead(api)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]
    missing = str(uuid.uuid4())
    expected = platform_error(move_as(admin, instance, missing))
    assert expected.code == STAGE_NOT_IN_PROCESS.code

    in_both_languages(lambda h: move(api, instance, missing, headers=h), 400, expected)


@pytest.mark.interface_only
def test_a_stage_bound_to_another_table_is_refused(api):
    lead = new_lead(api)
    instance = instance_of(api, lead)["businessprocessflowinstanceid"]

    response = api.patch(f"{API}/{INSTANCES}({instance})",
                         json={"activestageid@odata.bind": f"/leads({lead})"})  # fmt: skip

    assert_error(response, 400, errors.LOOKUP_WRONG_TARGET.code)


def test_a_salesperson_moves_only_the_processes_they_may_write(salespeople):  # noqa: F811
    client, lead, sam = salespeople
    stages = stage_ids(client)
    instance = instance_of(client, lead)["businessprocessflowinstanceid"]  # read in the unit
    expected = platform_error(move_as(sam, instance, stages["Develop"]))

    english, _ = in_both_languages(
        lambda h: move(client, instance, stages["Develop"], headers=h), 403, expected
    )

    assert "Sam" in english
    own = new_lead(client)
    assert instance_of(client, own)["_activestageid_value"] == stages["Qualify"]
    qualified(client, own)
    assert instance_of(client, own)["_activestageid_value"] == stages["Develop"]


@pytest.mark.interface_only
def test_a_salesperson_may_not_mark_a_step_required(salespeople):  # noqa: F811
    client, _, _ = salespeople
    stages = stage_ids(client)
    step = step_id(client, stages["Qualify"], "budgetamount")

    response = client.patch(f"{API}/processsteps({step})", json={"isrequired": True})

    assert_error(response, 403, "0x80040220")
    assert read(client, "processsteps", step, "isrequired")["isrequired"] is False


def test_an_instance_created_by_a_client_starts_on_the_first_stage(api):
    stages = stage_ids(api)
    lead = new_lead(api)
    response = api.post(f"{API}/{INSTANCES}", json={
        "processid@odata.bind": f"/workflows({process_id(api)})",
        "leadid@odata.bind": f"/leads({lead})", "name": "Second look",
    })  # fmt: skip
    created = created_id(response)

    instance = read(api, INSTANCES, created, "_activestageid_value,traversedpath,statuscode")

    assert instance["_activestageid_value"] == stages["Qualify"]
    assert instance["traversedpath"] == stages["Qualify"]
    assert instance["statuscode"] == 1
