"""Fixtures shared by every tier: organizations on SQLite and on PostgreSQL.

An organization is installed once per test session on each database (a template), and each
test gets its own copy: a copied file on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL. The suite fails, and never skips, when PostgreSQL cannot be reached.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import sqlalchemy as sa
from leadgate.platform.customization.tables import CreateAttributeRequest, CreateEntityRequest

from leadgate.platform import Entity, Label, Organization, OrganizationService
from leadgate.platform.customization.messages import InsertOptionValueRequest, PublishAllXmlRequest
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.metadata.model import OptionMetadata
from leadgate.platform.engine.types import CascadeType, ColumnType, RequiredLevel
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.users.messages import SetPasswordRequest

PG_ADMIN_URL = os.environ.get(
    "LEADGATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN_EMAIL = "admin@test.example"
ADMIN_ID = uuid.UUID("11111111-1111-4111-8111-111111111111")
BACKENDS = ("sqlite", "postgresql")

# Property tests draw the same examples on every run, so that CI's verdict does not depend
# on luck; HYPOTHESIS_PROFILE=explore draws new ones (and remembers failures) when hunting.
hypothesis.settings.register_profile("default", derandomize=True, database=None)
hypothesis.settings.register_profile("explore", derandomize=False)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _widget_table(system: OrganizationService) -> None:
    """A custom table with a column of every type, for the platform's own tests."""
    system.execute(CreateEntityRequest("new_widget", Label("Widget", "Gadget")))
    columns = [
        ("new_code", ColumnType.STRING, {"max_length": 10}),
        ("new_notes", ColumnType.MEMO, {}),
        ("new_count", ColumnType.INTEGER, {"min_value": 0, "max_value": 1000}),
        ("new_ratio", ColumnType.DECIMAL, {"precision": 2}),
        ("new_price", ColumnType.MONEY, {}),
        ("new_active", ColumnType.BOOLEAN, {}),
        ("new_due", ColumnType.DATETIME, {}),
        ("new_day", ColumnType.DATETIME, {"format": "dateonly"}),
        (
            "new_color",
            ColumnType.CHOICE,
            {
                "options": (
                    OptionMetadata(1, Label("Red", "Rouge")),
                    OptionMetadata(2, Label("Green", "Vert")),
                    OptionMetadata(3, Label("Blue", "Bleu")),
                )
            },
        ),
        (
            "new_currency",
            ColumnType.LOOKUP,
            {"targets": ("transactioncurrency",), "cascade_delete": CascadeType.RESTRICT},
        ),
        (
            "new_parent",
            ColumnType.LOOKUP,
            {"targets": ("new_widget",), "cascade_delete": CascadeType.CASCADE},
        ),
        ("new_size", ColumnType.STRING, {"required": RequiredLevel.REQUIRED}),
    ]
    for name, kind, settings in columns:
        system.execute(
            CreateAttributeRequest(
                "new_widget", name, kind, Label(name.removeprefix("new_").title()), **settings
            )
        )
    system.execute(
        InsertOptionValueRequest(
            "new_widget", "statuscode", Label("On Hold", "En attente"), value=100000000, state=0
        )
    )
    system.execute(PublishAllXmlRequest())


def role_reference(service: OrganizationService, name: str) -> EntityReference:
    return service.retrieve_multiple("role", name=name).entities[0].to_reference()


def add_user(
    system: OrganizationService, email: str, *, role: str | None = "System Administrator",
    unit: EntityReference | None = None, last_name: str | None = None,
) -> uuid.UUID:
    """A user for a test, in the root unit unless told, with a role unless role=None."""
    unit = unit or system.retrieve_multiple("businessunit", parentbusinessunitid=None)[
        0
    ].to_reference()
    user_id = system.create(
        "systemuser", lastname=last_name or email.split("@")[0].title(),
        internalemailaddress=email, businessunitid=unit,
    )
    if role is not None:
        system.create("systemuserroles", systemuserid=EntityReference("systemuser", user_id),
                      roleid=role_reference(system, role))
    return user_id


def _seed(url: str) -> None:
    with Organization.create(url) as organization:
        system = organization.system_service()
        _widget_table(system)
        root = system.retrieve_multiple_all("businessunit")[0]
        system.execute(
            ExecuteTransactionRequest(
                (
                    CreateRequest(
                        Entity(
                            "systemuser",
                            ADMIN_ID,
                            firstname="Ada",
                            lastname="Admin",
                            internalemailaddress=ADMIN_EMAIL,
                            businessunitid=root.to_reference(),
                        )
                    ),
                    SetPasswordRequest(EntityReference("systemuser", ADMIN_ID), "correct horse"),
                    CreateRequest(
                        Entity(
                            "systemuserroles",
                            systemuserid=EntityReference("systemuser", ADMIN_ID),
                            roleid=role_reference(system, "System Administrator"),
                        )
                    ),
                )
            )
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({error.orig}). Every storage test "
            "runs on PostgreSQL too: start it (see .ci/run) or set LEADGATE_TEST_POSTGRES.",
            pytrace=False,
        )
    yield engine
    engine.dispose()


def _pg_url(name: str) -> str:
    return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_database(admin: sa.Engine, prefix: str, template: str | None = None) -> Iterator[str]:
    """A throwaway PostgreSQL database (a copy of ``template`` if given), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: sa.Engine) -> Iterator[str]:
    with postgres_database(postgres_admin, f"lg_template_{os.getpid()}") as name:
        _seed(_pg_url(name))
        yield name


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of an installed organization, on each database in turn."""
    if request.param == "sqlite":
        path = tmp_path / "leadgate.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin: sa.Engine = request.getfixturevalue("postgres_admin")
    template: str = request.getfixturevalue("postgres_template")
    with postgres_database(admin, "lg_test", template) as name:
        yield _pg_url(name)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it yet, on each database in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with postgres_database(request.getfixturevalue("postgres_admin"), "lg_empty") as name:
        yield _pg_url(name)


@pytest.fixture
def org(database_url: str) -> Iterator[Organization]:
    with Organization.open(database_url) as organization:
        yield organization


@pytest.fixture
def admin(org: Organization) -> OrganizationService:
    return org.service(ADMIN_ID)


@pytest.fixture
def system(org: Organization) -> OrganizationService:
    return org.system_service()
