"""Reading many records: $select, $filter, $orderby, $top, $count and server-driven paging."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from leadgate.platform.engine import errors
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import API, assert_error

CURRENCIES = f"{API}/transactioncurrencies"

# iso code: (name, precision, exchange rate, symbol); USD and EUR ship with the platform.
SAMPLES = {
    "AAA": ("Alpha Dollar", 0, 1.5, "A$"),
    "BBB": ("Beta Franc", 1, 2.5, "B"),
    "CCC": ("Gamma_Peso", 3, 10, "%"),
    "DDD": ("delta krone", 4, 0.5, "kr"),
}


@pytest.fixture
def currencies(admin):
    for code, (name, precision, rate, symbol) in SAMPLES.items():
        admin.create(
            "transactioncurrency",
            currencyname=name,
            isocurrencycode=code,
            currencysymbol=symbol,
            exchangerate=rate,
            currencyprecision=precision,
        )


def codes(api, query: str) -> list[str]:
    response = api.get(f"{CURRENCIES}?$select=isocurrencycode&{query}")
    assert response.status_code == 200, response.text
    return [record["isocurrencycode"] for record in response.json()["value"]]


FILTERS = [
    ("currencyprecision eq 2", {"EUR", "USD"}),
    ("currencyprecision ne 2", {"AAA", "BBB", "CCC", "DDD"}),
    ("currencyprecision gt 2", {"CCC", "DDD"}),
    ("currencyprecision ge 3", {"CCC", "DDD"}),
    ("currencyprecision lt 1", {"AAA"}),
    ("currencyprecision le 1", {"AAA", "BBB"}),
    ("2 lt currencyprecision", {"CCC", "DDD"}),
    ("exchangerate gt 1.2 and currencyprecision le 1", {"AAA", "BBB"}),
    ("isocurrencycode eq 'AAA' or isocurrencycode eq 'usd'", {"AAA", "USD"}),
    ("(currencyprecision eq 0 or currencyprecision eq 4) and exchangerate lt 1", {"DDD"}),
    ("not (currencyprecision eq 2)", {"AAA", "BBB", "CCC", "DDD"}),
    ("not (currencyprecision gt 1 and exchangerate lt 5)", {"AAA", "BBB", "CCC"}),
    ("isocurrencycode in ('AAA','DDD','XYZ')", {"AAA", "DDD"}),
    ("not (isocurrencycode in ('AAA','DDD'))", {"BBB", "CCC", "EUR", "USD"}),
    ("contains(currencyname,'dollar')", {"AAA", "USD"}),
    ("startswith(currencyname,'DELTA')", {"DDD"}),
    ("endswith(currencyname,'peso')", {"CCC"}),
    ("contains(currencyname,'_')", {"CCC"}),
    ("not contains(currencyname,'dollar')", {"BBB", "CCC", "DDD", "EUR"}),
    # python-odata's lacks(): not( without a space is the operator, outside strings only
    ("not(contains(currencyname, 'dollar'))", {"BBB", "CCC", "DDD", "EUR"}),
    ("NOT(currencyprecision ne 2) and currencyname ne 'not(x)'", {"EUR", "USD"}),
    ("contains(currencyname,'dollar') eq false", {"BBB", "CCC", "DDD", "EUR"}),
    ("currencysymbol eq '%'", {"CCC"}),
    (f"_createdby_value eq {ADMIN_ID}", {"AAA", "BBB", "CCC", "DDD"}),
    ("currencysymbol eq null", set()),
]


@pytest.mark.usefixtures("currencies")
def test_filter(api, subtests):
    # Subtests share one organization: setting one up costs more than all the requests.
    for condition, expected in FILTERS:
        with subtests.test(condition):
            assert set(codes(api, f"$filter={condition}")) == expected


def test_filter_on_empty_lookups(api, system):
    root = system.retrieve_multiple_all("businessunit")[0]
    child = system.create("businessunit", name="Branch", parentbusinessunitid=root.to_reference())

    def names(condition):
        response = api.get(f"{API}/businessunits?$select=name&$filter={condition}")
        assert response.status_code == 200, response.text
        return [record["name"] for record in response.json()["value"]]

    assert names("_parentbusinessunitid_value eq null") == [root["name"]]
    assert names("_parentbusinessunitid_value ne null") == ["Branch"]
    assert names(f"_parentbusinessunitid_value eq {root.id}") == ["Branch"]
    record = api.get(f"{API}/businessunits({child})?$select=_parentbusinessunitid_value").json()
    assert record["_parentbusinessunitid_value"] == str(root.id)


@pytest.mark.usefixtures("currencies")
def test_orderby_several_columns_and_top(api):
    ordered = "$orderby=currencyprecision desc,isocurrencycode asc"

    assert codes(api, ordered) == ["DDD", "CCC", "EUR", "USD", "BBB", "AAA"]
    assert codes(api, "$orderby=exchangerate") == ["DDD", "EUR", "USD", "AAA", "BBB", "CCC"]
    top = api.get(f"{CURRENCIES}?$select=isocurrencycode&{ordered}&$top=2").json()
    assert [r["isocurrencycode"] for r in top["value"]] == ["DDD", "CCC"]
    assert "@odata.nextLink" not in top


@pytest.mark.usefixtures("currencies")
def test_count_gives_the_number_of_matching_records(api):
    body = api.get(
        f"{CURRENCIES}?$select=isocurrencycode&$filter=currencyprecision ne 2&$count=true"
    ).json()

    assert body["@odata.count"] == 4
    assert len(body["value"]) == 4
    assert "@odata.count" not in api.get(f"{CURRENCIES}?$count=false").json()


@pytest.mark.interface_only
@pytest.mark.usefixtures("currencies")
def test_select_names_lookups_as_underscored_values(api):
    body = api.get(
        f"{CURRENCIES}?$select=isocurrencycode,_createdby_value,modifiedby"
        "&$filter=isocurrencycode eq 'AAA'"
    ).json()

    assert body["@odata.context"] == (
        "http://testserver/api/data/v9.2/$metadata#transactioncurrencies"
        "(isocurrencycode,_createdby_value,_modifiedby_value)"
    )
    (record,) = body["value"]
    assert set(record) == {
        "@odata.etag",
        "transactioncurrencyid",
        "isocurrencycode",
        "_createdby_value",
        "_modifiedby_value",
    }
    assert record["_createdby_value"] == str(ADMIN_ID)


def test_paging_with_maxpagesize_gives_every_record_exactly_once(api, admin):
    created = {
        str(
            admin.create(
                "transactioncurrency",
                currencyname=f"Test {n:02}",
                isocurrencycode=f"T{n:02}",
                currencysymbol="t",
                exchangerate=1,
            )
        )
        for n in range(25)
    }
    prefer = {"Prefer": "odata.maxpagesize=10"}
    url = (
        f"{CURRENCIES}?$select=currencyname&$filter=startswith(isocurrencycode,'T')"
        "&$orderby=currencyname desc&$count=true"
    )

    pages, seen = [], []
    while url:
        response = api.get(url, headers=prefer)
        assert response.status_code == 200, response.text
        assert response.headers["Preference-Applied"] == "odata.maxpagesize=10"
        body = response.json()
        assert body["@odata.count"] == 25
        pages.append(len(body["value"]))
        seen += [record["transactioncurrencyid"] for record in body["value"]]
        url = body.get("@odata.nextLink")
        if url:
            assert url.startswith("http://testserver/api/data/v9.2/transactioncurrencies?")
            query = parse_qs(urlsplit(url).query)
            assert query["$skiptoken"] and query["$orderby"] == ["currencyname desc"]

    assert pages == [10, 10, 5]
    assert len(seen) == len(set(seen)) == 25
    assert set(seen) == created


@pytest.mark.interface_only
def test_without_maxpagesize_one_page_holds_up_to_5000(api, admin):
    for n in range(12):
        admin.create(
            "transactioncurrency",
            currencyname=f"Test {n}",
            isocurrencycode=f"T{n}",
            currencysymbol="t",
            exchangerate=1,
        )

    response = api.get(CURRENCIES)

    assert len(response.json()["value"]) == 14
    assert "@odata.nextLink" not in response.json()
    assert "Preference-Applied" not in response.headers
    capped = api.get(CURRENCIES, headers={"Prefer": "odata.maxpagesize=999999"})
    assert capped.headers["Preference-Applied"] == "odata.maxpagesize=5000"


UNANSWERABLE = [
    ("$expand=createdby($expand=owninguser)", "$expand reads one level"),
    ("$skip=10", "'$skip' is not supported"),
    ("$search=dollar", "'$search' is not supported"),
    ("$top=-1", "$top needs a whole number"),
    ("$top=ten", "$top needs a whole number"),
    ("$count=yes", "$count is true or false"),
    ("$select=", "$select needs column names"),
    ("$orderby=currencyname upwards", "$orderby needs"),
    ("$filter=currencyname eq", "$filter cannot be read at position 13"),
    ("$filter=(currencyname eq 'x'", "$filter ends too early"),
    ("$filter=currencyname eq 'unclosed", "$filter cannot be read at position"),
    ("$filter=tolower(currencyname) eq 'x'", "the function 'tolower' is not supported"),
    ("$filter=length(currencyname) gt 3", "the function 'length' is not supported"),
    ("$filter=createdby/businessunitid/name eq 'x'", "paths through lookups"),
    ("$filter=currencyprecision add 1 eq 3", "arithmetic"),
    ("$filter=currencyprecision", "must be made of comparisons"),
    ("$filter=currencyprecision gt null", "null can only be compared with eq or ne"),
    ("$skiptoken=not-a-cookie", "paging cookie"),
    ("$select=isocurrencycode&$select=currencyname", "given twice"),
]


@pytest.mark.interface_only
def test_a_query_the_server_cannot_answer_exactly_is_400(api, subtests):
    for query, fragment in UNANSWERABLE:
        with subtests.test(query):
            response = api.get(f"{CURRENCIES}?{query}")

            message = assert_error(response, 400, errors.INVALID_QUERY.code)
            assert fragment in message


@pytest.mark.interface_only
def test_an_unknown_property_in_a_query_is_400(api, subtests):
    for query, name in [
        ("$select=currencyname,nope", "nope"),
        ("$filter=nope eq 1", "nope"),
        ("$orderby=nope desc", "nope"),
        ("$select=_currencyname_value", "_currencyname_value"),
    ]:
        with subtests.test(query):
            expected = errors.UNKNOWN_PROPERTY(name=name, table="transactioncurrency")
            assert_error(api.get(f"{CURRENCIES}?{query}"), 400, expected)


@pytest.mark.interface_only
def test_custom_query_options_are_left_to_the_client(api):
    assert api.get(f"{CURRENCIES}?tracking=abc").status_code == 200


@pytest.mark.interface_only
def test_a_record_url_takes_select_only(api):
    usd = codes(api, "$filter=isocurrencycode eq 'USD'")
    assert usd == ["USD"]
    record_id = api.get(f"{CURRENCIES}?$filter=isocurrencycode eq 'USD'").json()["value"][0][
        "transactioncurrencyid"
    ]

    response = api.get(f"{CURRENCIES}({record_id})?$filter=currencyprecision eq 2")

    assert_error(response, 400, errors.INVALID_QUERY.code)


@pytest.mark.interface_only
def test_a_bad_maxpagesize_is_400(api):
    response = api.get(CURRENCIES, headers={"Prefer": "odata.maxpagesize=0"})

    assert_error(response, 400, errors.INVALID_QUERY.code)


@pytest.mark.interface_only
def test_the_details_of_a_refused_query_are_in_the_readers_language(api):
    english = assert_error(api.get(f"{CURRENCIES}?$top=ten"), 400, errors.INVALID_QUERY.code)
    french = assert_error(
        api.get(f"{CURRENCIES}?$top=ten", headers={"Accept-Language": "fr"}),
        400,
        errors.INVALID_QUERY.code,
    )

    assert english == "The query is not valid: $top needs a whole number from 0, not 'ten'."
    assert french == (
        "La requête n'est pas valide : $top attend un nombre entier à partir de 0, pas « ten »."
    )
