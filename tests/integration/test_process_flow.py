"""The Lead to Opportunity Sales Process and the seed's three process failures (REFERENCE §4).

Each failure for its cause, in its words (English and French), leaving nothing changed:
Next Stage on Qualify does not move, required steps empty, active stage not on the lead.
"""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, EntityReference
from leadgate.platform.processes.messages import (
    NextStageRequest,
    PreviousStageRequest,
    SetProcessStageRequest,
)
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from leadgate.sales.qualify import QualifyLeadRequest
from tests.conftest import add_user, role_reference
from tests.integration.test_qualification import SALES_TABLES, a_lead, counts, qualify, refusal

INSTANCES = "leadtoopportunitysalesprocess"
REQUIRED_EN = "To move to the next stage, complete the required steps."
REQUIRED_FR = "Pour passer à l'étape suivante, effectuez les étapes requises."
NOT_ON_LEAD_EN = "Active stage is not on 'Lead' entity."
NOT_ON_LEAD_FR = "L'étape active n'est pas sur l'entité de prospect."


def stages(system) -> dict[str, uuid.UUID]:
    return {row["stagename"]: row.id for row in system.retrieve_multiple_all("processstage")}


def instance_of(service, lead: uuid.UUID) -> Entity:
    (found,) = service.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))
    return found


def stage_names(system, instance: Entity) -> list[str]:
    by_id = {value: name for name, value in stages(system).items()}
    return [by_id[uuid.UUID(part)] for part in instance["traversedpath"].split(",")]


def require_step(system, column: str, required: bool = True) -> None:
    (step,) = system.retrieve_multiple("processstep", attributename=column)
    system.update(Entity("processstep", step.id, isrequired=required))


def test_creating_a_lead_starts_the_process_on_qualify(admin, system):
    lead = a_lead(admin)
    instance = instance_of(admin, lead)
    qualify_stage = stages(system)["Qualify"]
    assert instance["activestageid"].id == qualify_stage
    assert instance["traversedpath"] == str(qualify_stage)
    assert (instance["statecode"], instance["statuscode"]) == (0, 1)
    assert instance["activestagestartedon"] is not None and instance["completedon"] is None
    assert instance["ownerid"].id == admin.user_id
    assert instance["name"] == "Lead to Opportunity Sales Process"


def test_next_stage_on_qualify_does_not_move_and_says_to_qualify(admin, system):
    lead = a_lead(admin)
    instance = instance_of(admin, lead)
    response = admin.execute(NextStageRequest(instance.to_reference()))
    assert response.moved is False
    assert response.active_stage.id == stages(system)["Qualify"]
    assert response.notice.code == "0x8F4C4770"
    assert response.notice.message("en") == (
        "The stage does not move: the next stage, Develop, is on Opportunity, and no "
        "Opportunity belongs to this process yet. Qualify the lead: qualifying creates the "
        "opportunity and moves the process to the next stage."
    )
    assert response.notice.message("fr") == (
        "L'étape ne change pas : l'étape suivante, Développer, est sur Opportunité, et aucun "
        "enregistrement Opportunité n'appartient encore à ce processus. Qualifiez le prospect : "
        "la qualification crée l'opportunité et fait passer le processus à l'étape suivante."
    )
    assert instance_of(admin, lead)["versionnumber"] == instance["versionnumber"]


def test_required_steps_empty_refuse_next_stage_and_qualify_and_leave_nothing(admin, system):
    require_step(system, "purchasetimeframe")
    require_step(system, "qualificationcomments")
    lead = a_lead(admin)
    before = counts(admin)
    error = refusal(lambda: qualify(admin, lead))
    assert error.code == "0x8006041a"
    assert error.message("en") == (
        f"{REQUIRED_EN} (Stage Qualify, empty: Purchase Timeframe, Capture Summary. Fill them "
        "in, save, and try again.)"
    )
    assert error.message("fr").startswith(REQUIRED_FR)
    assert "Délai d'achat, Saisir le résumé" in error.message("fr")
    assert counts(admin) == before
    assert admin.retrieve("lead", lead)["statecode"] == 0
    instance = instance_of(admin, lead)
    assert refusal(lambda: admin.execute(NextStageRequest(instance.to_reference()))).code == (
        "0x8006041a"
    )

    admin.update(Entity("lead", lead, purchasetimeframe=1, qualificationcomments="Ready"))
    created = qualify(admin, lead).created_entities
    instance = instance_of(admin, lead)
    assert stage_names(system, instance) == ["Qualify", "Develop"]
    assert instance["opportunityid"] == created[-1]


def test_a_yes_no_step_is_filled_when_yes(admin, system):
    require_step(system, "decisionmaker")
    lead = a_lead(admin, decisionmaker=False)
    error = refusal(lambda: qualify(admin, lead))
    assert error.code == "0x8006041a" and "Identify Decision Maker" in error.message("en")
    admin.update(Entity("lead", lead, decisionmaker=True))
    qualify(admin, lead)


def test_qualifying_without_an_opportunity_leaves_the_process_on_qualify(admin, system):
    lead = a_lead(admin)
    qualify(admin, lead, create_opportunity=False)
    instance = instance_of(admin, lead)
    assert stage_names(system, instance) == ["Qualify"]
    assert instance["opportunityid"] is None and instance["statecode"] == 0


def test_active_stage_not_on_the_lead_until_set_active(admin, system):
    lead = a_lead(admin)
    first = qualify(admin, lead).created_entities
    admin.execute(SetStateRequest(EntityReference("lead", lead), 0, 2))  # reactivated
    before = counts(admin)
    error = refusal(lambda: qualify(admin, lead))
    assert error.code == "0x80100002"
    assert error.message("en") == (
        f"{NOT_ON_LEAD_EN} (The process Lead to Opportunity Sales Process is on Develop, a "
        "stage of Opportunity: select Set Active on the Qualify stage, then qualify again.)"
    )
    assert error.message("fr").startswith(NOT_ON_LEAD_FR)
    assert "Définir actif" in error.message("fr")
    assert counts(admin) == before and admin.retrieve("lead", lead)["statecode"] == 0

    instance = instance_of(admin, lead)
    moved = admin.execute(
        SetProcessStageRequest(instance.to_reference(), EntityReference(
            "processstage", stages(system)["Qualify"]))
    )  # fmt: skip
    assert moved.traversed_path == str(stages(system)["Qualify"])
    second = qualify(admin, lead).created_entities
    instance = instance_of(admin, lead)
    assert stage_names(system, instance) == ["Qualify", "Develop"]
    assert instance["opportunityid"] == second[-1] != first[-1]


def test_opportunity_stages_move_on_with_their_required_steps_and_close_finishes(admin, system):
    lead = a_lead(admin)
    opportunity = qualify(admin, lead).created_entities[-1]
    reference = instance_of(admin, lead).to_reference()
    require_step(system, "customerneed")
    error = refusal(lambda: admin.execute(NextStageRequest(reference)))
    assert error.code == "0x8006041a" and "Customer Need" in error.message("en")
    admin.update(Entity("opportunity", opportunity.id, customerneed="40 seats by March"))
    assert admin.execute(NextStageRequest(reference)).moved
    error = refusal(lambda: admin.execute(SetStateRequest(reference, 1, 2)))
    assert error.code == "0x8F4C4777"
    assert error.message("en") == (
        "The process Lead to Opportunity Sales Process finishes on its last stage, Close, "
        "and it is on Propose: move it on first."
    )
    back = admin.execute(PreviousStageRequest(reference))
    assert back.active_stage.id == stages(system)["Develop"]
    admin.execute(NextStageRequest(reference))
    admin.execute(NextStageRequest(reference))
    assert stage_names(system, instance_of(admin, lead)) == [
        "Qualify", "Develop", "Propose", "Close",
    ]  # fmt: skip
    error = refusal(lambda: admin.execute(NextStageRequest(reference)))
    assert error.code == "0x8F4C4775"

    admin.execute(SetStateRequest(opportunity, 1, 3))  # won
    instance = instance_of(admin, lead)
    assert (instance["statecode"], instance["statuscode"]) == (1, 2)
    assert instance["completedon"] is not None
    error = refusal(lambda: admin.execute(PreviousStageRequest(reference)))
    assert error.code == "0x8F4C4774"
    admin.execute(SetStateRequest(reference, 0, 1))  # reactivated
    assert admin.retrieve(INSTANCES, reference.id)["completedon"] is None


def test_set_active_cannot_skip_stages_and_a_wrong_path_is_refused(admin, system):
    lead = a_lead(admin)
    qualify(admin, lead)
    reference = instance_of(admin, lead).to_reference()
    close = EntityReference("processstage", stages(system)["Close"])
    error = refusal(lambda: admin.execute(SetProcessStageRequest(reference, close)))
    assert error.code == "0x8F4C4771"
    assert error.message("en").startswith("The stage Close cannot be made active from Develop")
    propose = EntityReference("processstage", stages(system)["Propose"])
    error = refusal(lambda: admin.execute(SetProcessStageRequest(reference, propose, "x,y")))
    assert error.code == "0x8F4C4773"
    # An Update of activestageid is the same move (a Dataverse client's PATCH).
    admin.update(Entity(INSTANCES, reference.id, activestageid=propose))
    assert stage_names(system, admin.retrieve(INSTANCES, reference.id))[-1] == "Propose"


def test_moving_stages_needs_write_on_the_record_the_stage_is_on(org, system):
    salesperson = org.service(add_user(system, "sam@test.example", role="Salesperson"))
    lead = a_lead(salesperson)
    reference = instance_of(salesperson, lead).to_reference()
    qualify(salesperson, lead)
    system.execute(RemovePrivilegeRoleRequest(role_reference(system, "Salesperson").id,
                                              "prvWriteOpportunity"))  # fmt: skip
    error = refusal(lambda: salesperson.execute(NextStageRequest(reference)))
    assert error.code == "0x80040220" and "prvWriteOpportunity" in error.message("en")


def test_a_user_without_the_process_privileges_works_without_the_process(org, system):
    salesperson = org.service(add_user(system, "kim@test.example", role="Salesperson"))
    system.execute(
        RemovePrivilegeRoleRequest(
            role_reference(system, "Salesperson").id, "prvCreateLeadToOpportunitySalesProcess"
        )
    )
    lead = a_lead(salesperson)
    assert len(system.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))) == 0
    assert [r.logical_name for r in qualify(salesperson, lead).created_entities] == list(
        SALES_TABLES
    )


@pytest.mark.parametrize(
    ("table", "values", "reason"),
    [
        ("processstep", {"attributename": "nothing_here", "label": "Nothing"},
         "names nothing_here, which lead does not have"),
        ("processstage", {"stagename": "Billing", "primaryentitytypecode": "campaign",
                          "rank": 9},
         "has no lookup to campaign"),
    ],
)  # fmt: skip
def test_definitions_are_checked_when_saved(system, table, values, reason):
    qualify_stage = stages(system)["Qualify"]
    process = system.retrieve("processstage", qualify_stage)["processid"]
    parent = (
        {"processstageid": EntityReference("processstage", qualify_stage)}
        if table == "processstep" else {"processid": process}
    )  # fmt: skip
    before = len(system.retrieve_multiple_all(table))
    error = refusal(lambda: system.create(table, {**parent, **values}))
    assert error.code == "0x8F4C4778"
    assert error.message("en").startswith("The process definition is not valid: ")
    assert reason in error.message("en")
    assert error.message("fr").startswith("La définition du processus n'est pas valide")
    assert len(system.retrieve_multiple_all(table)) == before


def test_a_process_instance_names_its_lead(admin, system):
    lead = a_lead(admin)
    other = a_lead(admin, lastname="Other")
    error = refusal(lambda: admin.execute(QualifyLeadRequest(
        EntityReference("lead", lead), process_instance_id=instance_of(admin, other).to_reference()
    )))  # fmt: skip
    assert error.code == "0x8F4C4764"


def test_a_deactivated_process_starts_no_instance(admin, system):
    (process,) = system.retrieve_multiple("workflow")
    system.execute(SetStateRequest(process.to_reference(), 0, 1))
    lead = a_lead(admin)
    assert len(admin.retrieve_multiple(INSTANCES, leadid=EntityReference("lead", lead))) == 0
    qualify(admin, lead)  # no process, no process checks


def test_an_instance_made_directly_needs_its_lead_and_starts_on_qualify(admin, system):
    error = refusal(lambda: admin.create(INSTANCES, {"name": "orphan"}))
    assert error.code == "0x80040200"
    assert error.message("en") == (
        "Required field missing: 'leadid' (Lead) on table 'leadtoopportunitysalesprocess' needs "
        "a value."
    )
    assert "« leadid » (Prospect)" in error.message("fr")
    lead = a_lead(admin)
    made = admin.create(INSTANCES, {"leadid": EntityReference("lead", lead)})
    assert stage_names(system, admin.retrieve(INSTANCES, made)) == ["Qualify"]


def test_finish_abandon_and_reactivate_check_write_on_the_stage_record(org, system):
    from leadgate.platform.processes.messages import (
        AbandonProcessRequest,
        FinishProcessRequest,
        ReactivateProcessRequest,
    )

    salesperson = org.service(add_user(system, "lou@test.example", role="Salesperson"))
    lead = a_lead(salesperson)
    reference = instance_of(salesperson, lead).to_reference()
    error = refusal(lambda: salesperson.execute(FinishProcessRequest(reference)))
    assert error.code == "0x8F4C4777"
    salesperson.execute(AbandonProcessRequest(reference))
    instance = salesperson.retrieve(INSTANCES, reference.id)
    assert (instance["statecode"], instance["statuscode"]) == (1, 3)
    assert instance["completedon"] is not None
    system.execute(RemovePrivilegeRoleRequest(role_reference(system, "Salesperson").id,
                                              "prvWriteLead"))  # fmt: skip
    error = refusal(lambda: salesperson.execute(ReactivateProcessRequest(reference)))
    assert error.code == "0x80040220" and "prvWriteLead" in error.message("en")
    system.execute(ReactivateProcessRequest(reference))
    assert system.retrieve(INSTANCES, reference.id)["statecode"] == 0


def test_the_record_of_the_active_stage_cannot_be_unlinked_but_deleting_it_moves_back(
    admin, system
):
    lead = a_lead(admin)
    opportunity = qualify(admin, lead).created_entities[-1]
    reference = instance_of(admin, lead).to_reference()
    error = refusal(lambda: admin.update(Entity(INSTANCES, reference.id, opportunityid=None)))
    assert error.code == "0x8F4C477B"
    assert error.message("en") == (
        "The process is on Develop, a stage of Opportunity: 'opportunityid' cannot be emptied "
        "while it is. Move the process back to an earlier stage first."
    )
    assert error.message("fr").startswith("Le processus est à l'étape Développer")
    admin.delete("opportunity", opportunity.id)
    instance = admin.retrieve(INSTANCES, reference.id)
    assert stage_names(system, instance) == ["Qualify"]
    assert instance["opportunityid"] is None and instance["statecode"] == 0
