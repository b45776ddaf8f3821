"""A leadgate served for a real browser: the demo organization in a temporary SQLite file,
served by uvicorn on a free 127.0.0.1 port from a background thread.

Used by the browser tests (``tests/browser/conftest.py``) and by ``make screenshots``
(``tools/screenshots.py``); test-only code, so it lives with the tests, not in the package.
Test data is made as SYSTEM through the helpers here, so that no test depends on another's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadgate.platform import Entity, EntityReference, Organization, OrganizationService
from leadgate.platform.engine.types import Language
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.sales.demo import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, install_demo
from leadgate.web import create_app
from tests.served import served

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "FRENCH_SALESPERSON",
    "SALESPERSON",
    "LiveServer",
    "demo_database",
    "serve",
]

# Demo salespeople (src/leadgate/sales/demo/data/organization.py): one reads English, one French.
SALESPERSON = f"jordan.reyes@{DEMO_DOMAIN}"
FRENCH_SALESPERSON = f"camille.laurent@{DEMO_DOMAIN}"
_numbers = itertools.count(1)


def demo_database(
    path: Path,
    *,
    template: Path | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> str:
    """An SQLite database at ``path`` holding the demo organization; returns its URL.

    With ``template`` (a database that already holds the demo) it is a copy: seconds saved.
    """
    url = f"sqlite:///{path}"
    if template is not None:
        shutil.copyfile(template, path)
        return url
    with Organization.create(url) as organization:
        install_demo(organization, progress=progress, today=today)
    return url


@dataclass
class LiveServer:
    """A served organization: ``url`` to open in a browser, ``org`` and ``system`` to make
    and check data behind the browser's back (as SYSTEM)."""

    url: str
    org: Organization
    system: OrganizationService = field(repr=False)

    def user_id(self, email: str) -> uuid.UUID:
        return self.system.find_user(email).id

    def user(self, email: str) -> Entity:
        return self.system.retrieve("systemuser", self.user_id(email))

    def add_user(
        self,
        *,
        role: str = "Salesperson",
        language: str = "en",
        password: str = DEMO_PASSWORD,
        email: str | None = None,
    ) -> str:
        """A new user of the root unit with this role and password (a fresh address unless
        given), for a test that changes its user; returns the address."""
        number = next(_numbers)
        email = email or f"tester{number}-{uuid.uuid4().hex[:6]}@{DEMO_DOMAIN}"
        root = self.system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0]
        roles = self.system.retrieve_multiple("role", name=role)
        user = EntityReference("systemuser", uuid.uuid4())
        self.system.execute(ExecuteTransactionRequest((
            CreateRequest(Entity(
                "systemuser", user.id, firstname="Test", lastname=f"User {number}",
                internalemailaddress=email, businessunitid=root.to_reference(),
                uilanguageid=Language(language).lcid,
            )),
            SetPasswordRequest(user, password),
            CreateRequest(Entity("systemuserroles", systemuserid=user,
                                 roleid=roles[0].to_reference())),
        )))  # fmt: skip
        return email

    def set_disabled(self, email: str, disabled: bool = True) -> None:
        """As ``leadgate users disable`` does: the user's sessions end at once."""
        self.system.update(Entity("systemuser", self.user_id(email), isdisabled=disabled))

    def create_lead(self, owner: str, **values: Any) -> uuid.UUID:
        """An open lead owned by the user with address ``owner`` (made as SYSTEM)."""
        number = next(_numbers)
        fields: dict[str, Any] = {
            "subject": f"Browser test {number}", "firstname": "Test",
            "lastname": f"Lead {number}", "companyname": f"Test Company {number}",
        }  # fmt: skip
        fields.update(values)
        fields["ownerid"] = EntityReference("systemuser", self.user_id(owner))
        return self.system.create("lead", **fields)


@contextlib.contextmanager
def serve(database_url: str) -> Iterator[LiveServer]:
    """Serve the organization at ``database_url`` until the block ends."""
    with (
        Organization.open(database_url) as organization,
        served(create_app(organization), lifespan="on") as port,
    ):
        yield LiveServer(f"http://127.0.0.1:{port}", organization, organization.system_service())
