"""The words the demo organization is made of: people, companies, places and topics.

Companies are Microsoft's fictitious sample names (the ones Dynamics 365 sample data uses),
with ``.example`` domains; phone numbers come from the ranges reserved for fiction.
"""

from __future__ import annotations

from dataclasses import dataclass

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

# The business units: the root is renamed to ROOT, EUROPE sits under it.
ROOT = "Contoso"
EUROPE = "Contoso Europe"
BUSINESS_UNITS = ((ROOT, None), (EUROPE, ROOT))


@dataclass(frozen=True)
class City:
    name: str
    state: str
    country: str
    phone: str  # a number in a range reserved for fiction; each {:02d} gets two digits
    postal_codes: tuple[str, ...]

    @property
    def french(self) -> bool:
        return self.country == "France" or self.state == "QC"

    @property
    def unit(self) -> str:
        """The business unit whose salespeople work customers of this city."""
        return EUROPE if self.country in ("France", "United Kingdom") else ROOT


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
class DemoAccount:
    name: str
    domain: str
    industry: int  # industrycode
    city: int  # index in CITIES
    revenue: int  # USD
    employees: int


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

# North America 555-0100..0199, the UK's Ofcom drama ranges, France's 01 99 00 and 04 65 71.
CITIES = (
    City("Seattle", "WA", "United States", "+1 206-555-01{:02d}", ("98101", "98104", "98109")),
    City("Redmond", "WA", "United States", "+1 425-555-01{:02d}", ("98052", "98053")),
    City("Portland", "OR", "United States", "+1 503-555-01{:02d}", ("97201", "97205")),
    City(
        "San Francisco",
        "CA",
        "United States",
        "+1 415-555-01{:02d}",
        ("94105", "94107", "94110"),
    ),
    City("Austin", "TX", "United States", "+1 512-555-01{:02d}", ("78701", "78704")),
    City("Chicago", "IL", "United States", "+1 312-555-01{:02d}", ("60601", "60606", "60611")),
    City("Boston", "MA", "United States", "+1 617-555-01{:02d}", ("02108", "02110", "02116")),
    City("New York", "NY", "United States", "+1 212-555-01{:02d}", ("10001", "10016", "10036")),
    City("Atlanta", "GA", "United States", "+1 404-555-01{:02d}", ("30303", "30308")),
    City("Denver", "CO", "United States", "+1 303-555-01{:02d}", ("80202", "80205")),
    City("Toronto", "ON", "Canada", "+1 416-555-01{:02d}", ("M5H 2N2", "M5V 3L9")),
    City("Montréal", "QC", "Canada", "+1 514-555-01{:02d}", ("H2Y 1C6", "H3B 4W8")),
    City(
        "London",
        "",
        "United Kingdom",
        "+44 20 7946 09{:02d}",
        ("EC1A 1BB", "SW1A 2AA", "W1D 3QF"),
    ),
    City("Manchester", "", "United Kingdom", "+44 161 496 09{:02d}", ("M1 1AE", "M2 5DB")),
    City(
        "Paris",
        "Île-de-France",
        "France",
        "+33 1 99 00 {:02d} {:02d}",
        ("75002", "75008", "75011"),
    ),
    City("Lyon", "Auvergne-Rhône-Alpes", "France", "+33 4 65 71 {:02d} {:02d}", ("69002", "69003")),
)

STREETS = (
    "Main Street",
    "Pine Street",
    "Market Street",
    "Oak Avenue",
    "Lakeview Drive",
    "Harbor Way",
    "Industrial Parkway",
    "Commerce Boulevard",
    "Elm Street",
    "Park Avenue",
    "Riverside Road",
    "Maple Lane",
    "Station Road",
    "High Street",
    "Rue de la Paix",
    "Avenue Victor Hugo",
    "Quai Saint-Antoine",
)

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

CAMPAIGNS = (
    DemoCampaign("Spring Webinar Series", "CMP-01001", 8, 12_000, 180_000, 2),
    DemoCampaign("Industry Trade Show", "CMP-01002", 7, 45_000, 400_000, 3),
    DemoCampaign("Customer Success Seminar", "CMP-01003", 6, 8_000, 120_000, 2, EUROPE),
    DemoCampaign("Online Ads — Q3", "CMP-01004", 1, 20_000, 150_000, 1),
    DemoCampaign("Salon Solutions Paris", "CMP-01005", 7, 30_000, 260_000, 2, EUROPE),
)

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isabella",
    "Lucas",
    "Mia",
    "Oliver",
    "Amelia",
    "Elijah",
    "Harper",
    "James",
    "Evelyn",
    "Benjamin",
    "Abigail",
    "Henry",
    "Emily",
    "Alexander",
    "Ella",
    "Daniel",
    "Grace",
    "Samuel",
    "Chloe",
    "David",
    "Zoe",
    "Matthew",
    "Nora",
    "Aiden",
    "Hannah",
    "Jackson",
    "Leah",
    "Sebastian",
    "Aria",
    "Mateo",
    "Layla",
    "Ryan",
    "Sarah",
    "Nathan",
    "Maya",
    "Gabriel",
    "Julia",
    "Isaac",
    "Anna",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Arjun",
    "Ananya",
    "Omar",
    "Fatima",
    "Diego",
    "Lucía",
    "Chloé",
    "Louis",
    "Léa",
    "Hugo",
    "Manon",
    "Théo",
    "Inès",
    "Mathis",
    "Camille",
    "Jules",
    "Sven",
    "Ingrid",
    "Kwame",
    "Amara",
    "Tomás",
    "Sofía",
    "Niamh",
    "Seán",
    "Aleksander",
    "Zofia",
)

LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Chen",
    "Patel",
    "Kim",
    "Tanaka",
    "Okafor",
    "Kowalski",
    "Novak",
    "Larsen",
    "O'Brien",
    "Murphy",
    "Dubois",
    "Moreau",
    "Lefèvre",
    "Girard",
    "Bonnet",
    "Fontaine",
    "Rousseau",
    "Mercier",
    "Schmidt",
    "Fischer",
    "Rossi",
    "Bianchi",
    "Silva",
    "Santos",
    "Haddad",
    "Mensah",
)

JOB_TITLES = (
    "CEO",
    "CFO",
    "COO",
    "CIO",
    "CTO",
    "VP of Sales",
    "VP of Operations",
    "IT Director",
    "Head of Procurement",
    "Purchasing Manager",
    "Operations Manager",
    "Office Manager",
    "IT Manager",
    "Marketing Director",
    "Finance Manager",
    "Facilities Manager",
    "Customer Service Manager",
    "Owner",
    "General Manager",
    "Project Manager",
    "Business Analyst",
    "Systems Administrator",
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

PRODUCTS = (
    "Customer Portal",
    "Analytics Dashboard",
    "Mobile Sales App",
    "Data Warehouse Migration",
    "Premium Support Plan",
    "On-site Training",
    "Integration Services",
    "Security Audit",
    "Field Service Suite",
    "Cloud Backup",
    "Managed Wi-Fi",
    "Marketing Automation",
)

TOPICS = (
    "Interested in {product}",
    "{count} licenses of {product}",
    "{product} pilot",
    "Quote request: {product}",
    "{product} for {company}",
    "Demo of {product} requested",
)

# Topics of leads that come from existing customers.
CUSTOMER_TOPICS = (
    "Upgrade to {product}",
    "Renewal and expansion: {product}",
    "{count} more licenses of {product}",
    "Add {product} to the current contract",
)

# Lead ratings (1 Hot, 2 Warm, 3 Cold) weighted by state: qualified leads were mostly hot,
# disqualified ones cold.
RATINGS = {
    0: ((1, 3), (2, 5), (3, 2)),
    1: ((1, 6), (2, 3), (3, 1)),
    2: ((1, 1), (2, 3), (3, 6)),
}

# Qualification comments and descriptions, by the salesperson who worked the lead.
COMMENTS = (
    "Spoke with the buyer: {company} wants {product} live before the end of the quarter.",
    "Budget approved in principle; the committee meets next month to decide on {product}.",
    "Currently using a competitor; unhappy with support. Sent pricing for {product}.",
    "Needs a reference customer in the same industry before moving forward.",
    "Decision maker identified. Asked for a proposal covering {product} and training.",
    "Follow-up call booked; they want a live demo of {product} for their team.",
)

DESCRIPTIONS = (
    "Filled in the contact form asking about {product}.",
    "Met at the booth; {company} is reviewing vendors this year.",
    "Referred by an existing customer. Interested in {product}.",
    "Downloaded the {product} white paper twice.",
    "Asked for a call back about pricing and availability.",
)
