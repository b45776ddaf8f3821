"""Create, Retrieve, RetrieveMultiple, Update, Upsert, Delete, SetState, Assign: both databases."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    Entity,
    EntityReference,
    FilterExpression,
    LeadgateError,
    OrderExpression,
    PagingInfo,
    QueryExpression,
    UpsertRequest,
)
from tests.conftest import ADMIN_ID, add_user


def widget(admin, **values):
    values.setdefault("new_name", "Sprocket")
    values.setdefault("new_size", "M")
    return admin.create("new_widget", values)


def test_create_fills_audit_columns_and_defaults(admin):
    before = dt.datetime.now(dt.UTC)
    widget_id = widget(admin, new_count=3)
    record = admin.retrieve("new_widget", widget_id)
    assert record["createdby"] == EntityReference("systemuser", ADMIN_ID)
    assert record["modifiedby"] == EntityReference("systemuser", ADMIN_ID)
    assert before - dt.timedelta(seconds=5) <= record["createdon"] <= dt.datetime.now(dt.UTC)
    assert record["versionnumber"] > 0
    assert record["ownerid"] == EntityReference("systemuser", ADMIN_ID)
    assert record["owningbusinessunit"].logical_name == "businessunit"
    assert (record["statecode"], record["statuscode"]) == (0, 1)


def test_values_round_trip_in_their_canonical_types(admin, system):
    usd = system.retrieve_multiple("transactioncurrency", isocurrencycode="USD").entities[0]
    widget_id = widget(
        admin,
        new_code="ABC",
        new_notes="long text " * 50,
        new_count=7,
        new_ratio="3.14159",
        new_price=1234.5,
        new_active=True,
        new_due="2026-11-23T09:30:00+01:00",
        new_day="2026-12-24",
        new_color=2,
        new_currency=usd.to_reference(),
    )
    record = admin.retrieve("new_widget", widget_id)
    assert record["new_ratio"] == Decimal("3.14")
    assert record["new_price"] == Decimal("1234.5000")
    assert record["new_active"] is True
    assert record["new_due"] == dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)
    assert record["new_day"] == dt.date(2026, 12, 24)
    assert record["new_color"] == 2
    assert record["new_currency"] == EntityReference("transactioncurrency", usd.id)


def test_retrieve_reads_only_the_columns_asked_for(admin):
    widget_id = widget(admin, new_code="X1")
    record = admin.retrieve("new_widget", widget_id, ["new_code"])
    assert dict(record) == {"new_widgetid": widget_id, "new_code": "X1"}


def test_a_record_can_be_created_with_its_own_id(admin):
    chosen = uuid.uuid4()
    assert admin.create(Entity("new_widget", chosen, new_name="Mine", new_size="S")) == chosen


def test_update_changes_values_modified_columns_and_version(admin):
    widget_id = widget(admin, new_code="A")
    created = admin.retrieve("new_widget", widget_id)["versionnumber"]
    admin.update(Entity("new_widget", widget_id, new_code="B", new_count=None))
    record = admin.retrieve("new_widget", widget_id)
    assert record["new_code"] == "B"
    assert record["versionnumber"] > created
    assert record["modifiedon"] >= record["createdon"]


def test_update_of_a_missing_record_is_refused(admin):
    missing = uuid.uuid4()
    with pytest.raises(LeadgateError) as refused:
        admin.update(Entity("new_widget", missing, new_code="B"))
    assert refused.value.code == "0x80040217"
    assert refused.value.message("en") == f"new_widget With Id = {missing} Does Not Exist"
    assert refused.value.message("fr") == f"new_widget avec l'ID = {missing} n'existe pas"


def test_upsert_creates_then_updates(admin):
    record_id = uuid.uuid4()
    first = admin.execute(
        UpsertRequest(Entity("new_widget", record_id, new_name="U", new_size="L"))
    )
    second = admin.execute(UpsertRequest(Entity("new_widget", record_id, new_code="again")))
    assert (first.record_created, second.record_created) == (True, False)
    assert admin.retrieve("new_widget", record_id)["new_code"] == "again"


def test_delete_removes_the_record_and_its_cascaded_children(admin):
    parent = widget(admin)
    child = widget(admin, new_parent=EntityReference("new_widget", parent))
    grandchild = widget(admin, new_parent=EntityReference("new_widget", child))
    admin.delete("new_widget", parent)
    for gone in (parent, child, grandchild):
        with pytest.raises(LeadgateError) as refused:
            admin.retrieve("new_widget", gone)
        assert refused.value.code == "0x80040217"


def test_delete_is_refused_while_a_restrict_relationship_holds(admin, system):
    currency = admin.create(
        "transactioncurrency",
        currencyname="Franc",
        isocurrencycode="CHF",
        currencysymbol="Fr",
        exchangerate="0.88",
    )
    widget(admin, new_currency=EntityReference("transactioncurrency", currency))
    with pytest.raises(LeadgateError) as refused:
        admin.delete("transactioncurrency", currency)
    assert refused.value.code == "0x8F4C4708"
    assert "1 new_widget record(s)" in refused.value.message("en")
    assert "1 enregistrement(s) new_widget" in refused.value.message("fr")
    assert admin.retrieve("transactioncurrency", currency)["isocurrencycode"] == "CHF"


def test_users_cannot_be_deleted_only_disabled(admin):
    with pytest.raises(LeadgateError) as refused:
        admin.delete("systemuser", ADMIN_ID)
    assert refused.value.code == "0x8F4C4709"
    assert refused.value.message("en").endswith("disable the user instead.")
    assert refused.value.message("fr").endswith("désactivez plutôt l'utilisateur.")


def test_set_state_moves_state_and_default_status(admin):
    widget_id = widget(admin)
    admin.set_state("new_widget", widget_id, 1)
    record = admin.retrieve("new_widget", widget_id)
    assert (record["statecode"], record["statuscode"]) == (1, 2)
    admin.set_state("new_widget", widget_id, 0, 100000000)
    record = admin.retrieve("new_widget", widget_id)
    assert (record["statecode"], record["statuscode"]) == (0, 100000000)


def test_update_of_statuscode_runs_as_a_set_state(admin):
    widget_id = widget(admin)
    admin.update(Entity("new_widget", widget_id, statuscode=100000000))
    assert admin.retrieve("new_widget", widget_id)["statuscode"] == 100000000


def test_assign_changes_owner_and_owning_business_unit(admin, system):
    unit = system.retrieve_multiple_all("businessunit")[0]
    other = add_user(system, "o@test.example")
    widget_id = widget(admin)
    admin.assign("new_widget", widget_id, EntityReference("systemuser", other))
    record = admin.retrieve("new_widget", widget_id)
    assert record["ownerid"] == EntityReference("systemuser", other)
    assert record["owningbusinessunit"] == unit.to_reference()


def test_assign_to_a_missing_user_is_refused(admin):
    widget_id = widget(admin)
    with pytest.raises(LeadgateError) as refused:
        admin.assign("new_widget", widget_id, EntityReference("systemuser", uuid.uuid4()))
    assert refused.value.code == "0x8F4C4704"


# --- RetrieveMultiple -------------------------------------------------------------------


@pytest.fixture
def seven(admin):
    ids = []
    for index, (code, color, count) in enumerate(
        [
            ("alpha", 1, 5),
            ("Beta", 2, 10),
            ("gamma", 3, 15),
            ("delta", 1, None),
            ("epsilon", 2, 25),
            ("zeta", None, 30),
            ("ETA", 3, 35),
        ]
    ):
        ids.append(
            widget(admin, new_name=f"W{index}", new_code=code, new_color=color, new_count=count)
        )
    return ids


def query(admin, criteria=None, **more):
    return admin.retrieve_multiple(
        QueryExpression(
            "new_widget", ColumnSet.of("new_code"), criteria or FilterExpression(), **more
        )
    )


def codes(collection):
    return [record["new_code"] for record in collection]


def test_conditions_combine_with_and_and_or(admin, seven):
    red_or_blue = FilterExpression(
        "or",
        (
            ConditionExpression.make("new_color", "eq", 1),
            ConditionExpression.make("new_color", "eq", 3),
        ),
    )
    criteria = FilterExpression(
        "and", (ConditionExpression.make("new_count", "gt", 5),), (red_or_blue,)
    )
    result = query(admin, criteria, orders=(OrderExpression("new_code"),))
    assert codes(result) == ["ETA", "gamma"]


def test_text_comparisons_ignore_case(admin, seven):
    equal = FilterExpression(conditions=(ConditionExpression.make("new_code", "eq", "BETA"),))
    begins = FilterExpression(
        conditions=(ConditionExpression.make("new_code", "begins_with", "e"),)
    )
    assert codes(query(admin, equal)) == ["Beta"]
    assert sorted(codes(query(admin, begins))) == ["ETA", "epsilon"]


def test_ne_keeps_empty_values_like_dataverse(admin, seven):
    criteria = FilterExpression(conditions=(ConditionExpression.make("new_color", "ne", 1),))
    assert sorted(codes(query(admin, criteria))) == ["Beta", "ETA", "epsilon", "gamma", "zeta"]


def test_null_in_and_between(admin, seven):
    empty = FilterExpression(conditions=(ConditionExpression.make("new_count", "null"),))
    some = FilterExpression(conditions=(ConditionExpression.make("new_count", "in", 5, 35),))
    between = FilterExpression(
        conditions=(ConditionExpression.make("new_count", "between", 10, 25),)
    )
    assert codes(query(admin, empty)) == ["delta"]
    assert sorted(codes(query(admin, some))) == ["ETA", "alpha"]
    assert sorted(codes(query(admin, between))) == ["Beta", "epsilon", "gamma"]


def test_ordering_puts_empty_values_first_on_both_databases(admin, seven):
    ascending = query(admin, orders=(OrderExpression("new_count"),))
    descending = query(admin, orders=(OrderExpression("new_count", descending=True),))
    assert codes(ascending)[0] == "delta"
    assert codes(descending)[:2] == ["ETA", "zeta"] and codes(descending)[-1] == "delta"


def test_paging_visits_every_record_once_and_counts_them(admin, seven):
    seen, cookie, pages = [], None, 0
    while True:
        page = query(
            admin,
            orders=(OrderExpression("new_code"),),
            page_info=PagingInfo(count=3, paging_cookie=cookie, return_total_record_count=True),
        )
        pages += 1
        seen.extend(codes(page))
        assert page.total_record_count == 7
        if not page.more_records:
            break
        cookie = page.paging_cookie
    assert pages == 3
    assert seen == ["alpha", "Beta", "delta", "epsilon", "ETA", "gamma", "zeta"]


def test_top_count_limits_without_paging(admin, seven):
    result = query(admin, top_count=2, orders=(OrderExpression("new_code"),))
    assert len(result) == 2 and not result.more_records


def test_a_forged_paging_cookie_is_refused(admin, seven):
    with pytest.raises(LeadgateError) as refused:
        query(admin, page_info=PagingInfo(count=2, paging_cookie="not-a-cookie"))
    assert refused.value.code == "0x8006088a"


def test_query_on_unknown_column_is_refused(admin):
    criteria = FilterExpression(conditions=(ConditionExpression.make("new_nope", "eq", 1),))
    with pytest.raises(LeadgateError) as refused:
        query(admin, criteria)
    assert refused.value.code == "0x80041103"
    assert refused.value.message("en") == "The table 'new_widget' has no column 'new_nope'."
    assert refused.value.message("fr") == "La table « new_widget » n'a pas de colonne « new_nope »."


def test_records_follow_their_owner_into_a_new_business_unit(database_url, admin, system):
    root = system.retrieve_multiple_all("businessunit")[0]
    branch = system.create("businessunit", name="Branch", parentbusinessunitid=root.to_reference())
    first = widget(admin)
    system.update(
        Entity("systemuser", ADMIN_ID, businessunitid=EntityReference("businessunit", branch))
    )
    second = widget(admin)
    assert admin.retrieve("new_widget", first)["owningbusinessunit"].id == branch  # moved along
    assert admin.retrieve("new_widget", second)["owningbusinessunit"].id == branch
    from leadgate.platform import Organization

    with Organization.open(database_url) as other:  # another process moves the user back
        other.system_service().update(
            Entity("systemuser", ADMIN_ID, businessunitid=root.to_reference())
        )
    third = widget(admin)
    assert admin.retrieve("new_widget", third)["owningbusinessunit"] == root.to_reference()
    assert admin.retrieve("new_widget", first)["owningbusinessunit"] == root.to_reference()


def test_an_update_of_the_owner_runs_as_an_assign(admin, system):
    from tests import sample_plugins

    other = add_user(system, "n@test.example")
    system.create(
        "sdkmessageprocessingstep",
        name="see assigns",
        messagename="Assign",
        primaryentity="new_widget",
        stage=40,
        plugintypename="tests.sample_plugins:record",
    )
    sample_plugins.SEEN.clear()
    widget_id = widget(admin)
    admin.update(Entity("new_widget", widget_id, ownerid=EntityReference("systemuser", other)))
    assert admin.retrieve("new_widget", widget_id)["ownerid"].id == other
    assert [call["message"] for call in sample_plugins.SEEN] == ["Assign"]
    assert sample_plugins.SEEN[0]["depth"] == 2
    sample_plugins.SEEN.clear()
    with pytest.raises(LeadgateError) as refused:
        admin.update(Entity("new_widget", widget_id, ownerid=None))
    assert refused.value.code == "0x80040200"


def test_ids_given_as_text_are_read_as_guids(admin):
    widget_id = widget(admin)
    assert admin.retrieve("new_widget", str(widget_id))["new_name"] == "Sprocket"
    admin.update(Entity("new_widget", str(widget_id), new_code="T"))
    admin.set_state("new_widget", str(widget_id), 1)
    created = admin.create(Entity("new_widget", str(uuid.uuid4()), new_name="x", new_size="S"))
    assert isinstance(created, uuid.UUID)
    with pytest.raises(LeadgateError) as refused:
        admin.retrieve("new_widget", "not-a-guid")
    assert refused.value.code == "0x80040203"
    admin.delete("new_widget", str(widget_id))


def test_negated_text_operators_keep_empty_values(admin, seven):
    criteria = FilterExpression(
        conditions=(ConditionExpression.make("new_code", "not_contains", "ta"),)
    )
    assert sorted(codes(query(admin, criteria))) == ["alpha", "epsilon", "gamma"]
    widget(admin, new_name="no code")
    assert None in codes(query(admin, criteria))
    begins = FilterExpression(
        conditions=(ConditionExpression.make("new_code", "not_begin_with", "E"),)
    )
    ends = FilterExpression(conditions=(ConditionExpression.make("new_code", "not_end_with", "A"),))
    assert "ETA" not in codes(query(admin, begins)) and "epsilon" not in codes(query(admin, begins))
    assert set(codes(query(admin, ends))) == {"epsilon", None}


def test_wildcards_in_a_contains_value_are_plain_characters(admin):
    widget(admin, new_code="50%_off")
    widget(admin, new_code="5000")
    criteria = FilterExpression(
        conditions=(ConditionExpression.make("new_code", "contains", "0%_"),)
    )
    assert codes(query(admin, criteria)) == ["50%_off"]
