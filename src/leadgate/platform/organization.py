"""The composition root: one organization is one database, its caches and its pipeline.

``Organization.open(url)`` opens an initialized database; ``Organization.create(url)`` sets
one up (the platform's tables, then every solution); ``Organization.in_memory()`` gives
integrators a whole organization for their own tests.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from leadgate.platform import (
    audit,
    customization,
    duplicates,
    imports,
    jobs,
    maps,
    plugins,
    processes,
    records,
    security,
    users,
    views,
    workflows,
)
from leadgate.platform.customization.messages import ImportSolutionRequest, ImportSolutionResponse
from leadgate.platform.customization.solutions import Solution, SolutionDefinition, load_solution
from leadgate.platform.customization.upgrades import (
    SolutionUpgrade,
    UpgradePlan,
    UpgradeSolutionRequest,
)
from leadgate.platform.duplicates.rule_messages import resume_publishing
from leadgate.platform.engine import errors
from leadgate.platform.engine.context import Caller, ExecutionContext
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.i18n import Text
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.migrations import runner as migrations
from leadgate.platform.engine.migrations.errors import SOLUTION_TOO_NEW
from leadgate.platform.engine.pipeline import Message, Operation, Pipeline
from leadgate.platform.engine.storage import create_engine, database_url, redact, translate_errors
from leadgate.platform.engine.types import Interface, Language
from leadgate.platform.engine.unit_of_work import HeldConnection, Snapshot
from leadgate.platform.engine.versions import create_counter
from leadgate.platform.jobs.registry import JobRegistry, register_job_kinds
from leadgate.platform.plugins.home import PluginHome, plugins_folder
from leadgate.platform.plugins.registry import StepRegistry, StepSet, TraceRecord
from leadgate.platform.plugins.traces import trace_requests
from leadgate.platform.security.access import SecurityCache
from leadgate.platform.service import OrganizationService
from leadgate.platform.users.credentials import (
    SignedInUser,
    find_password_user,
    find_token_user,
)

__all__ = ["Organization", "PlatformSolution", "discover_solutions"]

SOLUTIONS_GROUP = "leadgate.solutions"

# Each capability registers its messages and steps; steps of equal rank run in this order.
CAPABILITIES = (
    records,
    customization,
    users,
    plugins,
    security,
    maps,
    processes,
    duplicates,
    views,
    jobs,
    audit,
    imports,
    workflows,
)


class PlatformSolution:
    """The platform's own tables (users, currencies, maps, steps, traces) as a solution."""

    name = "leadgate_platform"

    def definition(self) -> SolutionDefinition:
        return load_solution("leadgate.platform", "system.toml")

    def register(self, organization: Organization) -> None:
        for capability in CAPABILITIES:
            capability.register(organization)


def discover_solutions() -> list[Solution]:
    """Solutions installed as packages declare themselves under the entry point group."""
    found = []
    for entry in sorted(entry_points(group=SOLUTIONS_GROUP), key=lambda e: e.name):
        found.append(entry.load())
    return found


class Organization:
    def __init__(
        self,
        engine: sa.Engine,
        url: str,
        solutions: Sequence[Solution],
        plugins: str | Path | None = None,
        job_kinds: str | None = None,
    ) -> None:
        """``job_kinds``: administrators' job kinds to register (``module:function``, comma
        separated); None: $LEADGATE_JOB_KINDS (see docs/jobs.md)."""
        self.engine = engine
        self.url = url
        self.pipeline = Pipeline(self)
        self.steps = StepRegistry(PluginHome(plugins_folder(url, plugins)))
        self.jobs = JobRegistry()  # job kinds by name (leadgate.platform.jobs)
        self.solutions: tuple[Solution, ...] = (PlatformSolution(), *solutions)
        for solution in self.solutions:
            solution.register(self)
        try:
            register_job_kinds(self.jobs, self.steps.home, job_kinds)
        except BaseException:
            self.steps.home.close()
            raise
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._steps: StepSet | None = None
        self._security = SecurityCache(-1)

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        solutions: Iterable[Solution] | None = None,
        plugins: str | Path | None = None,
    ) -> Organization:
        """Open an organization that ``leadgate init`` (or :meth:`create`) has set up.

        ``plugins`` is the folder plug-in modules are imported from (default: $LEADGATE_PLUGINS,
        else ``plugins/`` beside the SQLite file, else in the current directory)."""
        resolved = database_url(url)
        organization = cls(create_engine(resolved), resolved, _solutions(solutions), plugins)
        try:
            organization._check_installed()
        except BaseException:
            organization.close()
            raise
        return organization

    @classmethod
    def create(
        cls,
        url: str | None = None,
        *,
        solutions: Iterable[Solution] | None = None,
        name: str | None = None,
        plugins: str | Path | None = None,
    ) -> Organization:
        """Set up (or bring up to date) the organization in the database at ``url``."""
        resolved = database_url(url)
        organization = cls(create_engine(resolved), resolved, _solutions(solutions), plugins)
        try:
            organization.install(name=name)
        except BaseException:
            organization.close()
            raise
        return organization

    @classmethod
    def in_memory(
        cls, *, solutions: Iterable[Solution] | None = None, plugins: str | Path | None = None
    ) -> Organization:
        """A complete organization in an in-memory SQLite database, gone when closed."""
        return cls.create("sqlite://", solutions=solutions, plugins=plugins)

    def install(self, *, name: str | None = None) -> list[ImportSolutionResponse]:
        """Create leadgate's own tables, or migrate them, then import every solution: a newer
        version of one brings the data along (UpgradeSolution). Safe to run again."""
        with translate_errors(), self.engine.begin() as connection:
            if store.is_initialized(connection):
                migrations.upgrade(connection, self.url)  # 0002 brings the version counter
            else:
                migrations.schema_state(connection, self.url)  # refuses a newer leadgate's
                store.CATALOG.create_all(connection)
                migrations.stamp_head(connection)
                create_counter(connection)  # as migration 0002 does for older databases
                connection.execute(
                    store.generation.insert().values(
                        id=1,
                        metadata=0,
                        steps=0,
                        security=0,
                        metadatastamp=store.new_metadata_stamp(),
                    )
                )
            self._refuse_newer_solutions(connection)
        system = self.system_service()
        responses = [
            system.execute(ImportSolutionRequest(solution.definition()))
            for solution in self.solutions
        ]
        if name:
            organization = system.retrieve_multiple_all("organization")[0]
            system.update(Entity("organization", organization.id, name=name))
        return responses

    @classmethod
    def upgrade(
        cls,
        url: str | None = None,
        *,
        solutions: Iterable[Solution] | None = None,
        dry_run: bool = False,
    ) -> UpgradePlan:
        """Bring an organization that an older leadgate set up to this version: migrate
        leadgate's own tables, then upgrade each solution. With ``dry_run``, only say what
        would run. Returns what ran (or would)."""
        resolved = database_url(url)
        organization = cls(create_engine(resolved), resolved, _solutions(solutions))
        try:
            plan = organization._upgrade_plan()
            if dry_run or plan.up_to_date:
                return plan
            done = [
                SolutionUpgrade(r.name, r.previous_version, r.version, r.upgrade_steps)
                for r in organization.install()
                if r.previous_version is None or r.previous_version < r.version
            ]
            republished = resume_publishing(organization.system_service())
            return replace(plan, solutions=tuple(done), republished=tuple(republished))
        finally:
            organization.close()

    def _upgrade_plan(self) -> UpgradePlan:
        with translate_errors(), self.engine.connect() as connection:
            if not store.is_initialized(connection):
                raise errors.NOT_INITIALIZED(url=redact(self.url))
            schema = migrations.schema_state(connection, self.url)
            installed = self._refuse_newer_solutions(connection)
        system = self.system_service()
        solutions = []
        for solution in self.solutions:
            definition = solution.definition()
            have = installed.get(solution.name)
            if have is not None and have >= definition.version:
                continue
            steps: tuple[Text, ...] = ()
            if have is not None:
                request = UpgradeSolutionRequest(definition, have, dry_run=True)
                steps = system.execute(request).steps
            solutions.append(SolutionUpgrade(solution.name, have, definition.version, steps))
        return UpgradePlan(schema.current, schema.head, schema.pending, tuple(solutions))

    def _refuse_newer_solutions(self, connection: sa.Connection) -> dict[str, int]:
        """The installed solutions' versions; SOLUTION_TOO_NEW if a newer leadgate's."""
        installed = dict(
            connection.execute(sa.select(store.solutions.c.name, store.solutions.c.version)).all()
        )
        for solution in self.solutions:
            shipped = solution.definition().version
            have = installed.get(solution.name)
            if have is not None and have > shipped:
                raise SOLUTION_TOO_NEW(
                    url=redact(self.url), solution=solution.name, installed=have, shipped=shipped
                )
        return installed

    def _check_installed(self) -> None:
        with translate_errors(), self.engine.connect() as connection:
            if not store.is_initialized(connection):
                raise errors.NOT_INITIALIZED(url=redact(self.url))
            migrations.require_current(connection, self.url)
            installed = self._refuse_newer_solutions(connection)
        for solution in self.solutions:
            shipped = solution.definition().version
            have = installed.get(solution.name)
            if have is None or have < shipped:
                raise errors.UPGRADE_NEEDED(
                    solution=solution.name,
                    installed=have if have is not None else "-",
                    shipped=shipped,
                    url=redact(self.url),
                )

    def close(self) -> None:
        self.engine.dispose()
        self.steps.home.close()

    def __enter__(self) -> Organization:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # --- what solutions register --------------------------------------------------------

    def register_messages(self, messages: Mapping[Any, Message]) -> None:
        self.pipeline.messages.update(messages)

    # --- services -----------------------------------------------------------------------

    def service(
        self,
        user: uuid.UUID | str,
        *,
        language: Language | None = None,
        interface: Interface = Interface.PYTHON,
        held: HeldConnection | None = None,
    ) -> OrganizationService:
        """A service that runs messages as ``user`` (an id, or an e-mail address);
        ``interface`` names the caller's interface for the audit trail; ``held``: the
        connection its messages use (:meth:`authenticate_held`)."""
        if isinstance(user, str):
            record = self.system_service().find_user(user)
            assert record.id is not None
            language = language or Language.from_lcid(record.get("uilanguageid"))
            return OrganizationService(self, Caller.user(record.id, language, interface), held=held)
        if language is None:
            record = self.system_service().retrieve("systemuser", user, ["uilanguageid"])
            language = Language.from_lcid(record.get("uilanguageid"))
        return OrganizationService(self, Caller.user(user, language, interface), held=held)

    def authenticate(self, token: str) -> SignedInUser:
        """The enabled user an API token belongs to; NOT_AUTHENTICATED or USER_DISABLED if not."""
        return self.authenticate_with_metadata(token)[0]

    def authenticate_with_metadata(self, token: str) -> tuple[SignedInUser, MetadataSet]:
        """The token's user (as :meth:`authenticate`) and the published tables (as
        :meth:`metadata`), over one connection that checks the caches once: a Web API
        request needs both."""
        if not token:
            raise errors.NOT_AUTHENTICATED()
        with translate_errors(), self.engine.connect() as connection:
            snapshot, _, _ = self.current_caches(connection)
            return find_token_user(connection, snapshot.tables, token), snapshot.metadata

    def authenticate_held(self, token: str) -> tuple[SignedInUser, MetadataSet, HeldConnection]:
        """The token's user and the published tables (as :meth:`authenticate_with_metadata`),
        read on a connection the caller then holds for its request and closes at its end:
        a service made with it (:meth:`service`) runs its first read in the transaction the
        token was checked in, so that every request checks its token as before, without a
        connection, a transaction and a check of the caches of its own (issue 16)."""
        if not token:
            raise errors.NOT_AUTHENTICATED()
        held = HeldConnection(self)
        try:
            snapshot, _, _ = held.begin_read()
            assert held.connection is not None
            with translate_errors():
                user = find_token_user(held.connection, snapshot.tables, token)
        except BaseException:
            held.close()
            raise
        return user, snapshot.metadata, held

    def sign_in(self, email: str, password: str) -> SignedInUser:
        """The enabled user with this address and password (a person at the sign-in page);
        SIGN_IN_FAILED or USER_DISABLED if not. Opening their session is a message of theirs."""
        with translate_errors(), self.engine.connect() as connection:
            snapshot, _, _ = self.current_caches(connection)
            return find_password_user(connection, snapshot.tables, email, password)

    def metadata(self) -> MetadataSet:
        """The published tables and columns, from the cache (fresh after any publish)."""
        with translate_errors(), self.engine.connect() as connection:
            snapshot, _, _ = self.current_caches(connection)
        return snapshot.metadata

    def organization_id(self) -> uuid.UUID:
        record = self.system_service().retrieve_multiple_all("organization", columns=["name"])[0]
        assert record.id is not None
        return record.id

    def system_service(self, interface: Interface = Interface.PYTHON) -> OrganizationService:
        """Runs as SYSTEM: for installation and administration commands, never for users."""
        return OrganizationService(self, Caller.system(interface=interface))

    def nested_service(
        self, context: ExecutionContext, run_as: uuid.UUID | None
    ) -> OrganizationService:
        caller = context.caller
        if run_as is not None:
            caller = replace(caller, user_id=run_as)
        return OrganizationService(self, caller, parent=context)

    # --- caches -------------------------------------------------------------------------

    @property
    def cached_snapshot(self) -> Snapshot | None:
        return self._snapshot

    @property
    def known_steps(self) -> StepSet | None:
        """The steps the last message of this process ran with (None: none ran yet)."""
        return self._steps

    def current_caches(self, connection: sa.Connection) -> tuple[Snapshot, StepSet, SecurityCache]:
        """Metadata, steps and owners' units for this request, fresh if any process changed them."""
        generations = store.read_generations(connection)
        metadata_generation = generations.metadata
        steps_generation = generations.steps
        security = self._security
        if security.generation != generations.security:
            security = SecurityCache(generations.security)
            self._security = security
        snapshot = self._snapshot
        if snapshot is None or snapshot.metadata.generation != metadata_generation:
            snapshot = Snapshot.shared(connection, generations)
            with self._lock:
                self._snapshot = snapshot
                self._steps = None
        steps = self._steps
        if self.steps.home.refresh():  # a plug-in module changed on disk: load it again
            steps = None
        if steps is None or steps.generation != steps_generation:
            steps = self.steps.load(connection, snapshot.tables, steps_generation)
            with self._lock:
                self._steps = steps
        return snapshot, steps, security

    # --- the plug-in trace log ----------------------------------------------------------

    def keep_traces(self, operation: Operation[Any]) -> None:
        """Keep what steps traced in the transaction of the operation that wrote, just before
        it commits: one commit for the work and its trace."""
        unit = operation.unit_of_work
        requests = trace_requests(unit.traces, operation.connection, unit.tables)
        unit.traces.clear()
        for request in requests:
            operation.execute_as_system(request, deeper=False)

    def write_traces(self, traces: list[TraceRecord]) -> None:
        """Keep what steps traced, after the operation ended without committing (it failed,
        or it only read): in a transaction of their own."""
        with translate_errors(), self.engine.connect() as connection:
            snapshot = self._snapshot or Snapshot.load(connection)
            requests = trace_requests(traces, connection, snapshot.tables)
        system = self.system_service()
        for request in requests:
            system.execute(request)


def _solutions(given: Iterable[Solution] | None) -> list[Solution]:
    return list(given) if given is not None else discover_solutions()
