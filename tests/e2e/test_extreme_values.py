"""Extreme values a client may send: refused with a 400, or saved — never a server fault."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import API

CURRENCIES = f"{API}/transactioncurrencies"
BODY = {"currencyname": "Test", "isocurrencycode": "XTS", "currencysymbol": "x", "exchangerate": 1}


def send_safely(call):
    """The response; a server fault (raised by TestClient, or a 500) fails the test."""
    response = call()
    assert response.status_code < 500, response.text
    return response


def test_extreme_values_in_a_body(api, subtests):
    # Subtests share one organization: setting one up costs more than all the requests.
    for values in [
        {"exchangerate": 1e-300},
        {"exchangerate": -1},
        {"currencyprecision": 10**30},
        {"currencyprecision": -(2**31) - 1},
        {"currencyname": "é" * 100},
        {"currencyname": "😀" * 101},
        {"currencyname": "\t\n"},
        {"exchangerate": "1.5"},
        {"exchangerate": True},
    ]:
        with subtests.test(str(values)[:60]):
            response = send_safely(
                lambda values=values: api.post(
                    CURRENCIES, json={**BODY, "isocurrencycode": "XTS", **values}
                )
            )

            assert response.status_code in (204, 400)
            if response.status_code == 204:
                assert api.delete(response.headers["OData-EntityId"]).status_code == 204


@pytest.mark.parametrize("value", [1e308, "1e400", 10**30])
def test_numbers_too_large_for_a_decimal_column(api, value):
    response = send_safely(lambda: api.post(CURRENCIES, json={**BODY, "exchangerate": value}))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "0x8F4C4702"


def test_nul_characters_in_text_are_refused_on_both_databases(api):
    response = send_safely(lambda: api.post(CURRENCIES, json={**BODY, "currencyname": "a\x00b"}))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "0x80040203"
    assert "expected text without NUL characters" in error["message"]


def test_extreme_values_in_a_filter(api, subtests):
    for condition in [
        "exchangerate gt 1e400",
        "exchangerate gt 1e-400",
        "createdon gt 9999-12-31T23:59:59Z",
        "createdon gt 2020-01-01T00:00:00+14:00",
        "_createdby_value eq 'not-a-guid'",
        "transactioncurrencyid eq 'nope'",
        "statecode eq 5",
        "currencyname eq '" + "x" * 5000 + "'",
    ]:
        with subtests.test(condition[:60]):
            response = send_safely(
                lambda condition=condition: api.get(CURRENCIES, params={"$filter": condition})
            )

            assert response.status_code in (200, 400)


def test_a_whole_number_too_large_for_any_column_in_a_filter(api):
    condition = "currencyprecision eq 99999999999999999999999"

    response = send_safely(lambda: api.get(CURRENCIES, params={"$filter": condition}))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "0x8F4C4702"
