"""The demo organization, as someone trying leadgate for the first time finds it.

The demo is installed once per session on each database (the ``demo`` fixture, a template):
each test reads its own copy, and what ``install_demo`` said when it made it.
"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from leadgate.platform import Language, Organization
from leadgate.platform.engine.metadata import store
from leadgate.platform.users.credentials import verify_password
from leadgate.sales.demo import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, install_demo
from tests.conftest import DEMO_TODAY as TODAY
from tests.conftest import Demo

# One worker installs the demo for both tests (make test runs with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("demo")


def _leads(organization: Organization) -> list[dict[str, object]]:
    columns = [
        "subject",
        "fullname",
        "emailaddress1",
        "statecode",
        "statuscode",
        "ownerid",
        "owningbusinessunit",
        "createdby",
        "estimatedclosedate",
        "campaignid",
    ]
    leads = organization.system_service().retrieve_multiple_all("lead", columns=columns)
    return [dict(lead) for lead in leads]


@pytest.mark.slow  # the first test of a session installs the demo
def test_the_demo_organization(demo: Demo) -> None:
    org, summary, calls = demo.org, demo.install.summary, demo.install.progress
    system = org.system_service()

    assert summary.admin_email == ADMIN_EMAIL
    assert not summary.already_installed
    assert (summary.users, summary.leads) == (8, 200)
    assert (summary.business_units, summary.teams) == (2, 2)
    # 26 customers and 40 of their contacts, plus what qualifying 24 leads made.
    assert 35 <= summary.accounts <= 55 and 50 <= summary.contacts <= 70
    assert summary.opportunities == summary.leads_qualified == 24

    # Progress moves forward to its end, phase by phase.
    dones = [done for _, done, _ in calls]
    assert dones == sorted(dones) and dones[-1] == calls[-1][2] and len(calls) >= 10
    assert {label for label, _, _ in calls} >= {"Users", "Teams", "Accounts", "Contacts", "Leads"}

    # The administrator signs in with the demo password; one salesperson works in French.
    admin = system.find_user(ADMIN_EMAIL)
    assert admin["fullname"] == "Alex Morgan"
    users = [
        user
        for user in system.retrieve_multiple_all("systemuser")
        if user["internalemailaddress"].endswith("@" + DEMO_DOMAIN)
    ]
    assert len(users) == 8
    french = [user for user in users if user["uilanguageid"] == 1036]
    assert len(french) == 1
    assert org.service(french[0]["internalemailaddress"]).language is Language.FRENCH
    with org.engine.connect() as connection:
        hashes = dict(
            connection.execute(
                sa.select(store.credentials.c.systemuserid, store.credentials.c.passwordhash)
            ).all()
        )
    assert all(user.id in hashes for user in users)
    assert verify_password(hashes[french[0].id], DEMO_PASSWORD)

    # Two units: the root renamed Contoso, Contoso Europe below it. Everyone holds one role.
    units = {unit["name"]: unit for unit in system.retrieve_multiple_all("businessunit")}
    assert set(units) == {"Contoso", "Contoso Europe"}
    assert units["Contoso"]["parentbusinessunitid"] is None
    assert units["Contoso Europe"]["parentbusinessunitid"] == units["Contoso"].to_reference()
    role_names = {role.id: role["name"] for role in system.retrieve_multiple_all("role")}
    roles = {
        link["systemuserid"].id: role_names[link["roleid"].id]
        for link in system.retrieve_multiple_all("systemuserroles")
    }
    staff = {(roles[user.id], user["businessunitid"].id) for user in users}
    assert staff == {
        ("System Administrator", units["Contoso"].id),
        ("Sales Manager", units["Contoso"].id),
        ("Sales Manager", units["Contoso Europe"].id),
        ("Salesperson", units["Contoso"].id),
        ("Salesperson", units["Contoso Europe"].id),
    }
    assert french[0]["businessunitid"].id == units["Contoso Europe"].id
    assert roles[french[0].id] == "Salesperson"
    salespeople = [user for user in users if roles[user.id] == "Salesperson"]
    assert len(salespeople) == 5

    # An owner team per unit, of that unit's salespeople, with the Salesperson role.
    teams = system.retrieve_multiple_all("team")
    assert {team["businessunitid"].id for team in teams} == {u.id for u in units.values()}
    members = {
        (link["teamid"].id, link["systemuserid"].id)
        for link in system.retrieve_multiple_all("teammembership")
    }
    for team in teams:
        unit_salespeople = {
            user.id for user in salespeople if user["businessunitid"] == team["businessunitid"]
        }
        assert {user for team_id, user in members if team_id == team.id} == unit_salespeople
    team_roles = system.retrieve_multiple_all("teamroles")
    assert sorted(role_names[link["roleid"].id] for link in team_roles) == ["Salesperson"] * 2

    # A realistic pipeline: mostly open, some qualified, every disqualification reason.
    leads = _leads(org)
    assert len(leads) == 200
    states = Counter(lead["statecode"] for lead in leads)
    assert states[0] > states[2] > 0 and states[1] > 0
    assert (states[0], states[1], states[2]) == (
        summary.leads_open,
        summary.leads_qualified,
        summary.leads_disqualified,
    )
    assert {lead["statuscode"] for lead in leads} == {1, 2, 3, 4, 5, 6, 7}

    # Each salesperson created their leads, owned by them or by their team; the admin and
    # the managers own none. Both units have leads.
    owners = Counter(lead["ownerid"] for lead in leads)
    people = {user.to_reference() for user in salespeople}
    team_refs = {team.to_reference() for team in teams}
    assert set(owners) == people | team_refs
    assert min(owners[person] for person in people) >= 15
    assert all(lead["createdby"] in people for lead in leads)
    assert all(
        lead["createdby"] == lead["ownerid"]
        or (lead["ownerid"].id, lead["createdby"].id) in members
        for lead in leads
    )
    assert all(lead["fullname"] and "@" in str(lead["emailaddress1"]) for lead in leads)
    by_unit = Counter(lead["owningbusinessunit"].id for lead in leads)
    assert by_unit[units["Contoso Europe"].id] >= 30 and by_unit[units["Contoso"].id] >= 100

    # Security holds: the admin reads all 200 leads; a salesperson or a manager reads the
    # leads of their unit, not those of the other; linked records belong to the lead's owner.
    assert len(org.service(ADMIN_EMAIL).retrieve_multiple_all("lead")) == 200
    for user in users:
        if user.id == admin.id:
            continue
        unit = user["businessunitid"].id
        visible = org.service(user.id).retrieve_multiple_all("lead", columns=["owningbusinessunit"])
        assert {lead["owningbusinessunit"].id for lead in visible} == {unit}
        assert len(visible) == by_unit[unit]
    account_owner = {
        account.id: account["ownerid"]
        for account in system.retrieve_multiple_all("account", columns=["ownerid"])
    }
    for lead in system.retrieve_multiple_all(
        "lead", columns=["ownerid", "parentaccountid", "statecode"]
    ):
        # (A qualified team lead links the account the qualifying member made.)
        if lead["parentaccountid"] is not None and lead["statecode"] != 1:
            assert account_owner[lead["parentaccountid"].id] == lead["ownerid"]

    # Campaigns are the admin's work, each owned by a unit's sales manager.
    campaigns = system.retrieve_multiple_all("campaign", columns=["createdby", "ownerid"])
    assert len(campaigns) == summary.campaigns
    assert {campaign["createdby"].id for campaign in campaigns} == {admin.id}
    assert {roles[campaign["ownerid"].id] for campaign in campaigns} == {"Sales Manager"}

    # Most contacts work for an account of the same owner; accounts have a primary contact.
    contacts = system.retrieve_multiple_all("contact", columns=["parentcustomerid", "ownerid"])
    linked = [c for c in contacts if c["parentcustomerid"] is not None]
    assert len(contacts) == summary.contacts and len(linked) >= 0.8 * len(contacts)
    assert all(c["parentcustomerid"].logical_name == "account" for c in linked)
    assert all(account_owner[c["parentcustomerid"].id] == c["ownerid"] for c in linked)
    accounts = system.retrieve_multiple_all(
        "account", columns=["name", "primarycontactid", "originatingleadid"]
    )
    assert len(accounts) == summary.accounts
    customers = [a for a in accounts if a["originatingleadid"] is None]
    assert len(customers) == 26
    assert all(account["primarycontactid"] is not None for account in customers)

    # Qualified leads were qualified for real: each has its opportunity, made from it.
    qualified = [
        lead
        for lead in system.retrieve_multiple_all(
            "lead", columns=["qualifyingopportunityid", "statecode"]
        )
        if lead["statecode"] == 1
    ]
    assert len(qualified) == 24
    assert all(lead["qualifyingopportunityid"] is not None for lead in qualified)

    # Running it again creates nothing and says so.
    again = install_demo(org, today=TODAY)
    assert again.already_installed
    assert (again.users, again.leads, again.accounts) == (8, 200, summary.accounts)
    assert (again.business_units, again.teams) == (2, 2)
    assert len(system.retrieve_multiple("systemuser", internalemailaddress=ADMIN_EMAIL)) == 1


@pytest.fixture(scope="module")
def leads_of_another_install() -> list[dict[str, object]]:
    """The leads of the demo installed anew, in memory: once for both databases."""
    with Organization.in_memory() as other:
        install_demo(other, today=TODAY)
        return _leads(other)


@pytest.mark.slow
def test_the_demo_is_the_same_every_time(
    demo: Demo, leads_of_another_install: list[dict[str, object]]
) -> None:
    assert leads_of_another_install == _leads(demo.org)
