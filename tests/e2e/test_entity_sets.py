"""The API's root lists the entity sets (the OData service document); ``/<set>/$count``
answers the number of records the caller may read, as plain text, with an optional $filter."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import API, assert_error

pytestmark = pytest.mark.interface_only


@pytest.mark.parametrize("root", [API, f"{API}/"])
def test_the_root_lists_every_entity_set(api, root):
    response = api.get(root)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith("/api/data/v9.2/$metadata")
    sets = {item["name"]: item for item in body["value"]}
    assert sets["leads"] == {"name": "leads", "kind": "EntitySet", "url": "leads"}
    assert {"accounts", "contacts", "opportunities", "EntityDefinitions"} & set(sets) == {
        "accounts", "contacts", "opportunities"}  # fmt: skip


def test_count_is_the_number_of_records_as_plain_text(api):
    for name in ("Ada", "Grace", "Grace"):
        assert api.post(f"{API}/leads", json={"lastname": name, "subject": "s"}).status_code == 204
    everything = api.get(f"{API}/leads/$count")
    assert everything.status_code == 200, everything.text
    assert everything.headers["content-type"].startswith("text/plain")
    assert int(everything.text) >= 3
    graces = api.get(f"{API}/leads/$count", params={"$filter": "lastname eq 'Grace'"})
    assert graces.text == "2"
    # python-odata's count() sends the query's order too: it changes nothing.
    ordered = api.get(f"{API}/leads/$count?$filter=(lastname%20eq%20'Grace')&$orderby=subject")
    assert ordered.text == "2"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        (f"{API}/nothings/$count", 404, "0x80060889"),
        (f"{API}/leads(00000000-0000-0000-0000-000000000001)/$count", 404, "0x80060889"),
        (f"{API}/leads/$count?$filter=colour eq 'red'", 400, "0x80060888"),
        (f"{API}/leads/$count?$top=2", 400, "0x8006088a"),
        (f"{API}/leads/$count?$orderby=colour", 400, "0x80060888"),
    ],
)  # fmt: skip
def test_bad_counts_are_coded_errors(api, url, status, code):
    assert_error(api.get(url), status, code)
