"""What the demo organization holds, counted from its records, and the address and password
its users sign in with."""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.platform.service import OrganizationService

__all__ = ["ADMIN_EMAIL", "DEMO_DOMAIN", "DEMO_PASSWORD", "SALESPERSON_EMAIL", "DemoSummary"]

DEMO_DOMAIN = "demo.leadgate.example"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# The first of the demo's salespeople (data.SALESPEOPLE), the one `make run` suggests.
SALESPERSON_EMAIL = f"jordan.reyes@{DEMO_DOMAIN}"
DEMO_PASSWORD = "leadgate-demo"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo organization holds; ``already_installed`` when nothing was created."""

    admin_email: str
    users: int
    campaigns: int
    accounts: int
    contacts: int
    leads_open: int
    leads_qualified: int
    leads_disqualified: int
    opportunities: int = 0
    already_installed: bool = False
    business_units: int = 0
    teams: int = 0

    @property
    def leads(self) -> int:
        return self.leads_open + self.leads_qualified + self.leads_disqualified


def _existing_summary(system: OrganizationService) -> DemoSummary:
    emails = system.retrieve_multiple_all("systemuser", columns=["internalemailaddress"])
    users = [
        user
        for user in emails
        if str(user.get("internalemailaddress") or "").lower().endswith("@" + DEMO_DOMAIN)
    ]
    leads = system.retrieve_multiple_all("lead", columns=["statecode"])
    states = [lead["statecode"] for lead in leads]
    return DemoSummary(
        admin_email=ADMIN_EMAIL,
        users=len(users),
        campaigns=_count(system, "campaign"),
        accounts=_count(system, "account"),
        contacts=_count(system, "contact"),
        opportunities=_count(system, "opportunity"),
        leads_open=states.count(0),
        leads_qualified=states.count(1),
        leads_disqualified=states.count(2),
        already_installed=True,
        business_units=_count(system, "businessunit"),
        teams=_count(system, "team"),
    )


def _count(system: OrganizationService, table: str) -> int:
    return len(system.retrieve_multiple_all(table, columns=[f"{table}id"]))
