"""The qualification doctor (lg_DiagnoseQualify): for each of the seeds' causes, QualifyLead
fails, the diagnosis names exactly that cause with its evidence and fix (English and French),
the fix makes QualifyLead succeed, and the diagnosis of the healthy lead is empty."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, EntityReference, OrganizationService
from leadgate.platform.engine.context import Caller
from leadgate.platform.processes.messages import SetProcessStageRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import (
    AddPrivilegesRoleRequest,
    RemovePrivilegeRoleRequest,
    RolePrivilege,
)
from leadgate.platform.security.privileges import Depth
from leadgate.sales.diagnosis import Check, DiagnoseQualifyRequest, Outcome, to_json
from tests import sample_plugins
from tests.conftest import add_user, map_status_then_add_nurturing, role_reference
from tests.integration.test_process_flow import instance_of, require_step, stages
from tests.integration.test_qualification import a_lead, counts, qualify, refusal
from tests.integration.test_workflows import STOP, workflow

HANDLERS = "tests.sample_plugins:"


def diagnose(service, lead, **options):
    return service.execute(DiagnoseQualifyRequest(EntityReference("lead", lead), **options))


def outcomes(diagnosis) -> dict[Check, Outcome]:
    return {result.check: result.outcome for result in diagnosis.checks}


def only(diagnosis, check: Check):
    """The one finding of ``check``; every other check passed or was not reached."""
    (finding,) = [finding for finding in diagnosis.findings if finding.check is check]
    assert outcomes(diagnosis)[check] is Outcome.FAILED
    return finding


def healthy(service, lead, **options) -> None:
    diagnosis = diagnose(service, lead, **options)
    assert diagnosis.would_succeed, [f.cause("en") for f in diagnosis.findings]
    assert diagnosis.findings == ()
    assert Outcome.FAILED not in outcomes(diagnosis).values()


def salesperson(system) -> OrganizationService:
    user = add_user(system, f"sam{uuid.uuid4().hex[:6]}@test.example", role="Salesperson")
    return OrganizationService(system.organization, Caller.user(user))


def register(system, handler, *, message="Create", stage=20, table="opportunity", **more):
    return system.create("sdkmessageprocessingstep", {
        "name": more.pop("name", f"{handler} on {message} of {table}"), "messagename": message,
        "primaryentity": table, "stage": stage, "plugintypename": HANDLERS + handler, **more,
    })  # fmt: skip


def test_a_healthy_lead_has_no_finding_and_the_diagnosis_changes_nothing(admin, system):
    lead = a_lead(admin)
    before = (counts(system), admin.retrieve("lead", lead))
    diagnosis = diagnose(admin, lead)
    assert diagnosis.would_succeed and diagnosis.findings == ()
    assert set(outcomes(diagnosis).values()) == {Outcome.PASSED}
    assert [result.check for result in diagnosis.checks] == list(Check)
    assert (counts(system), admin.retrieve("lead", lead)) == before
    assert diagnosis.lead_id == lead and diagnosis.user_id == admin.user_id
    qualify(admin, lead)  # the dry run took nothing the real run needs


def test_a_closed_lead_says_who_closed_it_and_reactivating_fixes_it(admin, system):
    lead = a_lead(admin)
    admin.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))  # disqualified
    finding = only(diagnose(admin, lead), Check.LEAD_OPEN)
    assert finding.code == "0x8F4C4760"
    assert finding.cause("en").startswith("The lead is closed and you can't convert or qualify")
    assert finding.cause("fr").startswith("Le prospect est fermé et vous ne pouvez pas")
    evidence = finding.evidence_in("fr")
    assert evidence["closed_by"] == admin.retrieve("systemuser", admin.user_id)["fullname"]
    assert evidence["closed_on"] and evidence["state"] == "Disqualifié"
    assert finding.evidence_in("en")["state"] == "Disqualified"
    assert "Reactivate the lead" in finding.fix.in_language("en")
    assert "Réactivez le prospect" in finding.fix.in_language("fr")
    assert refusal(lambda: qualify(admin, lead)).code == finding.code
    admin.execute(SetStateRequest(EntityReference("lead", lead), 0, 1))
    healthy(admin, lead)
    qualify(admin, lead)


def test_empty_required_steps_are_named_and_filling_them_fixes_it(admin, system):
    require_step(system, "purchasetimeframe")
    require_step(system, "qualificationcomments")
    lead = a_lead(admin)
    finding = only(diagnose(admin, lead), Check.REQUIRED_STEPS)
    assert finding.code == "0x8006041a"
    assert finding.evidence_in("en")["steps"] == "Purchase Timeframe, Capture Summary"
    assert finding.evidence_in("fr")["steps"] == "Délai d'achat, Saisir le résumé"
    assert finding.cause("fr").startswith("Pour passer à l'étape suivante")
    assert finding.fix.in_language("en").startswith("Fill in Purchase Timeframe, Capture Summary")
    assert finding.fix.in_language("fr").startswith("Renseignez Délai d'achat, Saisir le résumé")
    assert refusal(lambda: qualify(admin, lead)).code == finding.code
    admin.update(Entity("lead", lead, purchasetimeframe=1, qualificationcomments="Ready"))
    healthy(admin, lead)
    qualify(admin, lead)


def test_an_active_stage_off_the_lead_names_the_stage_and_set_active_fixes_it(admin, system):
    lead = a_lead(admin)
    qualify(admin, lead)
    admin.execute(SetStateRequest(EntityReference("lead", lead), 0, 2))  # reactivated
    finding = only(diagnose(admin, lead), Check.ACTIVE_STAGE)
    assert finding.code == "0x80100002"
    evidence = finding.evidence_in("en")
    assert (evidence["stage"], evidence["lead_stage"]) == ("Develop", "Qualify")
    assert "choose Set Active" in finding.fix.in_language("en")
    assert "choisissez Définir actif" in finding.fix.in_language("fr")
    assert finding.cause("fr").startswith("L'étape active n'est pas sur l'entité de prospect.")
    instance = instance_of(admin, lead)
    admin.execute(SetProcessStageRequest(instance.to_reference(), EntityReference(
        "processstage", stages(system)["Qualify"])))  # fmt: skip
    healthy(admin, lead)
    qualify(admin, lead)


def test_duplicates_are_the_form_paths_and_linking_the_match_fixes_it(admin):
    existing = admin.create("account", name="Analytical Engines")
    lead = a_lead(admin)
    finding = only(diagnose(admin, lead), Check.DUPLICATES)
    assert finding.code == "0x80040333"
    (match,) = finding.evidence_in("en")["matches"]
    assert match["id"] == str(existing) and match["table"] == "account"
    assert match["rule"] == "Accounts with the same Account Name"
    assert finding.evidence_in("fr")["matches"][0]["rule"] == "Comptes avec le même nom de compte"
    assert "Existing Account" in finding.fix.in_language("en")
    assert "Compte existant" in finding.fix.in_language("fr")
    assert finding.cause("fr").startswith("Il peut déjà y avoir une correspondance")
    grid = diagnose(admin, lead, suppress_duplicate_detection=True)
    assert grid.would_succeed and outcomes(grid)[Check.DUPLICATES] is Outcome.NOT_CHECKED
    admin.update(Entity("lead", lead, parentaccountid=EntityReference("account", existing)))
    healthy(admin, lead)


def test_a_map_copying_an_invalid_status_names_the_map_and_removing_it_fixes_it(admin, system):
    map_id, _added = map_status_then_add_nurturing(system)
    lead = a_lead(admin, statuscode=100000000)
    finding = only(diagnose(admin, lead), Check.MAPS)
    assert finding.code == "0x80048408"
    assert finding.evidence_in("en") == {
        "map": "lead.statuscode -> opportunity.statuscode", "map_id": str(map_id),
        "column": "opportunity.statuscode", "value": 100000000,
    }  # fmt: skip
    assert f"leadgate maps remove {map_id}" in finding.fix.in_language("en")
    assert "Ajoutez la valeur 100000000 à opportunity.statuscode" in finding.fix.in_language("fr")
    assert finding.cause("fr").startswith("Erreur de code d'état non valide")
    assert refusal(lambda: qualify(admin, lead)).code == finding.code
    system.delete("attributemap", map_id)
    healthy(admin, lead)
    qualify(admin, lead)


def test_every_missing_privilege_is_reported_and_granting_them_fixes_it(system):
    sam = salesperson(system)
    lead = a_lead(sam)
    role = role_reference(system, "Salesperson").id
    for name in ("prvCreateOpportunity", "prvAppendToAccount"):
        system.execute(RemovePrivilegeRoleRequest(role, name))
    diagnosis = diagnose(sam, lead)
    found = [f for f in diagnosis.findings if f.check is Check.PRIVILEGES]
    assert [f.evidence_in("en")["privilege"] for f in found] == [
        "prvAppendToAccount", "prvCreateOpportunity"]  # fmt: skip
    assert {f.code for f in found} == {"0x80040220"}
    evidence = found[1].evidence_in("fr")
    assert evidence["roles"] == ["Salesperson"] and evidence["held"] == "Aucun"
    assert evidence["depth"] == "Utilisateur" and evidence["table"] == "opportunity"
    assert "--depth user" in found[1].fix.in_language("en")
    assert found[1].fix.in_language("fr").startswith("Ajoutez prvCreateOpportunity au niveau")
    assert found[1].cause("fr").startswith("Accès refusé ou autorisations insuffisantes")
    assert not diagnosis.would_succeed
    system.execute(AddPrivilegesRoleRequest(role, (
        RolePrivilege("prvCreateOpportunity", Depth.USER),
        RolePrivilege("prvAppendToAccount", Depth.USER),
    )))  # fmt: skip
    healthy(sam, lead)
    qualify(sam, lead)


def test_a_failing_plug_in_step_is_isolated_with_its_trace(admin, system):
    sample_plugins.SEEN.clear()
    step = register(system, "cancel", configuration="No opportunity today.", name="Gatekeeper")
    register(system, "note_dry_run", table="account", stage=40, name="Notes")
    lead = a_lead(admin)
    diagnosis = diagnose(admin, lead)
    finding = only(diagnosis, Check.CUSTOM_LOGIC)
    assert "No opportunity today." in finding.cause("en")
    evidence = finding.evidence_in("en")
    assert (evidence["step"], evidence["step_id"], evidence["message"], evidence["table"]) == (
        "Gatekeeper",
        str(step),
        "Create",
        "opportunity",
    )
    assert evidence["isolated"] == [{"name": "Gatekeeper", "id": str(step)}]
    assert (evidence["step_stage"], finding.evidence_in("fr")["step_stage"]) == (
        "Pre-operation", "Pré-opération")  # fmt: skip
    assert evidence["user"] == admin.retrieve("systemuser", admin.user_id)["fullname"]
    assert f"leadgate plugins disable {step}" in finding.fix.in_language("en")
    assert "désactivez l'étape « Gatekeeper »" in finding.fix.in_language("fr")
    ran = [(run.name, run.table, run.succeeded) for run in diagnosis.trace]
    assert ran == [("Notes", "account", True), ("Gatekeeper", "opportunity", False)]
    assert all(call["dry_run"] for call in sample_plugins.SEEN)  # plug-ins can tell
    assert system.retrieve_multiple_all("plugintracelog") == []  # traces are reported only
    system.set_state("sdkmessageprocessingstep", step, 1)  # the fix: disable the step
    healthy(admin, lead)
    sample_plugins.SEEN.clear()
    qualify(admin, lead)
    assert [call["dry_run"] for call in sample_plugins.SEEN] == [False]


def test_a_step_that_leaves_a_bad_value_is_found_by_leaving_it_out(admin, system):
    step = register(system, "overlong_name", table="account", name="Shouting names")
    register(system, "note_dry_run", table="contact", stage=40, name="Harmless")
    lead = a_lead(admin)
    finding = only(diagnose(admin, lead), Check.CUSTOM_LOGIC)
    assert finding.code == "0x80044331"  # the length refusal, raised after the step ran
    assert finding.evidence_in("en")["step"] == "Shouting names"
    assert finding.evidence_in("en")["isolated"] == [{"name": "Shouting names", "id": str(step)}]


def test_a_failing_real_time_workflow_is_named_and_deactivating_it_fixes_it(admin, system):
    stop = workflow(system, name="Freeze opportunities", table="opportunity",
                    trigger={"create": True}, steps=[STOP])  # fmt: skip
    lead = a_lead(admin)
    diagnosis = diagnose(admin, lead)
    finding = only(diagnosis, Check.CUSTOM_LOGIC)
    assert finding.code == "0x8F4C47F1"
    assert "Les opportunités sont gelées ce trimestre." in finding.cause("fr")
    assert finding.evidence_in("fr")["kind"] == "workflow"
    assert f"leadgate workflows deactivate {stop}" in finding.fix.in_language("en")
    assert "Désactivez le workflow « Freeze opportunities »" in finding.fix.in_language("fr")
    assert [run.kind for run in diagnosis.trace] == ["workflow"]
    system.set_state("workflow", stop, 0, 1)
    healthy(admin, lead)
    qualify(admin, lead)


def test_several_causes_are_all_reported(admin, system):
    require_step(system, "purchasetimeframe")
    map_status_then_add_nurturing(system)
    lead = a_lead(admin, statuscode=100000000)
    admin.execute(SetStateRequest(EntityReference("lead", lead), 2, 4))
    diagnosis = diagnose(admin, lead)
    assert [f.code for f in diagnosis.findings] == ["0x8F4C4760", "0x8006041a", "0x80048408"]
    assert outcomes(diagnosis)[Check.CUSTOM_LOGIC] is Outcome.NOT_CHECKED
    body = to_json(diagnosis, "fr")
    assert body["WouldSucceed"] is False
    assert [f["Code"] for f in body["Findings"]] == ["0x8F4C4760", "0x8006041a", "0x80048408"]
    assert body["Checks"][-2]["Note"].startswith("Non vérifié : l'essai s'est arrêté à 0x8F4C4760")
    assert body["Checks"][-1]["Outcome"] == "not_checked"  # nothing else is known either


def test_diagnosing_for_another_user_needs_the_privilege_to_act_for_them(admin, system):
    sam = salesperson(system)
    lead = a_lead(sam)
    diagnosis = diagnose(admin, lead, user_id=sam.user_id)
    assert diagnosis.would_succeed and diagnosis.user_id == sam.user_id
    mine = a_lead(admin)
    as_sam = diagnose(admin, mine, user_id=sam.user_id)  # sam may not touch the admin's lead
    assert {f.code for f in as_sam.findings} >= {"0x80048306"}
    error = refusal(lambda: diagnose(sam, lead, user_id=admin.user_id))
    assert error.code == "0x80040220" and "prvActOnBehalfOfAnotherUser" in error.message("fr")
    assert refusal(lambda: diagnose(admin, lead, user_id=uuid.uuid4())).code == "0x80040217"
    assert refusal(lambda: diagnose(admin, uuid.uuid4())).code == "0x80040217"


@pytest.mark.parametrize("options", [{}, {"create_opportunity": False, "create_account": False}])
def test_the_diagnosis_agrees_with_qualify_lead(admin, options):
    lead = a_lead(admin)
    assert diagnose(admin, lead, **options).would_succeed
    created = qualify(admin, lead, **options).created_entities
    assert len(created) == (3 if not options else 1)
    finding = only(diagnose(admin, lead, **options), Check.LEAD_OPEN)
    assert finding.code == refusal(lambda: qualify(admin, lead, **options)).code


# --- one-click fixes ---------------------------------------------------------------------------


def apply_all(service, diagnosis) -> list[str]:
    """Apply every remedy offered (as the caller), as the lead form's buttons would."""
    applied = []
    for finding in diagnosis.findings:
        for remedy in finding.remedies:
            service.execute(remedy.request)
            applied.append(remedy.label.in_language("en"))
    return applied


def test_an_administrator_fixes_each_kind_of_cause_in_one_click(admin, system):
    require_step(system, "purchasetimeframe")
    map_id, _added = map_status_then_add_nurturing(system)
    step = register(system, "cancel", name="Gatekeeper")
    lead = a_lead(admin, statuscode=100000000)
    diagnosis = diagnose(admin, lead)
    labels = [remedy.label.in_language("en") for f in diagnosis.findings for remedy in f.remedies]
    assert labels == ["Make the step Purchase Timeframe optional",
                      "Add 100000000 (Nurturing) to opportunity.statuscode and publish",
                      "Remove the map lead.statuscode -> opportunity.statuscode"]  # fmt: skip
    _add, remedy = only(diagnosis, Check.MAPS).remedies
    assert remedy.confirm.in_language("fr").startswith("La qualification des prospects ne copiera")
    apply_all(admin, diagnosis)
    assert system.retrieve_multiple("attributemap", attributemapid=map_id).entities == []
    diagnosis = diagnose(admin, lead)  # the plug-in is reached now
    assert [r.label.in_language("fr") for r in only(diagnosis, Check.CUSTOM_LOGIC).remedies] == [
        "Désactiver l'étape de plug-in Gatekeeper"]  # fmt: skip
    apply_all(admin, diagnosis)
    assert system.retrieve("sdkmessageprocessingstep", step)["statecode"] == 1
    healthy(admin, lead)
    qualify(admin, lead)


def test_a_workflow_is_deactivated_in_one_click(admin, system):
    stop = workflow(system, name="Freeze opportunities", table="opportunity",
                    trigger={"create": True}, steps=[STOP])  # fmt: skip
    lead = a_lead(admin)
    applied = apply_all(admin, diagnose(admin, lead))
    assert applied == ["Deactivate the workflow Freeze opportunities"]
    assert system.retrieve("workflow", stop)["statecode"] == 0
    healthy(admin, lead)


def test_privileges_are_granted_in_one_click_by_an_administrator_only(admin, system):
    sam = salesperson(system)
    lead = a_lead(sam)
    role = role_reference(system, "Salesperson").id
    system.execute(RemovePrivilegeRoleRequest(role, "prvCreateOpportunity"))
    own = only(diagnose(sam, lead), Check.PRIVILEGES)
    assert own.remedies == ()  # a Salesperson may not change roles: the fix is not theirs
    for_sam = diagnose(admin, lead, user_id=sam.user_id)
    (remedy,) = only(for_sam, Check.PRIVILEGES).remedies
    assert remedy.label.in_language("en") == (
        "Grant prvCreateOpportunity at User depth to the role Salesperson"
    )
    assert "Every user and team with the role Salesperson" in remedy.confirm.in_language("en")
    assert to_json(for_sam, "fr")["Findings"][0]["Remedies"][0]["Label"] == (
        "Accorder prvCreateOpportunity au niveau Utilisateur au rôle Salesperson"
    )
    apply_all(admin, for_sam)
    healthy(sam, lead)
    qualify(sam, lead)


def test_a_database_made_before_the_privilege_existed_can_grant_it(org, system, admin):
    with org.engine.begin() as connection:  # as on a database of an earlier version
        connection.execute(sa.text("DELETE FROM privilege WHERE name = :name"),
                           {"name": "prvActOnBehalfOfAnotherUser"})  # fmt: skip
    manager = add_user(system, f"max{uuid.uuid4().hex[:6]}@test.example", role="Sales Manager")
    role = role_reference(system, "Sales Manager").id
    system.execute(AddPrivilegesRoleRequest(role, (
        RolePrivilege("prvActOnBehalfOfAnotherUser", Depth.ORGANIZATION),)))  # fmt: skip
    sam = salesperson(system)
    lead = a_lead(sam)
    as_manager = OrganizationService(org, Caller.user(manager))
    assert diagnose(as_manager, lead, user_id=sam.user_id).user_id == sam.user_id


def test_options_qualify_lead_refuses_are_reported_as_its_refusals(admin, system):
    lead = a_lead(admin)
    other = instance_of(admin, a_lead(admin)).to_reference()
    diagnosis = diagnose(admin, lead, process_instance_id=other, status=999)
    assert not diagnosis.would_succeed
    finding = only(diagnosis, Check.OTHER)
    assert finding.code == refusal(lambda: qualify(admin, lead, status=999)).code
    assert finding.cause("fr") and finding.fix.in_language("fr") == (
        "Lisez l'erreur : elle indique quoi changer.")  # fmt: skip


def test_the_missing_choice_value_is_added_to_the_target_in_one_click(admin, system):
    map_status_then_add_nurturing(system)
    lead = a_lead(admin, statuscode=100000000)
    add, _remove = only(diagnose(admin, lead), Check.MAPS).remedies
    assert add.label.in_language("fr") == (
        "Ajouter 100000000 (En maturation) à opportunity.statuscode et publier"
    )
    admin.execute(add.request)
    healthy(admin, lead)
    opportunity = qualify(admin, lead).created_entities[-1]
    assert system.retrieve("opportunity", opportunity.id)["statuscode"] == 100000000
