"""A process instance belongs to whoever works its record: made for someone else, or given
to someone else, the record brings its instance along, so its owner sees the process bar."""

from __future__ import annotations

from leadgate.platform import Entity, EntityReference
from leadgate.platform.processes.retrieve import RetrieveProcessInstancesRequest
from tests.conftest import add_user


def _instance_owner(system, lead_id):
    rows = system.retrieve_multiple("leadtoopportunitysalesprocess", leadid=lead_id)
    assert len(rows.entities) == 1
    return rows.entities[0]["ownerid"].id


def test_a_lead_made_for_a_salesperson_brings_its_process_along(org, system):
    seller = add_user(system, "seller@test.example", role="Salesperson")
    lead = system.create(
        Entity(
            "lead",
            None,
            subject="For Sam",
            lastname="Buyer",
            ownerid=EntityReference("systemuser", seller),
        )
    )
    assert _instance_owner(system, lead) == seller
    answer = org.service(seller).execute(
        RetrieveProcessInstancesRequest(EntityReference("lead", lead))
    )
    assert answer.active is not None


def test_assigning_a_lead_gives_its_process_to_the_new_owner(org, system):
    first = add_user(system, "first@test.example", role="Salesperson")
    second = add_user(system, "second@test.example", role="Salesperson")
    lead = org.service(first).create("lead", subject="Handover", lastname="Buyer")
    assert _instance_owner(system, lead) == first
    system.assign("lead", lead, EntityReference("systemuser", second))
    assert _instance_owner(system, lead) == second
    answer = org.service(second).execute(
        RetrieveProcessInstancesRequest(EntityReference("lead", lead))
    )
    assert answer.active is not None
