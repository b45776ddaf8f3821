"""A demo organization: users, accounts, contacts and a realistic pipeline of leads.

Everything is created through the pipeline, as the person who would have created it in a
real organization, within what their security role allows (REFERENCE §6): business units and
users by SYSTEM; teams, and campaigns for each unit's sales manager, by the administrator;
accounts, contacts and leads by the salesperson who owns them (or whose team does), linked
only to records that salesperson may append to. A seeded generator makes the same demo every time
(given the same ``today``), with no network and no dependency beyond the standard library.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.types import Language
from leadgate.platform.organization import Organization
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.security.messages import AddMembersTeamRequest
from leadgate.platform.service import OrganizationService
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.sales import demo_data as data
from leadgate.sales.qualify import QualifyLeadRequest

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "DemoSummary",
    "Progress",
    "install_demo",
]

DEMO_DOMAIN = "demo.leadgate.example"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_PASSWORD = "leadgate-demo"
DEMO_SEED = 4_2024
LEAD_COUNT = 200
CONTACT_COUNT = 40
STANDALONE_CONTACTS = 6  # contacts with no company
BATCH = 25  # records per transaction: one progress tick each
TEAM_LEADS = 0.08  # share of the new prospects' leads owned by the salesperson's team

# Where the leads stand: (statecode, statuscode, share of the leads). REFERENCE §1.
LEAD_STATES = (
    (0, 1, 0.48),  # Open: New
    (0, 2, 0.22),  # Open: Contacted
    (1, 3, 0.12),  # Qualified
    (2, 4, 0.06),  # Disqualified: Lost
    (2, 5, 0.045),  # Disqualified: Cannot Contact
    (2, 6, 0.045),  # Disqualified: No Longer Interested
    (2, 7, 0.03),  # Disqualified: Canceled
)

Progress = Callable[[str, int, int], None]
"""``progress(label, done, total)``: ``done`` grows to ``total`` over the whole install."""


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
    builder = _Builder(organization, random.Random(seed), today or dt.date.today(), progress)
    return builder.run()


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

    # --- the whole demo -----------------------------------------------------------------

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

    def lead_states(self) -> list[tuple[int, int]]:
        plan = [
            (state, status)
            for state, status, share in LEAD_STATES[1:]
            for _ in range(round(share * LEAD_COUNT))
        ]
        plan += [LEAD_STATES[0][:2]] * (LEAD_COUNT - len(plan))
        self.rng.shuffle(plan)
        return plan

    def business_units(self) -> None:
        """The root unit takes the company's name; the others go below it (as SYSTEM)."""
        root = self.system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
        requests: list[Any] = []
        for name, parent in data.BUSINESS_UNITS:
            if parent is None:
                self.units[name] = root.to_reference()
                requests.append(UpdateRequest(Entity("businessunit", root.id, name=name)))
                continue
            self.units[name] = EntityReference("businessunit", self.new_id())
            requests.append(CreateRequest(Entity(
                "businessunit", self.units[name].id, name=name,
                parentbusinessunitid=self.units[parent],
            )))  # fmt: skip
        self.system.execute(ExecuteTransactionRequest(tuple(requests)))
        self.tick("Business units", 1)

    def users(self) -> uuid.UUID:
        """Every user with their unit, password and role, as SYSTEM; returns the admin's id."""
        admin = data.DemoUser("Alex", "Morgan", "System Administrator", role="System Administrator")
        roles = {
            role["name"]: role.to_reference()
            for role in self.system.retrieve_multiple_all("role", columns=["name"])
        }
        admin_id = None
        for person in (admin, *data.MANAGERS, *data.SALESPEOPLE):
            user_id = self.new_id()
            user = EntityReference("systemuser", user_id)
            email = (
                ADMIN_EMAIL
                if person is admin
                else (_Person(person.firstname, person.lastname).email(DEMO_DOMAIN))
            )
            home = "Paris" if person.french else "Seattle" if person.unit == data.ROOT else "London"
            values = Entity(
                "systemuser",
                user_id,
                firstname=person.firstname,
                lastname=person.lastname,
                internalemailaddress=email,
                title=person.title,
                mobilephone=self.phone(_city(home)),
                uilanguageid=1036 if person.french else 1033,
                businessunitid=self.units[person.unit],
            )
            # The user, their password and role together: never a demo user who cannot work.
            self.system.execute(ExecuteTransactionRequest((
                CreateRequest(values),
                SetPasswordRequest(user, DEMO_PASSWORD),
                CreateRequest(Entity("systemuserroles", systemuserid=user,
                                     roleid=roles[person.role])),
            )))  # fmt: skip
            if person is admin:
                admin_id = user_id
            elif person.role == "Sales Manager":
                self.managers[person.unit] = user
            elif person in data.SALESPEOPLE:
                language = Language.FRENCH if person.french else Language.ENGLISH
                service = self.organization.service(user_id, language=language)
                self.salespeople.append(_Salesperson(person, service))
            self.tick("Users", 1)
        assert admin_id is not None
        return admin_id

    def owner_teams(self, admin: OrganizationService) -> None:
        """An owner team per unit, with the unit's salespeople and a role, made by the admin."""
        roles = {
            role["name"]: role.to_reference()
            for role in admin.retrieve_multiple_all("role", columns=["name"])
        }
        for team in data.TEAMS:
            reference = EntityReference("team", self.new_id())
            members = tuple(
                person.service.user_id for person in self.salespeople
                if person.person.unit == team.unit
            )  # fmt: skip
            admin.execute(ExecuteTransactionRequest((
                CreateRequest(Entity("team", reference.id, name=team.name, teamtype=0,
                                     businessunitid=self.units[team.unit])),
                CreateRequest(Entity("teamroles", teamid=reference, roleid=roles[team.role])),
                AddMembersTeamRequest(reference.id, members),
            )))  # fmt: skip
            self.teams[team.unit] = reference
            self.tick("Teams", 1)

    def campaigns(self, admin: OrganizationService) -> dict[str, list[tuple[EntityReference, int]]]:
        """Campaigns by unit: the admin creates them for the unit's sales manager to own."""
        found: dict[str, list[tuple[EntityReference, int]]] = {}
        items = []
        for campaign in data.CAMPAIGNS:
            reference = EntityReference("campaign", self.new_id())
            items.append((CreateRequest(Entity(
                "campaign", reference.id,
                name=campaign.name, codename=campaign.code, statuscode=campaign.status,
                budgetedcost=campaign.budget, expectedrevenue=campaign.expected,
                transactioncurrencyid=self.currency, ownerid=self.managers[campaign.unit],
            )),))  # fmt: skip
            found.setdefault(campaign.unit, []).append((reference, campaign.source))
        self.run_as(admin, "Campaigns", items)
        return found

    def accounts(self) -> list[_Company]:
        companies: list[_Company] = []
        by_owner: dict[int, list[_Item]] = {}
        for number, account in enumerate(data.ACCOUNTS, start=1001):
            city = data.CITIES[account.city]
            company = _Company(
                account.name,
                account.domain,
                account.industry,
                city,
                account.revenue,
                account.employees,
                EntityReference("account", self.new_id()),
            )
            assert company.reference is not None
            values = {
                "name": account.name,
                "accountnumber": f"ACC-{number}",
                "telephone1": self.phone(city),
                "emailaddress1": f"info@{account.domain}",
                "websiteurl": f"https://www.{account.domain}",
                "industrycode": account.industry,
                "revenue": account.revenue,
                "numberofemployees": account.employees,
                "transactioncurrencyid": self.currency,
                "preferredcontactmethodcode": self.pick(((1, 6), (2, 3), (3, 2))),
                **self.address(city),
            }
            if self.chance(0.2):
                values["donotbulkemail"] = True
            owner = self.owner_for(city)
            by_owner.setdefault(owner, []).append(
                (CreateRequest(Entity("account", company.reference.id, values)),)
            )
            self.account_owner[company.reference.id] = owner
            companies.append(company)
        self.run_by_salesperson("Accounts", by_owner)
        return companies

    def contacts(self, companies: list[_Company]) -> None:
        # Every account has a contact (its primary contact), a few have more; some have none.
        linked = CONTACT_COUNT - STANDALONE_CONTACTS
        employers: list[_Company | None] = list(companies)
        employers += self.rng.choices(companies, k=max(0, linked - len(companies)))
        employers += [None] * STANDALONE_CONTACTS
        by_owner: dict[int, list[_Item]] = {}
        for company in employers:
            person = self.person()
            reference = EntityReference("contact", self.new_id())
            city = company.city if company else self.rng.choice(data.CITIES)
            domain = company.domain if company else "mail.example"
            values: dict[str, Any] = {
                "firstname": person.firstname,
                "lastname": person.lastname,
                "jobtitle": self.rng.choice(data.JOB_TITLES),
                "emailaddress1": person.email(domain),
                "telephone1": self.phone(city),
                "preferredcontactmethodcode": self.pick(((1, 5), (2, 3), (3, 2))),
                **self.address(city),
            }
            if self.chance(0.5):
                values["mobilephone"] = self.phone(city)
            if self.chance(0.1):
                values["donotemail"] = True
            requests: list[Any] = []
            if company is not None:
                assert company.reference is not None
                values["parentcustomerid"] = company.reference
                # Contacts follow the account: a salesperson links only records they own.
                owner = self.account_owner[company.reference.id]
                requests.append(CreateRequest(Entity("contact", reference.id, values)))
                if not company.contacts:
                    requests.append(
                        UpdateRequest(
                            Entity("account", company.reference.id, primarycontactid=reference)
                        )
                    )
                company.contacts.append((person, reference))
            else:
                owner = self.owner_for(city)
                requests.append(CreateRequest(Entity("contact", reference.id, values)))
            by_owner.setdefault(owner, []).append(tuple(requests))
        self.run_by_salesperson("Contacts", by_owner)

    def prospects(self) -> list[_Company]:
        """New companies the leads come from (some send more than one lead)."""
        found = []
        for prefix in self.rng.sample(data.COMPANY_PREFIXES, len(data.COMPANY_PREFIXES)):
            for suffix, industry in self.rng.sample(data.COMPANY_SUFFIXES, 4):
                name = f"{prefix} {suffix}"
                employees = int(self.rng.lognormvariate(4.0, 1.2)) + 3
                found.append(
                    _Company(
                        name,
                        f"{_ascii(prefix)}{_ascii(suffix.split()[0])}.example",
                        industry,
                        self.rng.choice(data.CITIES),
                        revenue=employees * self.rng.randrange(60_000, 250_000, 5_000),
                        employees=employees,
                    )
                )
        return found

    def leads(
        self,
        customers: list[_Company],
        campaigns: dict[str, list[tuple[EntityReference, int]]],
        plan: list[tuple[int, int]],
    ) -> None:
        prospects = self.prospects()
        by_owner: dict[int, list[_Item]] = {}
        for state, status in plan:
            lead_id = self.new_id()
            creator, values = self.lead_values(prospects, customers, campaigns, state, status)
            # Created by a salesperson (for them or their team), then worked: contacted,
            # qualified (an opportunity, and the account and contact it needs) or disqualified.
            requests: list[Any] = [CreateRequest(Entity("lead", lead_id, values))]
            reference = EntityReference("lead", lead_id)
            if state == 1:
                requests.append(QualifyLeadRequest(reference, status))
            elif (state, status) != (0, 1):
                requests.append(SetStateRequest(reference, state, status))
            by_owner.setdefault(creator, []).append(tuple(requests))
        self.run_by_salesperson("Leads", by_owner)

    def lead_values(
        self,
        prospects: list[_Company],
        customers: list[_Company],
        campaigns: dict[str, list[tuple[EntityReference, int]]],
        state: int,
        status: int,
    ) -> tuple[int, dict[str, Any]]:
        """Who creates the lead (index in salespeople), and its values."""
        rng = self.rng
        values: dict[str, Any] = {}
        existing = self.chance(0.12)
        company = rng.choice(customers if existing else prospects)
        if existing and company.contacts and self.chance(0.35):
            # A lead about someone we already know: the contact (and account) exist.
            person, contact = rng.choice(company.contacts)
            values["parentcontactid"] = contact
        else:
            person = self.person()
        if existing:
            assert company.reference is not None
            # The account's owner works its leads: only they may link records to it.
            values["parentaccountid"] = company.reference
            creator = self.account_owner[company.reference.id]
        else:
            creator = self.owner_for(company.city)
        unit = self.salespeople[creator].person.unit
        if not existing and self.chance(TEAM_LEADS):
            values["ownerid"] = self.teams[unit]  # for the whole team: any member works it
        product = rng.choice(data.PRODUCTS)
        topics = data.CUSTOMER_TOPICS if existing else data.TOPICS
        values["subject"] = rng.choice(topics).format(
            product=product, company=company.name, count=rng.choice((5, 10, 25, 50, 100, 250))
        )
        values.update(
            firstname=person.firstname,
            lastname=person.lastname,
            jobtitle=rng.choice(data.JOB_TITLES),
            companyname=company.name,
            emailaddress1=person.email(company.domain),
            telephone1=self.phone(company.city),
            industrycode=company.industry,
            numberofemployees=company.employees,
            revenue=company.revenue,
            transactioncurrencyid=self.currency,
            **self.address(company.city),
        )
        if self.chance(0.45):
            values["mobilephone"] = self.phone(company.city)
        if self.chance(0.6):
            values["websiteurl"] = f"https://www.{company.domain}"
        # A salesperson may link a lead only to the campaigns of their own unit.
        local = campaigns.get(unit, [])
        campaign = rng.choice(local) if local and self.chance(0.25) else None
        if campaign is not None:
            values["campaignid"], values["leadsourcecode"] = campaign
        elif self.chance(0.85):
            values["leadsourcecode"] = self.pick(
                ((1, 2), (2, 3), (3, 3), (4, 2), (5, 1), (6, 1), (7, 2), (8, 6), (9, 3), (10, 1))
            )
        values["leadqualitycode"] = self.pick(data.RATINGS[state])
        worked = status != 1  # somebody talked to them: the qualification fields are filled
        if worked or self.chance(0.3):
            budget = rng.randrange(5_000, 250_000, 500)
            values.update(
                budgetamount=budget,
                estimatedvalue=int(budget * rng.uniform(0.6, 1.4)) // 100 * 100,
                budgetstatus=self.pick(((0, 2), (1, 3), (2, 3), (3, 2))),
                purchasetimeframe=self.pick(((0, 1), (1, 3), (2, 3), (3, 2), (4, 1))),
                purchaseprocess=self.pick(((0, 3), (1, 4), (2, 1))),
                need=self.pick(((0, 3), (1, 3), (2, 2), (3, 1))),
                decisionmaker=self.chance(0.45),
                estimatedclosedate=self.today + dt.timedelta(days=rng.randint(14, 240)),
            )
        if (worked and state != 2) or self.chance(0.1):
            values["qualificationcomments"] = self.comment(company, product)
        if self.chance(0.35):
            values["description"] = rng.choice(data.DESCRIPTIONS).format(
                product=product, company=company.name
            )
        values["preferredcontactmethodcode"] = self.pick(((1, 6), (2, 3), (3, 2), (5, 1)))
        values["donotbulkemail"] = self.chance(0.15)
        values["donotemail"] = self.chance(0.04)
        values["donotphone"] = self.chance(0.04)
        return creator, {name: value for name, value in values.items() if value is not None}

    def comment(self, company: _Company, product: str) -> str:
        return self.rng.choice(data.COMMENTS).format(company=company.name, product=product)


def _city(name: str) -> data.City:
    return next(city for city in data.CITIES if city.name == name)
