"""The security matrix: each right x depth x where the record's owner sits, on both databases.

The user under test sits in unit A. Records are owned by: the user; a team of theirs; a user
of another branch who shared the record with them; a colleague in A; someone in A1 (a child
of A); someone in the root (A's parent); someone in B (another branch).
"""

from __future__ import annotations

import pytest

from leadgate.platform import Entity, EntityReference, LeadgateError, PagingInfo, QueryExpression
from leadgate.platform.security.privileges import Depth
from tests.conftest import add_user
from tests.security_world import PLACEMENTS, privilege

REACH = {
    Depth.NONE: set(),
    Depth.USER: {"same user", "own team", "shared"},
    Depth.BUSINESS_UNIT: {"same user", "own team", "shared", "same unit"},
    Depth.PARENT_CHILD: {"same user", "own team", "shared", "same unit", "child unit"},
    Depth.ORGANIZATION: set(PLACEMENTS),
}
DEPTHS = tuple(REACH)


def outcome(action) -> str:
    try:
        action()
    except LeadgateError as error:
        return error.code
    return "allowed"


def expected(depth: Depth, placement: str) -> str:
    if depth is Depth.NONE:
        return "0x80040220"
    return "allowed" if placement in REACH[depth] else "0x80048306"


def check(subtests, tester, depths, label, action_for):
    """For each depth, a fresh record per placement, the action, and the expected answer."""
    for depth in DEPTHS:
        tester.privileges(**depths(depth))
        for placement in PLACEMENTS:
            with subtests.test(f"{label} {depth.name} {placement}"):
                assert outcome(action_for(placement)) == expected(depth, placement)


def test_retrieve(subtests, tester):
    records = {placement: tester.widget(placement) for placement in PLACEMENTS}
    check(
        subtests,
        tester,
        lambda d: {privilege("Read"): d},
        "Retrieve",
        lambda p: lambda: tester.user.retrieve("new_widget", records[p]),
    )


def test_retrieve_multiple_filters_in_sql(subtests, tester):
    for placement in PLACEMENTS:
        tester.widget(placement)
    for depth in DEPTHS:
        tester.privileges(**{privilege("Read"): depth})
        with subtests.test(f"RetrieveMultiple {depth.name}"):
            if depth is Depth.NONE:
                assert outcome(lambda: tester.user.retrieve_multiple("new_widget")) == (
                    "0x80040220"
                )
                continue
            page = tester.user.retrieve_multiple(
                QueryExpression(
                    "new_widget", page_info=PagingInfo(count=2, return_total_record_count=True)
                )
            )
            seen = {r["new_name"] for r in tester.user.retrieve_multiple_all("new_widget")}
            assert seen == REACH[depth]
            assert page.total_record_count == len(REACH[depth])  # counts see only readable rows
            assert len(page) == min(2, len(REACH[depth]))


def test_update(subtests, tester):
    check(
        subtests,
        tester,
        lambda d: {privilege("Write"): d},
        "Update",
        lambda p: (
            lambda record: lambda: tester.user.update(Entity("new_widget", record, new_code="X"))
        )(tester.widget(p)),
    )


def test_delete(subtests, tester):
    check(
        subtests,
        tester,
        lambda d: {privilege("Delete"): d},
        "Delete",
        lambda p: (lambda record: lambda: tester.user.delete("new_widget", record))(
            tester.widget(p)
        ),
    )


def test_assign(subtests, tester):
    # The user receives the record: they can own it (Read), and Assign decides.
    check(
        subtests,
        tester,
        lambda d: {privilege("Assign"): d, privilege("Read"): Depth.ORGANIZATION},
        "Assign",
        lambda p: (
            lambda record: (
                lambda: tester.user.assign(
                    "new_widget", record, EntityReference("systemuser", tester.user_id)
                )
            )
        )(tester.widget(p)),
    )


def test_append_to(subtests, tester):
    """Linking the user's own widget to one of each placement: Append To decides."""
    mine = tester.widget("same user")
    check(
        subtests,
        tester,
        lambda d: {
            privilege("AppendTo"): d,
            privilege("Write"): Depth.ORGANIZATION,
            privilege("Append"): Depth.ORGANIZATION,
        },
        "AppendTo",
        lambda p: (
            lambda record: (
                lambda: tester.user.update(
                    Entity("new_widget", mine, new_parent=EntityReference("new_widget", record))
                )
            )
        )(tester.widget(p)),
    )


def test_append(subtests, tester):
    """Linking a widget of each placement to the user's own one: Append decides."""
    mine = tester.widget("same user")
    check(
        subtests,
        tester,
        lambda d: {
            privilege("Append"): d,
            privilege("Write"): Depth.ORGANIZATION,
            privilege("AppendTo"): Depth.ORGANIZATION,
        },
        "Append",
        lambda p: (
            lambda record: (
                lambda: tester.user.update(
                    Entity("new_widget", record, new_parent=EntityReference("new_widget", mine))
                )
            )
        )(tester.widget(p)),
    )


def test_the_refusals_name_what_is_missing(tester):
    record = tester.widget("other branch")
    tester.privileges()
    with pytest.raises(LeadgateError) as refused:
        tester.user.retrieve("new_widget", record)
    error = refused.value
    assert error.code == "0x80040220"
    assert error.message("en").startswith(
        "Insufficient permissions (Access denied): Tester is missing the privilege "
        "prvReadnew_Widget on new_widget at Organization depth or more. Roles held: Tester."
    )
    assert error.message("fr").startswith(
        "Accès refusé ou autorisations insuffisantes : il manque à Tester le privilège "
        "prvReadnew_Widget sur new_widget au niveau Organisation ou plus."
    )
    tester.privileges(**{privilege("Read"): Depth.BUSINESS_UNIT})
    with pytest.raises(LeadgateError) as refused:
        tester.user.retrieve("new_widget", record)
    error = refused.value
    assert error.code == "0x80048306"
    owner = tester.owners["other branch"].id
    assert (
        f"Access denied: Tester has prvReadnew_Widget only at Business Unit depth, which "
        f"does not reach the new_widget record {record} (owner systemuser {owner}"
        in (error.message("en"))
    )
    assert "ReadAccess on it needs Organization depth" in error.message("en")
    assert "Accès refusé : Tester n'a prvReadnew_Widget qu'au niveau Division" in (
        error.message("fr")
    )


def test_creating_for_someone_else_needs_assign(tester):
    tester.privileges(**{privilege("Create"): Depth.BUSINESS_UNIT})
    colleague = tester.owners["same unit"]
    with pytest.raises(LeadgateError) as refused:
        tester.user.create("new_widget", new_name="gift", new_size="S", ownerid=colleague)
    assert refused.value.code == "0x80040220"
    assert "prvAssignnew_Widget" in refused.value.message("en")
    tester.privileges(
        **{privilege("Create"): Depth.BUSINESS_UNIT, privilege("Assign"): Depth.BUSINESS_UNIT}
    )
    with pytest.raises(LeadgateError) as refused:  # the colleague could not own it (no Read)
        tester.user.create("new_widget", new_name="gift", new_size="S", ownerid=colleague)
    assert "Colleague is missing the privilege prvReadnew_Widget" in refused.value.message("en")
    tester.privileges(
        **{
            privilege("Create"): Depth.BUSINESS_UNIT,
            privilege("Assign"): Depth.BUSINESS_UNIT,
            privilege("Read"): Depth.USER,
        }
    )
    tester.user.create("new_widget", new_name="gift", new_size="S", ownerid=colleague)
    own = tester.user.create("new_widget", new_name="mine", new_size="S")
    assert own


def test_the_new_owner_must_be_able_to_own_the_record(tester, system):
    tester.privileges(**{privilege("Assign"): Depth.ORGANIZATION})
    record = tester.widget("same user")
    nobody = add_user(system, "norole@test.example", role=None)
    with pytest.raises(LeadgateError) as refused:
        tester.user.assign("new_widget", record, EntityReference("systemuser", nobody))
    assert refused.value.code == "0x80040220"
    assert "Norole is missing the privilege prvReadnew_Widget" in refused.value.message("en")


def test_changes_to_roles_apply_on_the_next_request(tester):
    record = tester.widget("same user")
    tester.privileges(**{privilege("Read"): Depth.USER})
    assert tester.user.retrieve("new_widget", record)["new_name"] == "same user"
    tester.privileges()
    assert outcome(lambda: tester.user.retrieve("new_widget", record)) == "0x80040220"


def test_a_disabled_user_can_do_nothing(tester, system):
    tester.privileges(**{privilege("Read"): Depth.ORGANIZATION})
    system.update(Entity("systemuser", tester.user_id, isdisabled=True))
    assert outcome(lambda: tester.user.retrieve_multiple("new_widget")) == "0x8F4C4731"
