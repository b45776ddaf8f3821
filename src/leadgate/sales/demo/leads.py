"""The demo's leads: where they stand (REFERENCE §1), the prospects and customers they come
from, their values, and what their salesperson did with them: contacted, qualified (an
opportunity, and the account and contact it needs) or disqualified."""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.records.state import SetStateRequest
from leadgate.sales.demo import data
from leadgate.sales.demo.builder import _ascii, _Builder, _Company, _Item
from leadgate.sales.qualify import QualifyLeadRequest

__all__ = ["LEAD_COUNT", "LEAD_STATES", "TEAM_LEADS"]

LEAD_COUNT = 200
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


class _LeadSteps(_Builder):
    """The leads' plan of states, the prospects, and each lead as its salesperson made it."""

    def lead_states(self) -> list[tuple[int, int]]:
        plan = [
            (state, status)
            for state, status, share in LEAD_STATES[1:]
            for _ in range(round(share * LEAD_COUNT))
        ]
        plan += [LEAD_STATES[0][:2]] * (LEAD_COUNT - len(plan))
        self.rng.shuffle(plan)
        return plan

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
