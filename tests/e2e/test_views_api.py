"""An administrator adds a column to a view through the Web API, as docs/views-and-forms.md
says; a mistake is refused with its coded error, as a 400."""

from __future__ import annotations

import pytest

FETCH = (
    '<fetch><entity name="lead"><attribute name="fullname"/><attribute name="jobtitle"/>'
    '<filter><condition attribute="statecode" operator="eq" value="0"/></filter></entity></fetch>'
)
LAYOUT = (
    '<grid name="resultset"><row name="result" id="leadid"><cell name="fullname" width="200"/>'
    '<cell name="{}" width="120"/></row></grid>'
)


@pytest.mark.interface_only  # the check is the pipeline's, tested on both databases elsewhere
def test_an_administrator_adds_a_column_to_a_view_with_a_patch(api):
    query = {"$filter": "name eq 'Open Leads'", "$select": "fetchxml,layoutxml"}
    found = api.get("/api/data/v9.2/savedqueries", params=query).json()["value"]
    (view,) = found
    url = f"/api/data/v9.2/savedqueries({view['savedqueryid']})"
    wrong = api.patch(url, json={"layoutxml": LAYOUT.format("jobtitle")})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "0x8F4C47B5"
    answer = api.patch(url, json={"fetchxml": FETCH, "layoutxml": LAYOUT.format("jobtitle")})
    assert answer.status_code == 204
    assert "jobtitle" in api.get(url).json()["layoutxml"]
