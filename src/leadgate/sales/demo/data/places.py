"""Where the demo's customers are: cities with their phone numbers (from the ranges reserved
for fiction) and postal codes, and streets."""

from __future__ import annotations

from dataclasses import dataclass

from leadgate.sales.demo.data.organization import EUROPE, ROOT

__all__ = ["CITIES", "STREETS", "City"]


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
