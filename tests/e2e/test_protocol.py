"""What clients get wrong at the HTTP level, and the statuses every error maps to.

Whatever the input, the answer is Dataverse's JSON error body — never a bare 500 page.
"""

from __future__ import annotations

import json

import pytest

from leadgate.platform.engine import errors
from leadgate.web import create_app
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import (
    API,
    PLUGINS,
    TestClient,
    assert_error,
    in_both_languages,
    new_id,
)

pytestmark = pytest.mark.interface_only  # parsing, routing and statuses: the Web API's alone
CURRENCIES = f"{API}/transactioncurrencies"
YEN = {"currencyname": "Yen", "isocurrencycode": "JPY", "currencysymbol": "¥", "exchangerate": 150}


def payload_error(response, status=400):
    message = assert_error(response, status, errors.INVALID_PAYLOAD.code)
    assert message.startswith(
        "Error identified in Payload provided by the user for Entity :'transactioncurrency': "
    )
    return message


NOT_JSON = {
    "syntax": b"{bad json",
    "trailing comma": b'{"currencyname": "Yen",}',
    "empty": b"",
    "blank": b"   ",
    "NaN": b'{"a": NaN}',
    "not UTF-8": b"\xff\xfe{",
    "lone surrogate": b'{"currencyname": "\\ud800"}',
}


def test_a_body_that_is_not_json_is_400(api, subtests):
    # Subtests share one organization: setting one up costs more than all the requests.
    for case, content in NOT_JSON.items():
        with subtests.test(case):
            response = api.post(
                CURRENCIES, content=content, headers={"Content-Type": "application/json"}
            )

            payload_error(response)


def test_broken_json_says_where_it_breaks_in_the_readers_language(api):
    """Found by a new user: the French error carried Python's English parser message."""

    def send(headers):
        return api.post(
            CURRENCIES,
            content=b'{\n  "currencyname": "Yen",\n  oops}',
            headers={"Content-Type": "application/json", **headers},
        )

    english = payload_error(send({}))
    french = assert_error(send({"Accept-Language": "fr"}), 400, errors.INVALID_PAYLOAD.code)

    assert english.endswith("the body is not valid JSON: it breaks at line 3, column 3.")
    assert french.endswith(
        "le corps n'est pas du JSON valide : il s'interrompt à la ligne 3, colonne 3."
    )


def test_a_body_that_is_not_an_object_is_400_in_both_languages(api, subtests):
    for body in ([], ["currencyname"], "Yen", 5, None, True):
        with subtests.test(json.dumps(body)):

            def send(headers, body=body):
                return api.post(
                    CURRENCIES,
                    content=json.dumps(body).encode(),
                    headers={"Content-Type": "application/json", **headers},
                )

            english = payload_error(send({}))
            french = assert_error(send({"Accept-Language": "fr"}), 400, errors.INVALID_PAYLOAD.code)

            assert "must be a JSON object" in english
            assert french != english and french.startswith("Erreur")


def test_a_body_that_is_not_sent_as_json_is_400(api):
    response = api.post(
        CURRENCIES,
        content=b"currencyname=Yen",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert "application/json" in payload_error(response)


def test_a_body_with_unusual_json_media_type_parameters_is_accepted(api):
    media_type = "application/json; charset=utf-8; odata.metadata=minimal"
    response = api.post(
        CURRENCIES, content=json.dumps(YEN).encode(), headers={"Content-Type": media_type}
    )

    assert response.status_code == 204


BAD_BINDS = [
    ({"_createdby_value": str(ADMIN_ID)}, "'_createdby_value' is read-only"),
    ({"createdby": str(ADMIN_ID)}, "'createdby@odata.bind'"),
    ({"currencyname@odata.bind": "/systemusers(x)"}, "'currencyname' is not a lookup"),
    ({"createdby@odata.bind": "systemusers"}, "must be a record URL"),
    ({"createdby@odata.bind": 42}, "must be a record URL"),
    ({"createdby@odata.bind": "/systemusers(not-a-guid)"}, "must be a record URL"),
    ({"createdby@odata.bind": f"/nosuchset({ADMIN_ID})"}, "'nosuchset', which is no "),
]


def test_lookups_are_only_set_with_a_well_formed_odata_bind(api, subtests):
    for body, fragment in BAD_BINDS:
        with subtests.test(json.dumps(body)):
            response = api.post(CURRENCIES, json={**YEN, **body})

            assert fragment in payload_error(response)


def test_an_unknown_navigation_property_is_400(api):
    response = api.post(CURRENCIES, json={**YEN, "nope@odata.bind": f"/systemusers({ADMIN_ID})"})

    assert_error(response, 400, errors.UNKNOWN_PROPERTY(name="nope", table="transactioncurrency"))


def test_an_unknown_entity_set_is_404_in_both_languages(api, subtests):
    for method in ("GET", "POST", "PATCH", "DELETE"):
        with subtests.test(method):
            path = "widgetz" if method in ("GET", "POST") else f"widgetz({new_id()})"
            expected = errors.RESOURCE_NOT_FOUND(segment=path)

            in_both_languages(
                lambda headers, method=method, path=path: api.request(
                    method, f"{API}/{path}", json={}, headers=headers
                ),
                404,
                expected,
            )


def test_paths_that_lead_nowhere_are_404_json(api, subtests):
    for path in [
        f"{API}/transactioncurrencies(00000000-0000-4000-8000-000000000001)/currencyname",
        f"{API}/$metadata/leads",  # the metadata document has no segments below it
        "/api/data/v9.1/transactioncurrencies",
        "/elsewhere",
    ]:
        with subtests.test(path):
            assert_error(api.get(path), 404, errors.RESOURCE_NOT_FOUND.code)


def test_a_key_that_is_not_a_guid_is_400(api, subtests):
    for key in [
        "abc",
        "{00000000-0000-4000-8000-000000000001}",
        "'00000000-0000-4000-8000-000000000001'",
        "00000000-0000-4000-8000-00000000000",
        "",
    ]:  # name='x' names a record by an alternate key: tests/e2e/test_alternate_keys_api.py
        with subtests.test(key):
            response = api.get(f"{CURRENCIES}({key})")

            message = assert_error(response, 400, errors.INVALID_QUERY.code)
            assert "is not a GUID" in message


WRONG_METHODS = [
    ("PUT", "/transactioncurrencies", "GET, POST"),
    ("PATCH", "/transactioncurrencies", "GET, POST"),
    ("DELETE", "/transactioncurrencies", "GET, POST"),
    ("POST", f"/transactioncurrencies({ADMIN_ID})", "GET, PATCH, DELETE"),
    ("PUT", f"/transactioncurrencies({ADMIN_ID})", "GET, PATCH, DELETE"),
    ("POST", "/WhoAmI", "GET"),
    ("DELETE", "/WhoAmI", "GET"),
    ("POST", "/$metadata", "GET"),
    ("GET", "/$batch", "POST"),
    ("DELETE", "/$batch", "POST"),
    ("POST", "/EntityDefinitions", "GET"),
    ("PATCH", "/EntityDefinitions(LogicalName='lead')", "GET"),
    ("POST", "/GlobalOptionSetDefinitions", "GET"),
]


def test_a_wrong_method_is_405_json(api, subtests):
    for method, path, allowed in WRONG_METHODS:
        with subtests.test(f"{method} {path}"):
            response = api.request(method, API + path, json={})

            message = assert_error(response, 405, errors.METHOD_NOT_ALLOWED.code)
            assert response.headers["Allow"] == allowed
            assert method in message


def register(system, handler, message="Create"):
    system.create(
        "sdkmessageprocessingstep",
        name=f"e2e {handler}",
        messagename=message,
        primaryentity="transactioncurrency",
        stage=20,
        plugintypename=PLUGINS + handler,
    )


def test_a_busy_database_is_503(api, system):
    register(system, "busy")

    response = api.post(CURRENCIES, json=YEN)

    assert_error(response, 503, errors.DATABASE_BUSY())
    assert_error(
        api.post(CURRENCIES, json=YEN, headers={"Accept-Language": "fr"}),
        503,
        errors.DATABASE_BUSY(),
        "fr",
    )


def test_a_privilege_refusal_is_403(api, system):
    register(system, "deny")

    response = api.post(CURRENCIES, json=YEN)

    assert_error(response, 403, "0x80040220")


def test_a_failing_plug_in_is_a_500_with_the_json_body(api, system):
    register(system, "crash")

    response = api.post(CURRENCIES, json=YEN)

    message = assert_error(response, 500, errors.PLUGIN_UNEXPECTED.code)
    assert "RuntimeError: a plug-in bug" in message


def test_every_json_answer_carries_the_odata_headers(api):
    for response in (
        api.get(f"{API}/WhoAmI"),
        api.get(CURRENCIES),
        api.get(f"{CURRENCIES}(abc)"),
        api.post(CURRENCIES, json=YEN),
    ):
        assert response.headers["OData-Version"] == "4.0"
        if response.status_code != 204:
            assert response.headers["content-type"].startswith("application/json")


def test_a_body_without_a_content_type_is_read_as_json(api):
    response = api.post(CURRENCIES, content=json.dumps(YEN).encode())

    assert response.status_code == 204, response.text


def test_a_server_fault_is_a_500_with_the_json_body_and_no_details(org, token, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(org.pipeline, "execute", broken)
    client = TestClient(
        create_app(org), raise_server_exceptions=False, headers={"Authorization": f"Bearer {token}"}
    )

    response = client.get(f"{API}/WhoAmI")

    message = assert_error(response, 500, errors.UNEXPECTED.code)
    assert "disk" not in message
