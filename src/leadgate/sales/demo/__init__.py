"""A demo organization: users, accounts, contacts and a realistic pipeline of leads.

Everything is created through the pipeline, as the person who would have created it in a
real organization, within what their security role allows (REFERENCE §6): business units and
users by SYSTEM; teams, and campaigns for each unit's sales manager, by the administrator;
accounts, contacts and leads by the salesperson who owns them (or whose team does), linked
only to records that salesperson may append to. A seeded generator makes the same demo every time
(given the same ``today``), with no network and no dependency beyond the standard library.

One module per step, in the order the records need each other: ``organization`` (units,
users, teams, campaigns), ``customers`` (accounts, contacts) and ``leads``; ``builder`` holds
what the steps share, ``install`` runs them, ``summary`` counts what the demo holds, and
``data`` is the words it is made of.
"""

from __future__ import annotations

from leadgate.sales.demo.builder import Progress
from leadgate.sales.demo.install import install_demo
from leadgate.sales.demo.summary import (
    ADMIN_EMAIL,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    SALESPERSON_EMAIL,
    DemoSummary,
)

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "SALESPERSON_EMAIL",
    "DemoSummary",
    "Progress",
    "install_demo",
]
