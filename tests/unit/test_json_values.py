"""Record values stored as JSON in a job come back as they were."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from leadgate.platform import Entity, EntityReference
from leadgate.platform.engine.json_values import (
    NotPortable,
    dump_items,
    dump_value,
    load_items,
    load_value,
)
from leadgate.platform.engine.types import Stage

RECORD_ID = uuid.UUID("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")
VALUES = [
    None, True, 0, -7, 2.5, "text", "",
    Decimal("12.5000"), Decimal("-0.01"),
    dt.datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=dt.UTC),
    dt.datetime(2024, 5, 1, 9, 30),  # naive stays naive
    dt.date(2024, 2, 29),
    RECORD_ID,
    EntityReference("account", RECORD_ID, "Acme"),
    [1, Decimal("2"), EntityReference("contact", RECORD_ID)],
    Entity("account", RECORD_ID, {"name": "Acme", "revenue": Decimal("1.5")}, row_version=42),
    Entity("lead", None, {"subject": "Fair", "budgetamount": None}),
]  # fmt: skip


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_values_round_trip_through_json_text(value):
    stored = json.loads(json.dumps(dump_value(value)))
    back = load_value(stored)
    assert back == value and type(back) is type(value)
    if isinstance(value, EntityReference):
        assert back.name == value.name  # not compared by ==
    if isinstance(value, Entity):
        assert (back.id, back.row_version) == (value.id, value.row_version)


def test_enums_are_stored_as_their_values():
    assert dump_value(Stage.POST_OPERATION) == 40 and load_value(40) == 40


@pytest.mark.parametrize("value", [object(), {"a": 1}, float("nan"), Decimal("Infinity")],
                         ids=["object", "dict", "nan", "infinity"])  # fmt: skip
def test_what_json_cannot_carry_is_refused(value):
    with pytest.raises(NotPortable):
        dump_value(value)


def test_items_keep_what_they_can_and_leave_the_rest_out():
    target = Entity("account", RECORD_ID, name="Acme", widget=object())
    kept = dump_items({"Target": target, "Helper": object(), "Flag": False})
    assert set(kept) == {"Target", "Flag"}
    assert load_items(json.loads(json.dumps(kept))) == {
        "Target": Entity("account", RECORD_ID, name="Acme"), "Flag": False,
    }  # fmt: skip


@pytest.mark.parametrize("stored", [{"$nope": 1}, {"$uuid": "x", "$date": "y"}], ids=repr)
def test_unknown_stored_shapes_are_refused(stored):
    with pytest.raises(NotPortable):
        load_value(stored)
