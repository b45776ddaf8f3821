"""RetrieveProcessInstances: which process a record follows, where it is, and what it passed
(what a process bar shows), on the lead and on the opportunity it produced."""

from __future__ import annotations

import uuid

from leadgate.platform import Entity, EntityReference
from leadgate.platform.processes.messages import AbandonProcessRequest
from leadgate.platform.processes.retrieve import RetrieveProcessInstancesRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.messages import RemovePrivilegeRoleRequest
from tests.conftest import add_user, role_reference
from tests.integration.test_process_flow import INSTANCES, instance_of
from tests.integration.test_qualification import a_lead, qualify, refusal

PROCESS = "Lead to Opportunity Sales Process"


def instances(service, table: str, record: uuid.UUID):
    return service.execute(RetrieveProcessInstancesRequest(EntityReference(table, record)))


def test_a_new_lead_follows_the_process_on_qualify(admin, system):
    lead = a_lead(admin)
    found = instances(admin, "lead", lead)
    (instance,) = found.instances
    assert found.active is instance and instance.is_active
    assert instance.id == instance_of(admin, lead).id and instance.table == INSTANCES
    assert instance.process.name.en == PROCESS
    assert instance.process.name.in_language("fr") == "Processus de vente Prospect vers opportunité"
    assert [stage.name.en for stage in instance.process.stages] == [
        "Qualify", "Develop", "Propose", "Close",
    ]  # fmt: skip
    assert instance.active.name.en == "Qualify" and instance.active.table == "lead"
    assert [stage.name.en for stage in instance.visited] == ["Qualify"]
    assert instance.record_of(system.organization.metadata(), instance.active) == (
        EntityReference("lead", lead)
    )


def test_the_lead_and_its_opportunity_follow_the_same_instance(admin, system):
    lead = a_lead(admin)
    opportunity = qualify(admin, lead).created_entities[-1]
    on_lead = instances(admin, "lead", lead).active
    on_opportunity = instances(admin, "opportunity", opportunity.id).active
    assert on_lead is not None and on_opportunity is not None
    assert on_lead.id == on_opportunity.id
    assert on_opportunity.active.name.en == "Develop"
    assert [stage.name.en for stage in on_opportunity.visited] == ["Qualify", "Develop"]
    metadata = system.organization.metadata()
    assert on_lead.record_of(metadata, on_lead.active).id == opportunity.id

    # Reactivated, the lead still follows the instance on Develop (REFERENCE §3: the
    # "Active stage is not on Lead entity" case).
    admin.execute(SetStateRequest(EntityReference("lead", lead), 0, 2))
    assert instances(admin, "lead", lead).active.active.table == "opportunity"


def test_active_instances_come_first_newest_first(admin, system):
    lead = a_lead(admin)
    first = instance_of(admin, lead).to_reference()
    admin.execute(AbandonProcessRequest(first))
    assert instances(admin, "lead", lead).active is None
    process = system.retrieve_multiple("workflow", uniquename=INSTANCES)[0]
    second = admin.create(INSTANCES, {
        "processid": EntityReference("workflow", process.id),
        "leadid": EntityReference("lead", lead),
    })  # fmt: skip
    found = instances(admin, "lead", lead)
    assert [instance.id for instance in found.instances] == [second, first.id]
    assert found.active is not None and found.active.id == second
    assert found.instances[1].row["statuscode"] == 3  # Aborted


def test_a_record_without_a_process_has_none(admin):
    account = admin.create("account", {"name": "Contoso"})
    assert instances(admin, "account", account).instances == ()
    assert instances(admin, "account", account).active is None


def test_the_instances_are_those_the_user_may_read(org, system):
    salesperson = org.service(add_user(system, "sam@test.example", role="Salesperson"))
    lead = a_lead(salesperson)
    assert instances(salesperson, "lead", lead).active is not None
    system.execute(RemovePrivilegeRoleRequest(
        role_reference(system, "Salesperson").id, "prvReadLeadToOpportunitySalesProcess"
    ))  # fmt: skip
    assert instances(salesperson, "lead", lead).instances == ()

    system.execute(RemovePrivilegeRoleRequest(
        role_reference(system, "Salesperson").id, "prvReadLead"
    ))  # fmt: skip
    error = refusal(lambda: instances(salesperson, "lead", lead))
    assert error.code == "0x80040220" and "prvReadLead" in error.message("en")


def test_an_unknown_record_says_so(admin):
    missing = uuid.uuid4()
    error = refusal(lambda: instances(admin, "lead", missing))
    assert error.code == "0x80040217" and str(missing) in error.message("en")


def test_an_instance_read_back_keeps_its_row(admin):
    lead = a_lead(admin)
    admin.update(Entity("lead", lead, purchasetimeframe=1))
    (instance,) = instances(admin, "lead", lead).instances
    assert instance.row["leadid"].id == lead and instance.row["name"] == PROCESS
