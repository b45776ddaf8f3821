"""ExecuteChangeSet: messages known one at a time (a $batch change set, docs/batch.md) run as
the caller in one transaction, committed together or not at all."""

from __future__ import annotations

import uuid

import pytest

from leadgate.platform import Entity, OrganizationService
from leadgate.platform.engine import errors
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.records.transaction import ExecuteChangeSetRequest
from tests.conftest import add_user


def _accounts(service: OrganizationService, name: str) -> list[str]:
    return [e["name"] for e in service.retrieve_multiple("account", name=name).entities]


def test_each_message_sees_the_one_before_and_all_commit_together(admin: OrganizationService):
    name = f"Change set {uuid.uuid4().hex[:8]}"
    seen: list[str] = []

    def work(service: OrganizationService) -> uuid.UUID:
        account = service.create("account", name=name)
        seen.append(service.retrieve("account", account, ["name"])["name"])
        service.create("contact", lastname="Inside", parentcustomerid=Entity(
            "account", account).to_reference())  # fmt: skip
        return account

    account = admin.execute(ExecuteChangeSetRequest(work)).result
    assert seen == [name]
    assert _accounts(admin, name) == [name]
    contacts = admin.retrieve_multiple("contact", parentcustomerid=account).entities
    assert [c["lastname"] for c in contacts] == ["Inside"]


def test_a_failure_rolls_back_every_message_of_the_change_set(admin: OrganizationService):
    name = f"Rolled back {uuid.uuid4().hex[:8]}"

    def work(service: OrganizationService) -> None:
        account = service.create("account", name=name)
        service.delete("account", account)
        service.delete("account", account)  # no longer there

    with pytest.raises(LeadgateError) as refused:
        admin.execute(ExecuteChangeSetRequest(work))
    assert refused.value.code == errors.RECORD_NOT_FOUND.code
    assert _accounts(admin, name) == []


def test_its_messages_are_authorized_as_the_caller(org, system: OrganizationService):
    reader = org.service(add_user(system, f"{uuid.uuid4().hex[:8]}@test.example", role=None))
    with pytest.raises(LeadgateError) as refused:
        reader.execute(ExecuteChangeSetRequest(lambda s: s.create("account", name="No")))
    assert refused.value.code == "0x80040220"  # missing privilege (REFERENCE §8)
