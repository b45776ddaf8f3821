"""The words the demo organization is made of: its organization (units, staff, teams,
campaigns), people's names and job titles, places, companies, and what leads are about.

Companies are Microsoft's fictitious sample names (the ones Dynamics 365 sample data uses),
with ``.example`` domains; phone numbers come from the ranges reserved for fiction.
"""

from __future__ import annotations

from leadgate.sales.demo.data.companies import (
    ACCOUNTS,
    COMPANY_PREFIXES,
    COMPANY_SUFFIXES,
    DemoAccount,
)
from leadgate.sales.demo.data.organization import (
    BUSINESS_UNITS,
    CAMPAIGNS,
    EUROPE,
    MANAGERS,
    ROOT,
    SALESPEOPLE,
    TEAMS,
    DemoCampaign,
    DemoTeam,
    DemoUser,
)
from leadgate.sales.demo.data.people import FIRST_NAMES, JOB_TITLES, LAST_NAMES
from leadgate.sales.demo.data.places import CITIES, STREETS, City
from leadgate.sales.demo.data.topics import (
    COMMENTS,
    CUSTOMER_TOPICS,
    DESCRIPTIONS,
    PRODUCTS,
    RATINGS,
    TOPICS,
)

__all__ = [
    "ACCOUNTS",
    "BUSINESS_UNITS",
    "CAMPAIGNS",
    "CITIES",
    "COMMENTS",
    "COMPANY_PREFIXES",
    "COMPANY_SUFFIXES",
    "CUSTOMER_TOPICS",
    "DESCRIPTIONS",
    "EUROPE",
    "FIRST_NAMES",
    "JOB_TITLES",
    "LAST_NAMES",
    "MANAGERS",
    "PRODUCTS",
    "RATINGS",
    "ROOT",
    "SALESPEOPLE",
    "STREETS",
    "TEAMS",
    "TOPICS",
    "City",
    "DemoAccount",
    "DemoCampaign",
    "DemoTeam",
    "DemoUser",
]
