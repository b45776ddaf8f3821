"""The demo's customers: accounts and their contacts, each created by the salesperson who owns
it and linked only to records that salesperson may append to."""

from __future__ import annotations

from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.records.crud import CreateRequest, UpdateRequest
from leadgate.sales.demo import data
from leadgate.sales.demo.builder import _Builder, _Company, _Item

__all__ = ["CONTACT_COUNT", "STANDALONE_CONTACTS"]

CONTACT_COUNT = 40
STANDALONE_CONTACTS = 6  # contacts with no company


class _CustomerSteps(_Builder):
    """Accounts, then contacts (every account gets its primary contact)."""

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
