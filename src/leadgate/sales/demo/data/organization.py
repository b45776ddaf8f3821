"""The demo's organization: its business units, sales managers and salespeople, owner teams
and campaigns."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BUSINESS_UNITS",
    "CAMPAIGNS",
    "EUROPE",
    "MANAGERS",
    "ROOT",
    "SALESPEOPLE",
    "TEAMS",
    "DemoCampaign",
    "DemoTeam",
    "DemoUser",
]

# The business units: the root is renamed to ROOT, EUROPE sits under it.
ROOT = "Contoso"
EUROPE = "Contoso Europe"
BUSINESS_UNITS = ((ROOT, None), (EUROPE, ROOT))


@dataclass(frozen=True)
class DemoUser:
    firstname: str
    lastname: str
    title: str
    french: bool = False
    weight: int = 1  # share of the leads this salesperson owns
    unit: str = ROOT
    role: str = "Salesperson"


@dataclass(frozen=True)
class DemoTeam:
    """An owner team of a unit's salespeople: it owns a few leads they all work."""

    name: str
    unit: str
    role: str = "Salesperson"


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    code: str
    source: int  # the leadsourcecode of the leads it brings
    budget: int
    expected: int
    status: int  # campaign statuscode (state Active)
    unit: str = ROOT  # owned by that unit's sales manager: its salespeople can link leads to it


MANAGERS = (
    DemoUser("Dana", "Whitfield", "Sales Manager", role="Sales Manager"),
    DemoUser("Oliver", "Bennett", "Sales Manager, Europe", unit=EUROPE, role="Sales Manager"),
)

SALESPEOPLE = (
    DemoUser("Jordan", "Reyes", "Account Executive", weight=6),
    DemoUser("Priya", "Natarajan", "Senior Account Executive", weight=5),
    DemoUser("Marcus", "Webb", "Sales Development Representative", weight=4),
    DemoUser("Camille", "Laurent", "Chargée d'affaires", french=True, weight=5, unit=EUROPE),
    DemoUser("Hannah", "Clarke", "Account Executive", weight=4, unit=EUROPE),
)

TEAMS = (
    DemoTeam("Inside Sales", ROOT),
    DemoTeam("Inside Sales Europe", EUROPE),
)

CAMPAIGNS = (
    DemoCampaign("Spring Webinar Series", "CMP-01001", 8, 12_000, 180_000, 2),
    DemoCampaign("Industry Trade Show", "CMP-01002", 7, 45_000, 400_000, 3),
    DemoCampaign("Customer Success Seminar", "CMP-01003", 6, 8_000, 120_000, 2, EUROPE),
    DemoCampaign("Online Ads — Q3", "CMP-01004", 1, 20_000, 150_000, 1),
    DemoCampaign("Salon Solutions Paris", "CMP-01005", 7, 30_000, 260_000, 2, EUROPE),
)
