"""The demo organization, as someone trying leadgate for the first time finds it."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import sqlalchemy as sa

from leadgate.platform import Language, Organization
from leadgate.platform.auth import verify_password
from leadgate.platform.metadata import store
from leadgate.sales.demo import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, install_demo

TODAY = dt.date(2030, 1, 15)


def _leads(organization: Organization) -> list[dict[str, object]]:
    columns = ["subject", "fullname", "emailaddress1", "statecode", "statuscode", "ownerid",
               "createdby", "estimatedclosedate"]
    leads = organization.system_service().retrieve_multiple_all("lead", columns=columns)
    return [dict(lead) for lead in leads]


@pytest.mark.slow
def test_the_demo_organization(org: Organization) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = install_demo(org, progress=lambda *call: calls.append(call), today=TODAY)
    system = org.system_service()

    assert summary.admin_email == ADMIN_EMAIL
    assert not summary.already_installed
    assert (summary.users, summary.leads) == (5, 200)
    assert 20 <= summary.accounts <= 30 and 35 <= summary.contacts <= 45

    # Progress moves forward to its end, phase by phase.
    dones = [done for _, done, _ in calls]
    assert dones == sorted(dones) and dones[-1] == calls[-1][2] and len(calls) >= 10
    assert {label for label, _, _ in calls} >= {"Users", "Accounts", "Contacts", "Leads"}

    # The administrator signs in with the demo password; one salesperson works in French.
    admin = system.find_user(ADMIN_EMAIL)
    assert admin["fullname"] == "Alex Morgan"
    users = [
        user for user in system.retrieve_multiple_all("systemuser")
        if user["internalemailaddress"].endswith("@" + DEMO_DOMAIN)
    ]
    assert len(users) == 5
    french = [user for user in users if user["uilanguageid"] == 1036]
    assert len(french) == 1
    assert org.service(french[0]["internalemailaddress"]).language is Language.FRENCH
    with org.engine.connect() as connection:
        hashes = dict(connection.execute(
            sa.select(store.credentials.c.systemuserid, store.credentials.c.passwordhash)
        ).all())
    assert all(user.id in hashes for user in users)
    assert verify_password(hashes[french[0].id], DEMO_PASSWORD)

    # A realistic pipeline: mostly open, some qualified, every disqualification reason.
    leads = _leads(org)
    assert len(leads) == 200
    states = Counter(lead["statecode"] for lead in leads)
    assert states[0] > states[2] > 0 and states[1] > 0
    assert (states[0], states[1], states[2]) == (
        summary.leads_open, summary.leads_qualified, summary.leads_disqualified,
    )
    assert {lead["statuscode"] for lead in leads} == {1, 2, 3, 4, 5, 6, 7}

    # Each salesperson created and owns their own leads; the admin owns none.
    owners = Counter(lead["ownerid"] for lead in leads)
    salespeople = {user.to_reference() for user in users if user.id != admin.id}
    assert set(owners) == salespeople
    assert min(owners.values()) >= 20
    assert all(lead["createdby"] == lead["ownerid"] for lead in leads)
    assert all(lead["fullname"] and "@" in str(lead["emailaddress1"]) for lead in leads)

    # Most contacts work for an account; accounts have a primary contact.
    contacts = system.retrieve_multiple_all("contact", columns=["parentcustomerid"])
    linked = [c for c in contacts if c["parentcustomerid"] is not None]
    assert len(contacts) == summary.contacts and len(linked) >= 0.8 * len(contacts)
    assert all(c["parentcustomerid"].logical_name == "account" for c in linked)
    accounts = system.retrieve_multiple_all("account", columns=["name", "primarycontactid"])
    assert len(accounts) == summary.accounts
    assert all(account["primarycontactid"] is not None for account in accounts)

    # Running it again creates nothing and says so.
    again = install_demo(org, today=TODAY)
    assert again.already_installed
    assert (again.users, again.leads, again.accounts) == (5, 200, summary.accounts)
    assert len(system.retrieve_multiple("systemuser", internalemailaddress=ADMIN_EMAIL)) == 1


@pytest.mark.slow
def test_the_demo_is_the_same_every_time(org: Organization) -> None:
    install_demo(org, today=TODAY)
    with Organization.in_memory() as other:
        install_demo(other, today=TODAY)
        assert _leads(other) == _leads(org)
