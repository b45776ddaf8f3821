"""A small organization for security tests: units, a team, a user under test, owners."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from leadgate.platform import EntityReference
from leadgate.platform.security.messages import (
    AddMembersTeamRequest,
    AddPrivilegesRoleRequest,
    RemovePrivilegeRoleRequest,
    RolePrivilege,
)
from leadgate.platform.security.privileges import Depth, Right
from leadgate.platform.security.sharing import GrantAccessRequest, PrincipalAccess
from tests.conftest import add_user

PLACEMENTS = ("same user", "own team", "shared", "same unit", "child unit", "parent unit",
              "other branch")  # fmt: skip
ALL_RIGHTS = Right.READ | Right.WRITE | Right.APPEND | Right.APPEND_TO | Right.DELETE | Right.ASSIGN


def privilege(right: str) -> str:
    return f"prv{right}new_Widget"


@dataclass
class World:
    system: Any
    user: Any  # the user's service, set by the tester fixture
    user_id: uuid.UUID
    role_id: uuid.UUID
    owners: dict[str, EntityReference]
    granted: set[str]

    def privileges(self, **depths: Depth) -> None:
        """Give the Tester role exactly these privileges (prvReadnew_Widget=Depth.USER …)."""
        for name in self.granted - set(depths):
            self.system.execute(RemovePrivilegeRoleRequest(self.role_id, name))
        wanted = tuple(RolePrivilege(name, depth) for name, depth in depths.items() if depth)
        for name in {name for name, depth in depths.items() if not depth} & self.granted:
            self.system.execute(RemovePrivilegeRoleRequest(self.role_id, name))
        if wanted:
            self.system.execute(AddPrivilegesRoleRequest(self.role_id, wanted))
        self.granted = {item.privilege for item in wanted}

    def widget(self, placement: str, **values) -> uuid.UUID:
        """A widget owned as the placement says (shared ones: shared with the user)."""
        record = self.system.create(
            "new_widget", new_name=placement, new_size="S", ownerid=self.owners[placement], **values
        )
        if placement == "shared":
            self.system.execute(
                GrantAccessRequest(
                    EntityReference("new_widget", record),
                    PrincipalAccess(EntityReference("systemuser", self.user_id), ALL_RIGHTS),
                )
            )
        return record


@pytest.fixture
def world(system: Any) -> World:
    """Units root > A > A1 and root > B; the tester in A with a team; one owner per placement."""
    root = system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()

    def unit(name: str, parent: EntityReference) -> EntityReference:
        return EntityReference(
            "businessunit", system.create("businessunit", name=name, parentbusinessunitid=parent)
        )

    a = unit("A", root)
    a1 = unit("A1", a)
    b = unit("B", root)
    role_id = system.create("role", name="Tester")
    user_id = add_user(system, "tester@test.example", role="Tester", unit=a)
    team = system.create("team", name="Team A", businessunitid=a)
    system.execute(AddMembersTeamRequest(team, (user_id,)))

    def person(email: str, where: EntityReference) -> EntityReference:
        return EntityReference("systemuser", add_user(system, email, role="Tester", unit=where))

    owners = {
        "same user": EntityReference("systemuser", user_id),
        "own team": EntityReference("team", team),
        "shared": person("sharer@test.example", b),
        "same unit": person("colleague@test.example", a),
        "child unit": person("child@test.example", a1),
        "parent unit": person("parent@test.example", root),
        "other branch": person("branch@test.example", b),
    }
    return World(system, None, user_id, role_id, owners, set())


@pytest.fixture
def tester(org: Any, world: World) -> World:
    world.user = org.service(world.user_id)
    return world
