"""Fixtures shared by every tier: organizations on SQLite and on PostgreSQL.

An organization is installed once per test session on each database (a template), and each
test gets its own copy: a copied file on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL. The suite fails, and never skips, when PostgreSQL cannot be reached.

A test that uses ``database_url`` (or ``org``, ``system``, ``admin``, ``api``, ``demo``...) runs
once per database. A test marked ``interface_only`` checks the Web API or the CLI alone (parsing,
statuses, messages) and runs on SQLite alone: ``tests/e2e/conftest.py`` says when that is right;
``--all-backends`` runs those on PostgreSQL too. Property tests take their number of examples
from ``property_budget`` below; tests marked ``slow`` are started first.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import sqlalchemy as sa

from leadgate.platform import Entity, Label, Organization, OrganizationService
from leadgate.platform.customization.messages import InsertOptionValueRequest, PublishAllXmlRequest
from leadgate.platform.customization.tables import CreateAttributeRequest, CreateEntityRequest
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.metadata.model import OptionMetadata
from leadgate.platform.engine.types import CascadeType, ColumnType, RequiredLevel
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.records.transaction import ExecuteTransactionRequest
from leadgate.platform.users.messages import SetPasswordRequest
from leadgate.sales.demo import DemoSummary, install_demo

PG_ADMIN_URL = os.environ.get(
    "LEADGATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN_EMAIL = "admin@test.example"
ADMIN_ID = uuid.UUID("11111111-1111-4111-8111-111111111111")
BACKENDS = ("sqlite", "postgresql")

# --- property tests: what they may spend ------------------------------------------------
# Property tests draw the same examples on every run, so that CI's verdict does not depend
# on luck; HYPOTHESIS_PROFILE=explore draws ten times as many new ones (and remembers
# failures) when hunting. No deadline: a loaded CI machine must not fail a correct example.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
hypothesis.settings.register_profile(
    "default", derandomize=True, database=None, deadline=None, max_examples=100
)
hypothesis.settings.register_profile("explore", derandomize=False, deadline=None, max_examples=1000)
hypothesis.settings.load_profile(PROFILE)


@dataclass(frozen=True)
class Budget:
    """How many examples a property draws per run (and rules per run, for a state machine)."""

    examples: int
    steps: int = 50
    why: str = ""


# Every property test that touches a database names one of these: the one place to read (or
# change) what the suite spends on them. Counts are per test item, so per database and per
# parameter: "qualification" is 25 examples x 2 databases x 2 worlds = 100 qualifications.
# Measured in make test on 2 cores: a qualification example ~0.25 s (26 s in all), a process
# run ~0.8 s (24 s in all), the others under 0.03 s an example. Pure functions (tests/unit)
# take the profile's max_examples.
BUDGETS = {
    "request": Budget(60, why="one or two HTTP requests per example, on one organization"),
    "customization": Budget(60, why="a customization message per example, mostly refused"),
    "record": Budget(40, why="a record created (or refused) and read back per example"),
    "qualification": Budget(
        25, why="users, records, maps and steps made, a qualification, every table compared"
    ),
    "process": Budget(15, steps=12, why="a state machine: runs of up to 12 user actions"),
    "diagnosis": Budget(
        10, why="a diagnosis (up to a few dry runs), every table compared, then a qualification"
    ),
}


def property_budget(name: str) -> hypothesis.settings:
    """The settings of a property test that uses a database: its budget, scaled by the profile.

    Fixtures are shared by the examples of one test (hence the function-scoped health check
    is off); each example must leave what the next one needs.
    """
    budget = BUDGETS[name]
    scale = 10 if PROFILE == "explore" else 1
    return hypothesis.settings(
        max_examples=budget.examples * scale,
        stateful_step_count=budget.steps,
        suppress_health_check=[
            hypothesis.HealthCheck.function_scoped_fixture,
            hypothesis.HealthCheck.too_slow,
        ],
    )


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
    system: OrganizationService,
    email: str,
    *,
    role: str | None = "System Administrator",
    unit: EntityReference | None = None,
    last_name: str | None = None,
) -> uuid.UUID:
    """A user for a test, in the root unit unless told, with a role unless role=None."""
    unit = (
        unit
        or system.retrieve_multiple("businessunit", parentbusinessunitid=None)[0].to_reference()
    )
    user_id = system.create(
        "systemuser",
        lastname=last_name or email.split("@")[0].title(),
        internalemailaddress=email,
        businessunitid=unit,
    )
    if role is not None:
        system.create(
            "systemuserroles",
            systemuserid=EntityReference("systemuser", user_id),
            roleid=role_reference(system, role),
        )
    return user_id


def map_status_then_add_nurturing(system: OrganizationService) -> tuple[uuid.UUID, Any]:
    """The seed's "Invalid status code": an administrator maps lead statuscode to
    opportunity, then adds the status reason Nurturing (100000000) to lead only, and publishes.
    Returns the map's id and InsertOptionValue's response (its warnings)."""
    entity_map = system.retrieve_multiple(
        "entitymap", sourceentityname="lead", targetentityname="opportunity"
    )[0]
    map_id = system.create(
        "attributemap",
        entitymapid=entity_map.to_reference(),
        sourceattributename="statuscode",
        targetattributename="statuscode",
    )
    added = system.execute(
        InsertOptionValueRequest(
            "lead", "statuscode", Label("Nurturing", "En maturation"), value=100000000, state=0
        )
    )
    system.execute(PublishAllXmlRequest())
    return map_id, added


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
    # A test's commit need not wait for the WAL to reach the disk: what a crash of the test
    # server would lose is thrown away anyway, and waiting cost every PostgreSQL test.
    url = sa.make_url(PG_ADMIN_URL).set(database=name)
    url = url.update_query_dict({"options": "-c synchronous_commit=off"})
    return url.render_as_string(hide_password=False)


def _file_copy(admin: sa.Engine) -> str:
    """Copy a template's files (PostgreSQL 15 and later; see PostgresCopies)."""
    with admin.connect() as connection:
        version = connection.dialect.server_version_info or (0,)
    return " STRATEGY FILE_COPY" if version >= (15,) else ""


@contextlib.contextmanager
def postgres_database(admin: sa.Engine, prefix: str, template: str | None = None) -> Iterator[str]:
    """A throwaway PostgreSQL database (a copy of ``template`` if given), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"{_file_copy(admin)}' if template else ""
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


class PostgresDrops:
    """Databases tests are done with, dropped in the background, ``batch`` at a time.

    Dropping a database waits for a checkpoint, which writes every changed page of the server
    (other people's too) to disk: up to ten seconds on a busy machine. Drops issued together
    share one checkpoint. A failed drop fails a later test's setup (or the session's end).
    """

    def __init__(self, admin: sa.Engine, *, batch: int = 6) -> None:
        self._admin, self._batch = admin, batch
        self._dropper = ThreadPoolExecutor(batch, thread_name_prefix="lg-drop")
        self._done: list[str] = []  # databases tests are done with, not dropped yet
        self._drops: list[Future[None]] = []

    def check(self) -> None:
        for drop in [drop for drop in self._drops if drop.done()]:
            self._drops.remove(drop)
            drop.result()  # raises what the drop raised

    def later(self, name: str) -> None:
        self._done.append(name)
        if len(self._done) >= self._batch:
            self._drop_done()

    def _drop(self, name: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _drop_done(self) -> None:
        self._drops += [self._dropper.submit(self._drop, name) for name in self._done]
        self._done = []

    def close(self) -> None:
        """Drop every database left, wait for the drops, raise the first that failed."""
        try:
            self._drop_done()
        finally:
            self._dropper.shutdown(wait=True)
        for drop in self._drops:
            drop.result()


@pytest.fixture(scope="session")
def postgres_drops(postgres_admin: sa.Engine) -> Iterator[PostgresDrops]:
    drops = PostgresDrops(postgres_admin)
    yield drops
    drops.close()


class PostgresCopies:
    """Copies of a template database for tests, made ahead and dropped behind.

    Copying the template (some 10 MB) costs about a second per test, spent waiting on the
    server: one background thread keeps ``ahead`` copies ready while tests run; the copies
    tests are done with go to ``PostgresDrops``. Copies are files copied (FILE_COPY), not
    PostgreSQL 15's default WAL_LOG, which writes the whole template to the WAL each time:
    measured on 84 PostgreSQL tests, 35.5 s against 29.7 s.
    """

    def __init__(
        self, admin: sa.Engine, template: str, drops: PostgresDrops, *, ahead: int = 2
    ) -> None:
        self._admin, self._template, self._drops = admin, template, drops
        self._ahead = ahead
        self._maker = ThreadPoolExecutor(1, thread_name_prefix="lg-copy")
        self._ready: collections.deque[Future[str]] = collections.deque()

    def _create(self) -> str:
        name = f"lg_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(sa.text(
                f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"{_file_copy(self._admin)}'
            ))  # fmt: skip
        return name

    @contextlib.contextmanager
    def copy(self) -> Iterator[str]:
        """The name of a fresh copy, dropped (in the background) some time after the block."""
        self._drops.check()
        while len(self._ready) <= self._ahead:
            self._ready.append(self._maker.submit(self._create))
        name = self._ready.popleft().result()
        try:
            yield name
        finally:
            self._drops.later(name)

    def close(self) -> None:
        """Hand every copy made ahead to the drops."""
        try:
            while self._ready:
                self._drops.later(self._ready.popleft().result())
        finally:
            self._maker.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_copies(
    postgres_admin: sa.Engine, postgres_template: str, postgres_drops: PostgresDrops
) -> Iterator[PostgresCopies]:
    copies = PostgresCopies(postgres_admin, postgres_template, postgres_drops)
    yield copies
    copies.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all-backends",
        action="store_true",
        help="run the tests marked interface_only on PostgreSQL too (they run on SQLite alone)",
    )


# The fixtures parametrized by database; pytest_generate_tests says on which ones.
BY_DATABASE = ("database_url", "empty_database_url", "demo")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per database for the fixtures above; SQLite alone for ``interface_only`` ones."""
    backends = BACKENDS
    if metafunc.definition.get_closest_marker("interface_only") and not metafunc.config.getoption(
        "--all-backends"
    ):
        backends = ("sqlite",)
    # A test that names its own databases (``@pytest.mark.parametrize(name, ["postgresql"],
    # indirect=True)``) keeps them.
    chosen = {
        argname.strip()
        for marker in metafunc.definition.iter_markers("parametrize")
        for argname in (
            marker.args[0].split(",") if isinstance(marker.args[0], str) else marker.args[0]
        )
    }
    for name in BY_DATABASE:
        if name in metafunc.fixturenames and name not in chosen:
            metafunc.parametrize(name, backends, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of an installed organization, on each database in turn."""
    if request.param == "sqlite":
        path = tmp_path / "leadgate.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    copies: PostgresCopies = request.getfixturevalue("postgres_copies")
    with copies.copy() as name:
        yield _pg_url(name)


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it yet, on each database in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with throwaway_postgres_database(request, "lg_empty") as name:
        yield _pg_url(name)


@contextlib.contextmanager
def throwaway_postgres_database(request: pytest.FixtureRequest, prefix: str) -> Iterator[str]:
    """An empty PostgreSQL database for one test, dropped in the background afterwards."""
    drops: PostgresDrops = request.getfixturevalue("postgres_drops")
    drops.check()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with request.getfixturevalue("postgres_admin").connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        drops.later(name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` first: with several workers (make test), a long test started last
    keeps one worker busy while the others are idle; started first, it runs beside the rest."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# --- the demo organization, installed once per session on each database ------------------

DEMO_TODAY = dt.date(2030, 1, 15)  # the demo's dates are relative to its installation day


@dataclass(frozen=True)
class DemoInstall:
    """What ``install_demo`` said when it made the session's demo template."""

    summary: DemoSummary
    progress: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Demo:
    """A test's own copy of the demo organization, and what installing the demo said."""

    org: Organization
    url: str
    install: DemoInstall


def _install_demo(url: str) -> DemoInstall:
    calls: list[tuple[str, int, int]] = []
    with Organization.open(url) as organization:
        summary = install_demo(
            organization, progress=lambda *call: calls.append(call), today=DEMO_TODAY
        )
    return DemoInstall(summary, tuple(calls))


@pytest.fixture(scope="session")
def sqlite_demo(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, DemoInstall]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    return path, _install_demo(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def postgres_demo(
    postgres_admin: sa.Engine, postgres_template: str, postgres_drops: PostgresDrops
) -> Iterator[tuple[PostgresCopies, DemoInstall]]:
    with postgres_database(postgres_admin, f"lg_demo_{os.getpid()}", postgres_template) as name:
        installed = _install_demo(_pg_url(name))
        copies = PostgresCopies(postgres_admin, name, postgres_drops, ahead=0)
        yield copies, installed
        copies.close()


@pytest.fixture
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Demo]:
    """A fresh copy of the demo organization (test template + demo), on each database in turn.

    Installing the demo takes seconds: it is done once per session on each database.
    """
    if request.param == "sqlite":
        template, installed = request.getfixturevalue("sqlite_demo")
        path = tmp_path / "demo.db"
        shutil.copyfile(template, path)
        with Organization.open(f"sqlite:///{path}") as organization:
            yield Demo(organization, f"sqlite:///{path}", installed)
        return
    copies, installed = request.getfixturevalue("postgres_demo")
    with copies.copy() as name, Organization.open(_pg_url(name)) as organization:
        yield Demo(organization, _pg_url(name), installed)


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


@pytest.fixture
def connection_events(org: Organization) -> Iterator[collections.Counter[str]]:
    """Connections taken from the pool, transactions begun, committed and rolled back."""
    seen: collections.Counter[str] = collections.Counter()
    listeners = [
        (org.engine.pool, "checkout", lambda *_: seen.update(["checkout"])),
        (org.engine, "begin", lambda *_: seen.update(["begin"])),
        (org.engine, "commit", lambda *_: seen.update(["commit"])),
        (org.engine, "rollback", lambda *_: seen.update(["rollback"])),
    ]
    for target, name, listener in listeners:
        sa.event.listen(target, name, listener)
    yield seen
    for target, name, listener in listeners:
        sa.event.remove(target, name, listener)
