"""The audit trail: one row per change of an audited table, written in the change's own
transaction, read by those who may read the record."""

from __future__ import annotations

import json
import uuid

import pytest

from leadgate.platform import Entity, EntityReference, LeadgateError, Organization
from leadgate.platform.audit import (
    AuditAction,
    RetrieveRecordChangeHistoryRequest,
    UpdateEntityRequest,
)
from leadgate.platform.audit.errors import AUDIT_READ_ONLY, RECORD_HISTORY_DENIED
from leadgate.platform.customization.upgrades import UpgradeSolutionRequest
from leadgate.platform.engine.types import Interface, Language
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.state import AssignRequest, SetStateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.security.privileges import Right
from leadgate.platform.security.sharing import (
    GrantAccessRequest,
    ModifyAccessRequest,
    PrincipalAccess,
    RevokeAccessRequest,
)
from leadgate.sales import solution
from leadgate.sales.qualify import QualifyLeadRequest
from tests.conftest import ADMIN_ID, add_user
from tests.integration.test_qualification import a_lead


def history(service, table: str, record: uuid.UUID) -> list[Entity]:
    request = RetrieveRecordChangeHistoryRequest(EntityReference(table, record))
    return service.execute(request).audit_detail_collection


def actions(service, table: str, record: uuid.UUID) -> list[int]:
    return [row["action"] for row in history(service, table, record)]


def test_a_leads_life_is_written_with_old_and_new_values(org: Organization, admin) -> None:
    ann = add_user(admin, "ann@test.example", role="Salesperson", last_name="Ann")
    lead = a_lead(admin, lastname="Lovelace")
    admin.update(Entity("lead", lead, lastname="Byron", jobtitle="Countess"))
    admin.execute(AssignRequest(EntityReference("lead", lead), EntityReference("systemuser", ann)))
    rows = history(admin, "lead", lead)
    assert [row["action"] for row in rows] == [AuditAction.CREATE, AuditAction.UPDATE,
                                               AuditAction.ASSIGN]  # fmt: skip
    created, updated, assigned = rows
    assert created["changedata"]["lastname"] == {"old": None, "new": "Lovelace"}
    assert updated["changedata"] == {
        "lastname": {"old": "Lovelace", "new": "Byron"},
        "jobtitle": {"old": None, "new": "Countess"},
    }
    assert updated["userid"].id == ADMIN_ID and updated["userid"].name
    assert assigned["changedata"]["ownerid"]["old"]["id"] == f"systemuser:{ADMIN_ID}"
    assert assigned["changedata"]["ownerid"]["new"]["id"] == f"systemuser:{ann}"
    assert created["transactionid"] != updated["transactionid"]
    assert created["interface"] == Interface.PYTHON


def test_qualify_disqualify_and_delete(admin) -> None:
    qualified = a_lead(admin)
    admin.execute(QualifyLeadRequest(EntityReference("lead", qualified), create_account=True,
                                     create_contact=False, create_opportunity=False))  # fmt: skip
    assert AuditAction.QUALIFY in actions(admin, "lead", qualified)
    dropped = a_lead(admin, emailaddress1="other@ae.example", lastname="Other")
    admin.execute(SetStateRequest(EntityReference("lead", dropped), 2))
    row = history(admin, "lead", dropped)[-1]
    assert row["action"] == AuditAction.DISQUALIFY
    assert row["changedata"]["statecode"] == {"old": 0, "new": 2}
    admin.delete("lead", dropped)
    assert actions(admin, "lead", dropped)[-1] == AuditAction.DELETE


def test_a_refused_update_writes_nothing(org: Organization, admin) -> None:
    add_user(admin, "ann@test.example", role="Salesperson", last_name="Ann")
    lead = a_lead(admin)
    with pytest.raises(LeadgateError):
        org.service("ann@test.example").update(Entity("lead", lead, lastname="Nope"))
    with pytest.raises(LeadgateError):  # a failed update: the whole transaction rolls back
        admin.update(Entity("lead", lead, lastname="x" * 500))
    assert actions(admin, "lead", lead) == [AuditAction.CREATE]


def test_the_trail_written_at_the_commit_is_read_within_its_own_transaction(admin) -> None:
    # Audit rows are written together at the commit; a read in the same transaction must
    # still see those of the records it just changed, in order.
    lead = uuid.uuid4()
    responses = admin.execute(ExecuteTransactionRequest((
        CreateRequest(Entity("lead", lead, subject="x", lastname="Lovelace")),
        UpdateRequest(Entity("lead", lead, lastname="Byron")),
        RetrieveRecordChangeHistoryRequest(EntityReference("lead", lead)),
        UpdateRequest(Entity("lead", lead, jobtitle="Countess")),
    ))).responses  # fmt: skip
    seen = responses[2].audit_detail_collection
    assert [row["action"] for row in seen] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert actions(admin, "lead", lead) == [AuditAction.CREATE, AuditAction.UPDATE,
                                            AuditAction.UPDATE]  # fmt: skip


def test_the_history_is_read_at_the_records_depth(org: Organization, admin, system) -> None:
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    far = EntityReference("businessunit", system.create(
        "businessunit", name="Far", parentbusinessunitid=root.to_reference()))  # fmt: skip
    add_user(admin, "ann@test.example", role="Salesperson", last_name="Ann")
    add_user(admin, "zoe@test.example", role="Salesperson", last_name="Zoe", unit=far)
    ann, zoe = org.service("ann@test.example"), org.service("zoe@test.example")
    own = a_lead(ann)
    assert actions(ann, "lead", own) == [AuditAction.CREATE]
    with pytest.raises(LeadgateError) as refused:
        history(zoe, "lead", own)
    assert refused.value.code == RECORD_HISTORY_DENIED.code
    assert "prvReadRecordAuditHistory" in refused.value.message(Language.ENGLISH)
    assert "l'historique des modifications" in refused.value.message(Language.FRENCH)
    with pytest.raises(LeadgateError):  # the whole trail is for administrators
        ann.retrieve_multiple("audit")
    assert admin.retrieve_multiple("audit", objectid=own)


def test_not_audited_tables_write_nothing_and_audit_is_read_only(admin) -> None:
    before = len(admin.retrieve_multiple("audit"))
    admin.create("transactioncurrency", currencyname="Franc", isocurrencycode="CHF",
                 currencysymbol="Fr", exchangerate=1)  # fmt: skip
    assert len(admin.retrieve_multiple("audit")) == before
    with pytest.raises(LeadgateError) as refused:
        admin.create("audit", objectid=uuid.uuid4(), objecttypecode="lead", action=1,
                     operation=1)  # fmt: skip
    assert refused.value.code == AUDIT_READ_ONLY.code


def test_auditing_is_turned_off_and_on_per_table(org: Organization, admin) -> None:
    admin.execute(UpdateEntityRequest("lead", is_audit_enabled=False))
    quiet = a_lead(admin)
    assert actions(admin, "lead", quiet) == []
    admin.execute(UpdateEntityRequest("lead", is_audit_enabled=True))
    admin.update(Entity("lead", quiet, lastname="Heard"))
    assert actions(admin, "lead", quiet) == [AuditAction.UPDATE]
    admin.execute(UpdateEntityRequest("contact", is_audit_enabled=True))
    assert org.metadata().table("contact").is_audit_enabled


def test_the_cli_records_its_interface_and_prints_the_history(cli, admin) -> None:
    lead = a_lead(admin)
    cli("leads", "disqualify", str(lead), "--reason", "4")
    last = history(admin, "lead", lead)[-1]
    assert (last["action"], last["interface"]) == (AuditAction.DISQUALIFY, Interface.CLI)
    out = cli("audit", "lead", str(lead))
    assert "Disqualify" in out and "CLI" in out and "statecode: 0 -> 2" in out
    rows = json.loads(cli("audit", "lead", str(lead), "--json"))
    assert [row["action"] for row in rows] == [AuditAction.CREATE, AuditAction.DISQUALIFY]


def test_an_upgrade_keeps_an_administrators_choice(org: Organization, admin, system) -> None:
    """Upgrading turns on auditing only where the database never set it."""
    admin.execute(UpdateEntityRequest("lead", is_audit_enabled=False))
    response = system.execute(UpgradeSolutionRequest(solution.definition(), 7, dry_run=True))
    assert not [str(step) for step in response.steps if "auditing" in str(step)]
    assert not org.metadata().table("lead").is_audit_enabled


def test_sharing_is_written(admin) -> None:
    ann = EntityReference("systemuser", add_user(admin, "ann@test.example", role="Salesperson"))
    lead = EntityReference("lead", a_lead(admin))
    admin.execute(GrantAccessRequest(lead, PrincipalAccess(ann, Right.READ)))
    admin.execute(ModifyAccessRequest(lead, PrincipalAccess(ann, Right.READ | Right.WRITE)))
    admin.execute(RevokeAccessRequest(lead, ann))
    rows = history(admin, "lead", lead.id)
    assert [row["action"] for row in rows[1:]] == [
        AuditAction.SHARE, AuditAction.MODIFY_SHARE, AuditAction.UNSHARE,
    ]  # fmt: skip
    assert rows[2]["changedata"]["sharing"]["new"] == {
        "principal": {"id": f"systemuser:{ann.id}"}, "accessmask": 3,
    }  # fmt: skip
