"""Security beyond the matrix: plug-ins, sharing, teams, messages and metadata privileges."""

from __future__ import annotations

import pytest

from leadgate.platform import (
    CreateAttributeRequest,
    CreateEntityRequest,
    Entity,
    EntityReference,
    Label,
    LeadgateError,
    PublishAllXmlRequest,
)
from leadgate.platform.engine.types import ColumnType
from leadgate.platform.security.messages import WhoAmIRequest
from leadgate.platform.security.privileges import Depth, Right
from leadgate.platform.security.sharing import (
    GrantAccessRequest,
    ModifyAccessRequest,
    PrincipalAccess,
    RetrieveSharedPrincipalsAndAccessRequest,
    RevokeAccessRequest,
)
from tests.conftest import ADMIN_ID, add_user
from tests.security_world import privilege

HANDLERS = "tests.sample_plugins:"


def refusal(action) -> LeadgateError:
    with pytest.raises(LeadgateError) as refused:
        action()
    return refused.value


def register(system, handler, **more):
    return system.create(
        "sdkmessageprocessingstep",
        {
            "name": handler,
            "messagename": "Create",
            "primaryentity": "new_widget",
            "stage": 40,
            "plugintypename": HANDLERS + handler,
            **more,
        },
    )


def test_a_plugin_needing_more_than_the_user_has_fails_the_create(tester, system):
    """The seed's "privilege errors that persist": the plug-in's read names the table."""
    tester.privileges(**{privilege("Create"): Depth.USER, privilege("Read"): Depth.USER})
    register(system, "read_currencies")
    error = refusal(lambda: tester.user.create("new_widget", new_name="w", new_size="S"))
    assert error.code == "0x80040220"
    assert "prvReadTransactionCurrency on transactioncurrency" in error.message("en")
    assert "prvReadTransactionCurrency sur transactioncurrency" in error.message("fr")
    assert system.retrieve_multiple("new_widget", new_name="w").entities == []


def test_a_plugin_registered_to_run_as_an_administrator_can_read_more(tester, system):
    tester.privileges(**{privilege("Create"): Depth.USER})
    register(system, "read_currencies", impersonatinguserid=EntityReference("systemuser", ADMIN_ID))
    assert tester.user.create("new_widget", new_name="w", new_size="S")


def test_sharing_grants_modifies_and_revokes_access(tester, system):
    tester.privileges(**{privilege("Read"): Depth.USER, privilege("Write"): Depth.USER})
    record = tester.widget("other branch")
    target = EntityReference("new_widget", record)
    me = EntityReference("systemuser", tester.user_id)
    assert refusal(lambda: tester.user.retrieve("new_widget", record)).code == "0x80048306"
    system.execute(GrantAccessRequest(target, PrincipalAccess(me, Right.READ)))
    assert tester.user.retrieve("new_widget", record)["new_name"] == "other branch"
    denied = refusal(lambda: tester.user.update(Entity("new_widget", record, new_code="x")))
    assert denied.code == "0x80048306"
    system.execute(ModifyAccessRequest(target, PrincipalAccess(me, Right.READ | Right.WRITE)))
    shared = system.execute(RetrieveSharedPrincipalsAndAccessRequest(target)).principal_accesses
    assert [(p.principal.id, p.access_mask) for p in shared] == [
        (tester.user_id, Right.READ | Right.WRITE)
    ]
    system.execute(RevokeAccessRequest(target, me))
    assert refusal(lambda: tester.user.retrieve("new_widget", record)).code == "0x80048306"


def test_sharing_with_a_team_reaches_its_members(tester, system):
    tester.privileges(**{privilege("Read"): Depth.USER})
    record = tester.widget("other branch")
    team = tester.owners["own team"]
    system.execute(
        GrantAccessRequest(EntityReference("new_widget", record), PrincipalAccess(team, Right.READ))
    )
    assert tester.user.retrieve("new_widget", record)["new_name"] == "other branch"


def test_sharing_needs_the_share_privilege(tester):
    tester.privileges(**{privilege("Read"): Depth.USER, privilege("Share"): Depth.USER})
    mine = tester.widget("same user")
    theirs = tester.widget("same unit")
    colleague = tester.owners["same unit"]
    tester.user.execute(
        GrantAccessRequest(
            EntityReference("new_widget", mine), PrincipalAccess(colleague, Right.READ)
        )
    )
    error = refusal(
        lambda: tester.user.execute(
            GrantAccessRequest(
                EntityReference("new_widget", theirs),
                PrincipalAccess(EntityReference("systemuser", tester.user_id), Right.READ),
            )
        )
    )
    assert error.code == "0x80048306"


def test_deleting_a_record_forgets_its_shares(tester, system):
    record = tester.widget("shared")
    system.delete("new_widget", record)
    assert system.retrieve_multiple("principalobjectaccess", objectid=record).entities == []


def test_records_of_tables_without_owner_cannot_be_shared(system, admin):
    currency = system.retrieve_multiple("transactioncurrency")[0]
    error = refusal(
        lambda: admin.execute(
            GrantAccessRequest(
                currency.to_reference(),
                PrincipalAccess(EntityReference("systemuser", ADMIN_ID), Right.READ),
            )
        )
    )
    assert error.code == "0x8F4C4750"


def test_who_am_i_tells_the_business_unit(tester, world):
    answer = tester.user.execute(WhoAmIRequest())
    assert answer.user_id == tester.user_id
    assert (
        answer.business_unit_id
        == tester.system.retrieve("systemuser", tester.user_id)["businessunitid"].id
    )


def test_customizing_needs_the_customization_privileges(tester, system):
    request = CreateAttributeRequest("new_widget", "new_extra", ColumnType.INTEGER, Label("X"))
    error = refusal(lambda: tester.user.execute(request))
    assert error.code == "0x80040220" and "prvWriteEntity" in error.message("en")
    tester.privileges(prvWriteEntity=Depth.ORGANIZATION)
    tester.user.execute(request)
    error = refusal(lambda: tester.user.execute(PublishAllXmlRequest()))
    assert "prvPublishCustomizations" in error.message("en")


def test_custom_tables_get_their_privileges_when_published(system):
    system.execute(CreateEntityRequest("new_gizmo", Label("Gizmo")))
    system.execute(PublishAllXmlRequest())
    names = {p["name"] for p in system.retrieve_multiple_all("privilege", columns=["name"])}
    assert {
        "prvCreatenew_Gizmo",
        "prvReadnew_Gizmo",
        "prvAssignnew_Gizmo",
        "prvSharenew_Gizmo",
    } <= names


def test_a_user_without_any_role_is_refused_with_the_seed_words(org, system):
    nobody = org.service(add_user(system, "nobody@test.example", role=None))
    error = refusal(lambda: nobody.create("lead", subject="x", lastname="y"))
    assert error.code == "0x80040220"
    assert error.message("en").startswith("Insufficient permissions (Access denied): Nobody")
    assert "Roles held: no role." in error.message("en")
    assert error.message("fr").startswith("Accès refusé ou autorisations insuffisantes")
    assert "Rôles détenus : aucun rôle." in error.message("fr")


def test_shipped_roles(org, system):
    salesperson = org.service(add_user(system, "sp@test.example", role="Salesperson"))
    manager = org.service(add_user(system, "sm@test.example", role="Sales Manager"))
    lead = salesperson.create("lead", subject="Mine", lastname="Own")
    other = manager.create("lead", subject="Manager's", lastname="Theirs")
    assert salesperson.retrieve("lead", other)["subject"] == "Manager's"  # Read at BU
    error = refusal(lambda: salesperson.delete("lead", lead))
    assert error.code == "0x80040220" and "prvDeleteLead" in error.message("en")
    manager.delete("lead", lead)  # the manager deletes in the unit
    with pytest.raises(LeadgateError):
        salesperson.execute(PublishAllXmlRequest())


def test_a_team_role_reaches_from_the_team_unit(org, system):
    """A user of the root in a team of unit East holds the team's Business Unit reads in East."""
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    east = EntityReference(
        "businessunit", system.create("businessunit", name="East", parentbusinessunitid=root)
    )
    visitor = add_user(system, "visitor@test.example", role=None, unit=root)
    team = system.create("team", name="East Sales", businessunitid=east)
    system.create(
        "teamroles",
        teamid=EntityReference("team", team),
        roleid=system.retrieve_multiple("role", name="Salesperson")[0].to_reference(),
    )
    from leadgate.platform.security.messages import AddMembersTeamRequest

    system.execute(AddMembersTeamRequest(team, (visitor,)))
    east_owner = add_user(system, "east@test.example", role="Salesperson", unit=east)
    root_owner = add_user(system, "root@test.example", role="Salesperson", unit=root)
    in_east = system.create(
        "lead", subject="East", lastname="E", ownerid=EntityReference("systemuser", east_owner)
    )
    in_root = system.create(
        "lead", subject="Root", lastname="R", ownerid=EntityReference("systemuser", root_owner)
    )
    service = org.service(visitor)
    assert service.retrieve("lead", in_east)["subject"] == "East"
    assert refusal(lambda: service.retrieve("lead", in_root)).code == "0x80048306"
    assert [r["subject"] for r in service.retrieve_multiple_all("lead")] == ["East"]


def test_records_move_with_their_owner(admin, system):
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    east = EntityReference(
        "businessunit", system.create("businessunit", name="East", parentbusinessunitid=root)
    )
    owner = add_user(system, "mover@test.example", unit=root)
    lead = system.create(
        "lead", subject="Moving", lastname="M", ownerid=EntityReference("systemuser", owner)
    )
    before = system.retrieve("lead", lead)["versionnumber"]
    system.update(Entity("systemuser", owner, businessunitid=east))
    record = system.retrieve("lead", lead)
    assert record["owningbusinessunit"] == east
    assert record["versionnumber"] > before


def test_unit_and_team_names_are_unique(system):
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
    error = refusal(
        lambda: system.create(
            "businessunit", name=root["name"], parentbusinessunitid=root.to_reference()
        )
    )
    assert error.code == "0x80040237"
    system.create("team", name="Twins", businessunitid=root.to_reference())
    error = refusal(lambda: system.create("team", name="Twins", businessunitid=root.to_reference()))
    assert error.code == "0x80040237"


def test_one_can_only_share_the_rights_one_holds(tester):
    tester.privileges(**{privilege("Read"): Depth.USER, privilege("Share"): Depth.USER})
    mine = EntityReference("new_widget", tester.widget("same user"))
    colleague = tester.owners["same unit"]
    error = refusal(
        lambda: tester.user.execute(
            GrantAccessRequest(mine, PrincipalAccess(colleague, Right.READ | Right.WRITE))
        )
    )
    assert error.code == "0x80040220" and "prvWritenew_Widget" in error.message("en")
    tester.user.execute(GrantAccessRequest(mine, PrincipalAccess(colleague, Right.READ)))
