"""Installing the demo: its steps in the order the records need each other, once per
organization."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from leadgate.platform.organization import Organization
from leadgate.sales.demo import data
from leadgate.sales.demo.builder import Progress
from leadgate.sales.demo.customers import CONTACT_COUNT, _CustomerSteps
from leadgate.sales.demo.leads import _LeadSteps
from leadgate.sales.demo.organization import _OrganizationSteps
from leadgate.sales.demo.summary import ADMIN_EMAIL, DemoSummary, _existing_summary

__all__ = ["DEMO_SEED", "install_demo"]

DEMO_SEED = 4_2024


def install_demo(
    organization: Organization,
    *,
    progress: Progress | None = None,
    seed: int = DEMO_SEED,
    today: dt.date | None = None,
) -> DemoSummary:
    """Fill ``organization`` with the demo; a second run finds the admin and creates nothing.

    ``progress`` is called after each batch of records; ``seed`` and ``today`` fix the
    generated values (dates are relative to ``today``, by default the current date).
    Each batch is one transaction: an install that fails half-way keeps the batches it
    finished (and its admin), so start again from a new database.
    """
    system = organization.system_service()
    if system.retrieve_multiple("systemuser", internalemailaddress=ADMIN_EMAIL).entities:
        return _existing_summary(system)
    builder = _Demo(organization, random.Random(seed), today or dt.date.today(), progress)
    return builder.run()


class _Demo(_OrganizationSteps, _CustomerSteps, _LeadSteps):
    """The whole demo, step by step."""

    def run(self) -> DemoSummary:
        lead_plan = self.lead_states()
        people = 1 + len(data.MANAGERS) + len(data.SALESPEOPLE)  # with the admin
        self.total = 1 + people + len(data.TEAMS) + len(data.CAMPAIGNS) + len(data.ACCOUNTS)
        self.total += CONTACT_COUNT + len(lead_plan)
        currencies = self.system.retrieve_multiple("transactioncurrency", isocurrencycode="USD")
        self.currency = currencies.entities[0].to_reference() if currencies.entities else None
        self.business_units()
        admin = self.users()
        admin_service = self.organization.service(admin)
        self.owner_teams(admin_service)
        campaigns = self.campaigns(admin_service)
        companies = self.accounts()
        self.contacts(companies)
        self.leads(companies, campaigns, lead_plan)
        # Qualified leads made accounts, contacts and opportunities too: count what is there.
        return replace(_existing_summary(self.organization.system_service()), users=people,
                       already_installed=False)  # fmt: skip
