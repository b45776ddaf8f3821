"""What the demo's steps share: the generator every value comes from (seeded, so the same demo
every time), the users already made, and batches of requests run as the user who owns them."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.organization import Organization
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.service import OrganizationService
from leadgate.sales.demo import data

__all__ = ["BATCH", "Progress"]

BATCH = 25  # records per transaction: one progress tick each

Progress = Callable[[str, int, int], None]
"""``progress(label, done, total)``: ``done`` grows to ``total`` over the whole install."""


# --- generation -------------------------------------------------------------------------


@dataclass
class _Person:
    firstname: str
    lastname: str

    def email(self, domain: str) -> str:
        return f"{_ascii(self.firstname)}.{_ascii(self.lastname)}@{domain}"


@dataclass
class _Company:
    name: str
    domain: str
    industry: int
    city: data.City
    revenue: int
    employees: int
    reference: EntityReference | None = None  # the account, for existing customers
    contacts: list[tuple[_Person, EntityReference]] = field(default_factory=list)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "-")


# A unit of progress: the requests that make one record (create, then state or links).
_Item = tuple[Any, ...]


@dataclass
class _Salesperson:
    person: data.DemoUser
    service: OrganizationService


class _Builder:
    def __init__(
        self,
        organization: Organization,
        rng: random.Random,
        today: dt.date,
        progress: Progress | None,
    ) -> None:
        self.organization = organization
        self.system = organization.system_service()
        self.rng = rng
        self.today = today
        self.progress = progress
        self.done = 0
        self.total = 0
        self.names_used: set[tuple[str, str]] = set()
        self.currency: EntityReference | None = None
        self.units: dict[str, EntityReference] = {}  # business unit name -> unit
        self.managers: dict[str, EntityReference] = {}  # business unit name -> sales manager
        self.teams: dict[str, EntityReference] = {}  # business unit name -> its owner team
        self.salespeople: list[_Salesperson] = []
        self.account_owner: dict[uuid.UUID, int] = {}  # account id -> index in salespeople

    # --- helpers ------------------------------------------------------------------------

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def person(self) -> _Person:
        for _ in range(50):
            pair = (self.rng.choice(data.FIRST_NAMES), self.rng.choice(data.LAST_NAMES))
            if pair not in self.names_used:
                break
        self.names_used.add(pair)
        return _Person(*pair)

    def phone(self, city: data.City) -> str:
        digits = [self.rng.randrange(100) for _ in range(city.phone.count("{"))]
        return city.phone.format(*digits)

    def address(self, city: data.City) -> dict[str, Any]:
        return {
            "address1_line1": f"{self.rng.randint(1, 980)} {self.rng.choice(data.STREETS)}",
            "address1_city": city.name,
            "address1_stateorprovince": city.state or None,
            "address1_postalcode": self.rng.choice(city.postal_codes),
            "address1_country": city.country,
        }

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, weighted: Sequence[tuple[Any, float]]) -> Any:
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    def owner_for(self, city: data.City) -> int:
        """A salesperson (index) of the city's unit; French customers get the French speaker."""
        people = [salesperson.person for salesperson in self.salespeople]
        local = [i for i, person in enumerate(people) if person.unit == city.unit]
        chosen = [i for i in local if people[i].french == city.french] or local
        return self.rng.choices(chosen, [people[i].weight for i in chosen])[0]

    def tick(self, label: str, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(label, self.done, self.total)

    def run_as(self, service: OrganizationService, label: str, items: Iterable[_Item]) -> None:
        """Each batch of records in one transaction, as the user who owns them."""
        pending = list(items)
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            service.execute(
                ExecuteTransactionRequest(tuple(request for item in chunk for request in item))
            )
            self.tick(label, len(chunk))

    def run_by_salesperson(self, label: str, by_owner: dict[int, list[_Item]]) -> None:
        for owner, items in sorted(by_owner.items()):
            self.run_as(self.salespeople[owner].service, label, items)


def _city(name: str) -> data.City:
    return next(city for city in data.CITIES if city.name == name)
