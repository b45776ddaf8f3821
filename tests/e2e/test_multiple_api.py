"""The bulk actions as Microsoft's SDK sends them (CLIENTS.md §1, items 8 and 9):
``POST /<set>/Microsoft.Dynamics.CRM.CreateMultiple`` with ``{"Targets": [...]}`` (each target
naming its type, without ``#``) answers ``{"Ids": [...]}``; UpdateMultiple 204; UpsertMultiple
its results. The messages themselves are tested in tests/integration/test_multiple.py."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import API, assert_error

pytestmark = pytest.mark.interface_only
TYPE = "Microsoft.Dynamics.CRM.lead"


def test_create_update_and_upsert_multiple_as_the_sdk_sends_them(api):
    targets = [{"lastname": f"Bulk {n}", "subject": f"bulk {n}", "@odata.type": TYPE}
               for n in range(3)]  # fmt: skip
    created = api.post(f"{API}/leads/Microsoft.Dynamics.CRM.CreateMultiple",
                       json={"Targets": targets})  # fmt: skip
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["@odata.context"].endswith(
        "$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse"
    )
    ids = body["Ids"]
    assert [api.get(f"{API}/leads({i})?$select=lastname").json()["lastname"] for i in ids] == [
        "Bulk 0", "Bulk 1", "Bulk 2"]  # fmt: skip

    changed = api.post(f"{API}/leads/Microsoft.Dynamics.CRM.UpdateMultiple", json={"Targets": [
        {"leadid": i, "subject": "changed", "@odata.type": TYPE} for i in ids]})  # fmt: skip
    assert changed.status_code == 204, changed.text
    assert api.get(f"{API}/leads({ids[0]})?$select=subject").json()["subject"] == "changed"

    new = str(uuid.uuid4())
    upserted = api.post(f"{API}/leads/Microsoft.Dynamics.CRM.UpsertMultiple", json={"Targets": [
        {"@odata.id": f"leads({ids[1]})", "subject": "upserted", "@odata.type": TYPE},
        {"leadid": new, "lastname": "New", "subject": "new", "@odata.type": f"#{TYPE}"},
    ]})  # fmt: skip
    assert upserted.status_code == 200, upserted.text
    results = upserted.json()["Results"]
    assert [(r["RecordCreated"], r["Target"]["leadid"]) for r in results] == [
        (False, ids[1]), (True, new)]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "0x80048d19"),
        ({"Targets": "leads"}, "0x80048d19"),
        ({"Targets": [1]}, "0x80048d19"),
        ({"Targets": []}, "0x8F4C47F6"),
        ({"Targets": [{"name": "Fabrikam", "@odata.type": "Microsoft.Dynamics.CRM.account"}]},
         "0x8F4C47F7"),
        ({"Targets": [{"lastname": "X"}], "Extra": 1}, "0x80048d19"),
        ({"Targets": [{"@odata.id": "accounts(00000000-0000-4000-8000-000000000001)",
                       "lastname": "X"}]}, "0x8F4C47F7"),
    ],
)  # fmt: skip
def test_bad_bulk_bodies_are_coded_errors(api, body, code):
    assert_error(api.post(f"{API}/leads/Microsoft.Dynamics.CRM.CreateMultiple", json=body), 400,
                 code)  # fmt: skip
