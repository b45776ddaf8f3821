"""The audit trail over the Web API: changes made there say so, and administrators read the
whole trail as the ``audits`` entity set."""

from __future__ import annotations

import json

from leadgate.platform import EntityReference
from leadgate.platform.audit import AuditAction, RetrieveRecordChangeHistoryRequest
from leadgate.platform.engine.types import Interface
from tests.e2e.conftest import API
from tests.integration.test_qualification import a_lead


def test_a_web_api_change_records_its_interface_and_audits_are_readable(api, system) -> None:
    lead = a_lead(system)
    answer = api.patch(f"{API}/leads({lead})", json={"jobtitle": "Engineer"})
    assert answer.status_code == 204, answer.text
    request = RetrieveRecordChangeHistoryRequest(EntityReference("lead", lead))
    last = system.execute(request).audit_detail_collection[-1]
    assert last["action"] == AuditAction.UPDATE
    assert last["interface"] == Interface.WEB_API
    assert last["changedata"] == {"jobtitle": {"old": None, "new": "Engineer"}}
    answer = api.get(f"{API}/audits", params={"$filter": f"objectid eq {lead}"})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["value"]
    assert [row["action"] for row in rows] and {row["interface"] for row in rows} == {4, 1}


def test_the_history_function_answers_the_records_rows(api, system) -> None:
    lead = a_lead(system)
    target = json.dumps({"@odata.type": "Microsoft.Dynamics.CRM.lead", "leadid": str(lead)})
    answer = api.get(f"{API}/RetrieveRecordChangeHistory(Target=@t)", params={"@t": target})
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()["value"]
    assert row["action"] == AuditAction.CREATE
    assert row["changedata"]["subject"] == {"old": None, "new": "40 seats"}
    assert row["_objectid_value"] == str(lead)


def test_the_audit_table_is_read_only_over_the_web_api(api) -> None:
    answer = api.post(f"{API}/audits", json={"objecttypecode": "lead", "action": 1})
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "0x8F4C47E9"
