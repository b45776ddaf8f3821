"""An etag names one state of one record for good: a client holding the etag of a deleted
record cannot overwrite or delete the record later re-created with the same id."""

from __future__ import annotations

from leadgate.platform.engine import errors
from tests.e2e.conftest import API, assert_error, in_both_languages, new_id

CURRENCIES = f"{API}/transactioncurrencies"


def yen(**more):
    return {"currencyname": "Yen", "isocurrencycode": "JPY", "currencysymbol": "¥",
            "exchangerate": 150, **more}  # fmt: skip


def etag_of(api, url: str) -> str:
    return api.get(f"{url}?$select=currencyname").json()["@odata.etag"]


def version(etag: str) -> int:
    return int(etag.removeprefix('W/"').removesuffix('"'))


def recreated(api) -> tuple[str, str, str, str]:
    """A currency read, deleted and created again with the same id: its id, URL, the etag
    of its first life and the etag of its second."""
    record_id = new_id()
    url = f"{CURRENCIES}({record_id})"
    assert api.post(CURRENCIES, json=yen(transactioncurrencyid=record_id)).status_code == 204
    old = etag_of(api, url)
    assert api.delete(url).status_code == 204
    body = yen(transactioncurrencyid=record_id, currencyname="Yen again")
    assert api.post(CURRENCIES, json=body).status_code == 204
    return record_id, url, old, etag_of(api, url)


def test_patch_with_the_etag_of_a_deleted_record_is_refused(api):
    record_id, url, old, new = recreated(api)
    assert old != new
    expected = errors.VERSION_MISMATCH(
        table="transactioncurrency", id=record_id, expected=version(old), actual=version(new)
    )

    english, french = in_both_languages(
        lambda h: api.patch(url, json={"currencyname": "Lost update"},
                            headers={"If-Match": old, **h}),
        412, expected,
    )  # fmt: skip

    assert english.startswith("The version of the existing record doesn't match")
    assert f"version {version(old)} fournie, {version(new)} enregistrée" in french
    assert api.get(url).json()["currencyname"] == "Yen again"
    assert api.patch(url, json={"currencyname": "Kept"}, headers={"If-Match": new}).status_code \
        == 204  # fmt: skip
    assert api.get(url).json()["currencyname"] == "Kept"


def test_delete_with_the_etag_of_a_deleted_record_is_refused(api):
    record_id, url, old, new = recreated(api)

    refused = api.delete(url, headers={"If-Match": old})

    expected = errors.VERSION_MISMATCH(
        table="transactioncurrency", id=record_id, expected=version(old), actual=version(new)
    )
    assert_error(refused, 412, expected)
    assert api.get(url).status_code == 200


def test_a_cached_copy_of_a_deleted_record_is_not_current(api):
    _, url, old, new = recreated(api)

    assert api.get(url, headers={"If-None-Match": old}).status_code == 200
    assert api.get(url, headers={"If-None-Match": new}).status_code == 304
