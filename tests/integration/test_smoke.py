from leadgate.platform import Entity


def test_create_and_retrieve(admin):
    currency_id = admin.create(
        "transactioncurrency",
        currencyname="Yen",
        isocurrencycode="JPY",
        currencysymbol="¥",
        exchangerate=150,
    )
    record = admin.retrieve("transactioncurrency", currency_id)
    assert record["currencyname"] == "Yen"
    admin.update(Entity("transactioncurrency", currency_id, currencyname="Japanese Yen"))
    updated = admin.retrieve("transactioncurrency", currency_id)
    assert updated["versionnumber"] > record["versionnumber"]
