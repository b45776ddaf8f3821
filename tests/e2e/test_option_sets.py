"""Global choices (``GlobalOptionSetDefinitions``) and the ``GlobalOptionSet`` of a choice
column: the qualification choices lead and opportunity share, as Dataverse declares them
global, labelled in English and French. Metadata is the same on both databases: SQLite alone."""

from __future__ import annotations

import pytest

from leadgate.platform.engine.errors import RECORD_NOT_FOUND
from tests.e2e.conftest import API, in_both_languages

pytestmark = pytest.mark.interface_only
SETS = f"{API}/GlobalOptionSetDefinitions"


def _labels(option_set: dict) -> dict[int, list[str]]:
    return {
        option["Value"]: [item["Label"] for item in option["Label"]["LocalizedLabels"]]
        for option in option_set["Options"]
    }


def test_global_choices_are_listed_and_read_by_name_or_id(api):
    response = api.get(SETS, params={"$select": "Name,IsGlobal"})
    assert response.status_code == 200, response.text
    rows = response.json()["value"]
    assert sorted(row["Name"] for row in rows) == [
        "budgetstatus", "need", "purchaseprocess", "purchasetimeframe",
    ]  # fmt: skip
    assert all(row["IsGlobal"] for row in rows)
    budget = api.get(f"{SETS}(Name='budgetstatus')", headers={"Accept-Language": "fr"}).json()
    assert budget["OptionSetType"] == "Picklist"
    assert _labels(budget)[3] == ["Will Buy", "Achètera"]
    by_id = api.get(f"{SETS}({budget['MetadataId']})").json()
    assert by_id["Name"] == "budgetstatus"
    filtered = api.get(SETS, params={"$filter": "Name eq 'need'"}).json()["value"]
    assert [row["Name"] for row in filtered] == ["need"]


def test_a_choice_column_navigates_to_its_global_choice(api):
    found: dict[str, dict] = {}
    for table in ("opportunity", "lead"):
        columns = api.get(
            f"{API}/EntityDefinitions(LogicalName='{table}')/Attributes"
            "/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
            params={"$select": "LogicalName", "$expand": "GlobalOptionSet"},
        ).json()["value"]
        found = {row["LogicalName"]: row["GlobalOptionSet"] for row in columns}
        assert found["purchasetimeframe"]["Name"] == "purchasetimeframe"
        assert _labels(found["purchasetimeframe"])[0][0] == "Immediate"
    assert found["leadsourcecode"] is None  # the lead's own choice: no global set
    local = api.get(
        f"{API}/EntityDefinitions(LogicalName='lead')/Attributes"
        "/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        params={"$select": "LogicalName", "$expand": "OptionSet"},
    ).json()["value"]
    option_sets = {row["LogicalName"]: row["OptionSet"] for row in local}
    assert (option_sets["leadsourcecode"]["Name"], option_sets["leadsourcecode"]["IsGlobal"]) == (
        "lead_leadsourcecode",
        False,
    )
    assert option_sets["need"]["IsGlobal"] is True


def test_an_unknown_global_choice_is_refused_in_both_languages(api):
    in_both_languages(
        lambda headers: api.get(f"{SETS}(Name='leadsourcecode')", headers=headers),
        404,
        RECORD_NOT_FOUND(table="GlobalOptionSetDefinitions", id="Name='leadsourcecode'"),
    )
