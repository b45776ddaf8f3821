"""Fixtures for the Web API tests: a client signed in as the admin, and a custom table.

Requests go through FastAPI's TestClient (base URL http://testserver) to the organization
of the shared ``org`` fixture, on SQLite and on PostgreSQL.

Which databases a test runs on is chosen test by test, on purpose:

- **Both** (the default): every test whose answer the database decides. Values stored and
  read back (decimals, money, dates, text), ``$filter``/``$orderby``/``$count`` and paging,
  alternate keys and row versions (etags, ``If-Match``), writes that must commit or roll back
  together (QualifyLead, process moves), what security lets a user see (collections are
  filtered in SQL), and ``leadgate serve`` on each kind of database.
- **SQLite alone**, with ``@pytest.mark.interface_only`` (or ``pytestmark`` for a module):
  tests of the Web API layer itself, whose answer no database changes. Parsing of bodies,
  URLs, query options and headers; routing (404, 405); sign-in (401 and its challenge);
  languages; how a platform refusal maps to a status and an error body (the rule behind it
  has its storage test in tests/integration, on both databases); response headers,
  ``$select`` shapes and annotations. ``pytest --all-backends`` runs them on PostgreSQL too.

When in doubt, leave a test on both: a test run twice costs a second, a bug that only one
database has costs more.
"""

from __future__ import annotations

import shutil
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadgate.platform import (
    EntityReference,
    ImportSolutionRequest,
    LeadgateError,
    Organization,
    OrganizationService,
)
from leadgate.platform.customization.solutions import parse_solution
from leadgate.platform.users.messages import CreateApiTokenRequest
from leadgate.web import create_app
from tests.conftest import ADMIN_ID

with warnings.catch_warnings():
    # Starlette asks for the httpx2 package, which this environment does not have yet.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API = "/api/data/v9.2"
PLUGINS = "tests.e2e.plugins:"


@pytest.fixture
def token(system: OrganizationService) -> str:
    return system.execute(CreateApiTokenRequest(EntityReference("systemuser", ADMIN_ID))).token


@pytest.fixture
def anonymous(org: Organization) -> Iterator[TestClient]:
    """A client without credentials."""
    with TestClient(create_app(org)) as client:
        yield client


@pytest.fixture
def api(org: Organization, token: str) -> Iterator[TestClient]:
    """A client signed in as the admin (English user)."""
    with TestClient(create_app(org), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def sqlite_org(sqlite_template: Path, tmp_path: Path) -> Iterator[Organization]:
    """An organization on SQLite only: for HTTP-layer tests whose answer no database changes."""
    path = tmp_path / "leadgate.db"
    shutil.copyfile(sqlite_template, path)
    with Organization.open(f"sqlite:///{path}") as organization:
        yield organization


@pytest.fixture
def sqlite_api(sqlite_org: Organization) -> Iterator[TestClient]:
    """A client signed in as the admin, on SQLite only; a 500 is answered, not raised."""
    token = (
        sqlite_org.system_service()
        .execute(CreateApiTokenRequest(EntityReference("systemuser", ADMIN_ID)))
        .token
    )
    app = create_app(sqlite_org)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app, headers=headers, raise_server_exceptions=False) as client:
        yield client


# new_project (entity set new_projects): a column of every type, one of them required.
PROJECT_COLUMNS: dict[str, dict[str, Any]] = {
    "new_name": {"type": "string", "required": "required", "label": ["Name", "Nom"]},
    "new_code": {"type": "string", "max_length": 10},
    "new_count": {"type": "integer"},
    "new_budget": {"type": "money"},
    "new_due": {"type": "datetime"},
    "new_start": {"type": "datetime", "format": "dateonly"},
    "new_phase": {
        "type": "choice",
        "options": [
            [1, "Plan", "Planifier"],
            [2, "Build", "Construire"],
            [3, "Done", "Terminé"],
        ],
    },
    "new_active": {"type": "boolean"},
    "new_currencyid": {"type": "lookup", "targets": ["transactioncurrency"]},
    "new_sponsor": {"type": "string", "required": "required"},
}
PROJECT = {
    "solution": {"name": "e2e_projects", "version": 1},
    "tables": {
        "new_project": {
            "entity_set": "new_projects",
            "label": ["Project", "Projet"],
            "primary_name": "new_name",
            "columns": PROJECT_COLUMNS,
        }
    },
    "relationships": {
        "transactioncurrency_new_project": {
            "referenced": "transactioncurrency",
            "referencing": "new_project",
            "column": "new_currencyid",
        }
    },
}


@pytest.fixture
def project_table(system: OrganizationService) -> str:
    """The custom table ``new_project``, imported as a solution: one message, one publish.

    (CreateEntity + CreateAttribute + PublishAllXml would do the same in 5x the time.)
    """
    system.execute(ImportSolutionRequest(parse_solution(PROJECT, custom=True)))
    return "new_projects"


@pytest.fixture
def new_project(api: TestClient, project_table: str) -> Callable[..., str]:
    """Create a project through the Web API; returns its id."""

    def create(**values: Any) -> str:
        body = {"new_name": "Apollo", "new_sponsor": "Ada", **values}
        response = api.post(f"{API}/new_projects", json=body)
        assert response.status_code == 204, response.text
        return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")

    return create


def platform_error(action: Callable[[], Any]) -> LeadgateError:
    """The error the platform raises for the same operation through the Python API."""
    with pytest.raises(LeadgateError) as caught:
        action()
    return caught.value


def assert_error(
    response: httpx.Response,
    status: int,
    expected: LeadgateError | str,
    language: str = "en",
) -> str:
    """A Dataverse error body with this status and code, in ``language``; returns the text.

    ``expected`` is the platform's own error (its message must match exactly) or a code.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["OData-Version"] == "4.0"
    body = response.json()
    assert list(body) == ["error"]
    assert sorted(body["error"]) == ["code", "message"]
    message = body["error"]["message"]
    assert isinstance(message, str) and message.strip()
    if isinstance(expected, LeadgateError):
        assert body["error"]["code"] == expected.code
        assert message == expected.message(language)
    else:
        assert body["error"]["code"] == expected
    return message


def in_both_languages(
    send: Callable[[dict[str, str]], httpx.Response], status: int, expected: LeadgateError
) -> tuple[str, str]:
    """Send the same failing request in English and French; both must match the platform."""
    english = assert_error(send({}), status, expected, "en")
    french = assert_error(send({"Accept-Language": "fr"}), status, expected, "fr")
    return english, french


def new_id() -> str:
    return str(uuid.uuid4())
