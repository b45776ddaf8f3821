"""The demo's organization: business units and users with their passwords and roles (as
SYSTEM), then an owner team per unit and the campaigns of each unit's sales manager (as the
administrator)."""

from __future__ import annotations

import uuid
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.types import Language
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.security.messages import AddMembersTeamRequest
from leadgate.platform.service import OrganizationService
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.sales.demo import data
from leadgate.sales.demo.builder import _Builder, _city, _Person, _Salesperson
from leadgate.sales.demo.summary import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD

__all__: list[str] = []


class _OrganizationSteps(_Builder):
    """Business units, users, owner teams and campaigns: who works the customers and leads."""

    def business_units(self) -> None:
        """The root unit takes the company's name; the others go below it (as SYSTEM)."""
        root = self.system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
        requests: list[Any] = []
        for name, parent in data.BUSINESS_UNITS:
            if parent is None:
                self.units[name] = root.to_reference()
                requests.append(UpdateRequest(Entity("businessunit", root.id, name=name)))
                continue
            self.units[name] = EntityReference("businessunit", self.new_id())
            requests.append(CreateRequest(Entity(
                "businessunit", self.units[name].id, name=name,
                parentbusinessunitid=self.units[parent],
            )))  # fmt: skip
        self.system.execute(ExecuteTransactionRequest(tuple(requests)))
        self.tick("Business units", 1)

    def users(self) -> uuid.UUID:
        """Every user with their unit, password and role, as SYSTEM; returns the admin's id."""
        admin = data.DemoUser("Alex", "Morgan", "System Administrator", role="System Administrator")
        roles = {
            role["name"]: role.to_reference()
            for role in self.system.retrieve_multiple_all("role", columns=["name"])
        }
        admin_id = None
        for person in (admin, *data.MANAGERS, *data.SALESPEOPLE):
            user_id = self.new_id()
            user = EntityReference("systemuser", user_id)
            email = (
                ADMIN_EMAIL
                if person is admin
                else (_Person(person.firstname, person.lastname).email(DEMO_DOMAIN))
            )
            home = "Paris" if person.french else "Seattle" if person.unit == data.ROOT else "London"
            values = Entity(
                "systemuser",
                user_id,
                firstname=person.firstname,
                lastname=person.lastname,
                internalemailaddress=email,
                title=person.title,
                mobilephone=self.phone(_city(home)),
                uilanguageid=1036 if person.french else 1033,
                businessunitid=self.units[person.unit],
            )
            # The user, their password and role together: never a demo user who cannot work.
            self.system.execute(ExecuteTransactionRequest((
                CreateRequest(values),
                SetPasswordRequest(user, DEMO_PASSWORD),
                CreateRequest(Entity("systemuserroles", systemuserid=user,
                                     roleid=roles[person.role])),
            )))  # fmt: skip
            if person is admin:
                admin_id = user_id
            elif person.role == "Sales Manager":
                self.managers[person.unit] = user
            elif person in data.SALESPEOPLE:
                language = Language.FRENCH if person.french else Language.ENGLISH
                service = self.organization.service(user_id, language=language)
                self.salespeople.append(_Salesperson(person, service))
            self.tick("Users", 1)
        assert admin_id is not None
        return admin_id

    def owner_teams(self, admin: OrganizationService) -> None:
        """An owner team per unit, with the unit's salespeople and a role, made by the admin."""
        roles = {
            role["name"]: role.to_reference()
            for role in admin.retrieve_multiple_all("role", columns=["name"])
        }
        for team in data.TEAMS:
            reference = EntityReference("team", self.new_id())
            members = tuple(
                person.service.user_id for person in self.salespeople
                if person.person.unit == team.unit
            )  # fmt: skip
            admin.execute(ExecuteTransactionRequest((
                CreateRequest(Entity("team", reference.id, name=team.name, teamtype=0,
                                     businessunitid=self.units[team.unit])),
                CreateRequest(Entity("teamroles", teamid=reference, roleid=roles[team.role])),
                AddMembersTeamRequest(reference.id, members),
            )))  # fmt: skip
            self.teams[team.unit] = reference
            self.tick("Teams", 1)

    def campaigns(self, admin: OrganizationService) -> dict[str, list[tuple[EntityReference, int]]]:
        """Campaigns by unit: the admin creates them for the unit's sales manager to own."""
        found: dict[str, list[tuple[EntityReference, int]]] = {}
        items = []
        for campaign in data.CAMPAIGNS:
            reference = EntityReference("campaign", self.new_id())
            items.append((CreateRequest(Entity(
                "campaign", reference.id,
                name=campaign.name, codename=campaign.code, statuscode=campaign.status,
                budgetedcost=campaign.budget, expectedrevenue=campaign.expected,
                transactioncurrencyid=self.currency, ownerid=self.managers[campaign.unit],
            )),))  # fmt: skip
            found.setdefault(campaign.unit, []).append((reference, campaign.source))
        self.run_as(admin, "Campaigns", items)
        return found
