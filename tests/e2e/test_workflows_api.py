"""Workflows through the Web API's generic routes: the ``workflows`` entity set, filtered by
category (0 workflows, 4 process flows), created as drafts and activated by PATCHing statecode."""

from __future__ import annotations

import json

import pytest

API = "/api/data/v9.2"
DEFINITION = {
    "name": "Big leads", "uniquename": "lg_wf_big_leads", "category": 0,
    "primaryentity": "lead", "mode": 1, "scope": 4, "runas": 1, "triggeroncreate": True,
    "clientdata": json.dumps({"steps": [
        {"update": "target", "values": {"description": "seen by a workflow"}}]}),
}  # fmt: skip


@pytest.mark.interface_only  # the checks are the pipeline's, tested on both databases elsewhere
def test_workflows_entity_set_with_category_filter(api):
    made = api.post(f"{API}/workflows", json=DEFINITION)
    assert made.status_code == 204, made.text
    url = made.headers["OData-EntityId"]
    found = api.get(f"{API}/workflows", params={"$filter": "category eq 0", "$select": "name"})
    assert [row["name"] for row in found.json()["value"]] == ["Big leads"]
    flows = api.get(f"{API}/workflows", params={"$filter": "category eq 4", "$select": "name"})
    assert "Big leads" not in [row["name"] for row in flows.json()["value"]]
    assert api.patch(url, json={"statecode": 1, "statuscode": 2}).status_code == 204
    lead = api.post(f"{API}/leads", json={"lastname": "Seen", "subject": "x"})
    seen = api.get(lead.headers["OData-EntityId"], params={"$select": "description"})
    assert seen.json()["description"] == "seen by a workflow"


@pytest.mark.interface_only
def test_a_bad_definition_is_a_coded_400(api):
    bad = {
        **DEFINITION,
        "uniquename": "lg_wf_bad",
        "clientdata": json.dumps({"steps": [{"update": "target", "values": {"nope": 1}}]}),
    }
    answer = api.post(f"{API}/workflows", json=bad)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "0x8F4C47F0"
