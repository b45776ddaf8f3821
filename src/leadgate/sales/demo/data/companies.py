"""The demo's companies: its customers' accounts (Microsoft's fictitious sample names, the ones
Dynamics 365 sample data uses, with ``.example`` domains) and the words new prospects' names
are made of."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACCOUNTS", "COMPANY_PREFIXES", "COMPANY_SUFFIXES", "DemoAccount"]


@dataclass(frozen=True)
class DemoAccount:
    name: str
    domain: str
    industry: int  # industrycode
    city: int  # index in CITIES
    revenue: int  # USD
    employees: int


ACCOUNTS = (
    DemoAccount("Contoso Ltd.", "contoso.example", 6, 1, 48_000_000, 420),
    DemoAccount("Fabrikam, Inc.", "fabrikam.example", 12, 0, 125_000_000, 1_350),
    DemoAccount("Adventure Works Cycles", "adventure-works.example", 32, 2, 36_500_000, 290),
    DemoAccount("Northwind Traders", "northwindtraders.example", 33, 5, 22_000_000, 160),
    DemoAccount("Litware, Inc.", "litwareinc.example", 7, 6, 9_800_000, 75),
    DemoAccount("Fourth Coffee", "fourthcoffee.example", 13, 0, 6_400_000, 120),
    DemoAccount("Alpine Ski House", "alpineskihouse.example", 14, 9, 4_200_000, 55),
    DemoAccount("Blue Yonder Airlines", "blueyonderairlines.example", 30, 8, 310_000_000, 2_800),
    DemoAccount("City Power & Light", "cpandl.example", 31, 5, 540_000_000, 3_900),
    DemoAccount("Coho Winery", "cohowinery.example", 17, 3, 12_000_000, 85),
    DemoAccount("Humongous Insurance", "humongousinsurance.example", 20, 7, 780_000_000, 5_200),
    DemoAccount("Lucerne Publishing", "lucernepublishing.example", 3, 7, 27_000_000, 210),
    DemoAccount("Margie's Travel", "margiestravel.example", 8, 4, 3_100_000, 40),
    DemoAccount("Proseware, Inc.", "proseware.example", 6, 3, 18_500_000, 140),
    DemoAccount("Southridge Video", "southridgevideo.example", 14, 4, 7_700_000, 95),
    DemoAccount("Tailspin Toys", "tailspintoys.example", 22, 10, 15_200_000, 130),
    DemoAccount("Trey Research", "treyresearch.example", 7, 6, 11_300_000, 88),
    DemoAccount("Wide World Importers", "wideworldimporters.example", 10, 12, 64_000_000, 510),
    DemoAccount("Wingtip Toys", "wingtiptoys.example", 22, 13, 5_900_000, 60),
    DemoAccount("Woodgrove Bank", "woodgrovebank.example", 16, 11, 920_000_000, 6_100),
    DemoAccount("Graphic Design Institute", "graphicdesigninstitute.example", 9, 2, 2_400_000, 35),
    DemoAccount("Consolidated Messenger", "consolidatedmessenger.example", 30, 8, 41_000_000, 640),
    DemoAccount("Relecloud", "relecloud.example", 6, 3, 73_000_000, 480),
    DemoAccount("Bellows College", "bellowscollege.example", 27, 11, 29_000_000, 350),
    DemoAccount("VanArsdel, Ltd.", "vanarsdel.example", 12, 14, 57_000_000, 470),
    DemoAccount("Boulangerie Lumière", "boulangerie-lumiere.example", 17, 15, 4_600_000, 48),
)

COMPANY_PREFIXES = (
    "Blue Harbor",
    "Summit",
    "Evergreen",
    "Ironwood",
    "Silver Creek",
    "Northstar",
    "Redwood",
    "Cedar Point",
    "Brightwater",
    "Granite",
    "Lakeshore",
    "Pinnacle",
    "Riverbend",
    "Sunrise",
    "Oakridge",
    "Clearview",
    "Maple Leaf",
    "Harborview",
    "Bluebird",
    "Copperfield",
    "Atlas",
    "Meridian",
    "Horizon",
    "Keystone",
    "Lighthouse",
    "Pacific Crest",
    "Willow Creek",
    "Stonegate",
    "Crescent",
    "Falcon",
)

COMPANY_SUFFIXES = (
    ("Logistics", 30),
    ("Dental Group", 11),
    ("Engineering", 12),
    ("Consulting", 7),
    ("Property Management", 29),
    ("Foods", 17),
    ("Outfitters", 22),
    ("Legal LLP", 21),
    ("Accounting", 1),
    ("Media", 3),
    ("Health Clinic", 11),
    ("Equipment Rentals", 15),
    ("Auto Group", 32),
    ("Insurance Brokers", 4),
    ("Capital", 16),
    ("Design Studio", 9),
    ("Distribution", 10),
    ("Manufacturing", 12),
    ("Bistro", 13),
    ("Energy", 31),
)
