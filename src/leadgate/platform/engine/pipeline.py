"""The one way anything is done: a request runs as a message through the pipeline.

validation -> stage 10 -> transaction { stage 20 -> core operation -> stage 40 } -> commit.
Handlers are plain functions registered per request type; reading the registries lists what
the system does.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa

from leadgate.platform.engine import errors, rows
from leadgate.platform.engine.context import Caller, ExecutionContext
from leadgate.platform.engine.entity import Entity
from leadgate.platform.engine.message_registry import (
    MessageRegistry,
    from_parameters,
    to_parameters,
)
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.settings import organization_setting
from leadgate.platform.engine.step_view import hide_step, show_step
from leadgate.platform.engine.storage import translate_errors
from leadgate.platform.engine.types import Stage, StepMode
from leadgate.platform.engine.unit_of_work import HeldConnection, UnitOfWork
from leadgate.platform.plugins.registry import Step, StepSet, TraceRecord
from leadgate.platform.security import access as security
from leadgate.platform.security.access import Principal, RecordOwner
from leadgate.platform.security.privileges import Depth, Right

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "MAX_DEPTH",
    "Message",
    "MessageRegistry",
    "Operation",
    "Pipeline",
    "from_parameters",
    "to_parameters",
]

RequestT = TypeVar("RequestT")

# Dataverse's default for WorkflowSettings.MaxDepth: deeper chains are taken for a loop.
MAX_DEPTH = 8


def _no_target(_request: Any) -> tuple[str | None, uuid.UUID | None]:
    return None, None


@dataclass(frozen=True)
class Message(Generic[RequestT]):
    """How the pipeline runs one request type."""

    name: str
    handler: Callable[[Operation[RequestT]], Any]
    validate: Callable[[Operation[RequestT]], None] | None = None
    target: Callable[[RequestT], tuple[str | None, uuid.UUID | None]] = _no_target
    writes: bool = True
    has_pre_image: bool = False
    has_post_image: bool = False
    changed_columns: Callable[[RequestT], Iterable[str]] | None = None
    # Security, run inside the transaction before stage 20 for every caller but SYSTEM.
    # Required: a message says how it is authorized, or that its nested messages are.
    authorize: Callable[[Operation[RequestT]], None] | None = None


def checked_by_nested_messages(_operation: Operation[Any]) -> None:
    """For messages that only run other messages: each of those is checked itself."""


def open_to_every_user(_operation: Operation[Any]) -> None:
    """For messages any signed-in user may run (WhoAmI)."""


class Operation(Generic[RequestT]):
    """What a handler works with: the request, its context, and the open unit of work.

    Its public methods are what solutions build on (read a record or a setting in the
    transaction, check security, run nested messages); the connection and SQL tables are
    the platform's own business.
    """

    __slots__ = ("context", "pipeline", "request", "revalidate", "unit_of_work")

    def __init__(
        self,
        request: RequestT,
        context: ExecutionContext,
        unit_of_work: UnitOfWork,
        pipeline: Pipeline,
    ) -> None:
        self.request = request
        self.context = context
        self.unit_of_work = unit_of_work
        self.pipeline = pipeline
        # True when steps ran before the core operation and may have changed its input.
        self.revalidate = False

    @property
    def connection(self) -> sa.Connection:
        connection = self.unit_of_work.connection
        assert connection is not None
        return connection

    @property
    def metadata(self) -> MetadataSet:
        return self.unit_of_work.metadata

    @property
    def caller(self) -> Caller:
        return self.context.caller

    def table(self, name: str) -> TableMetadata:
        return self.unit_of_work.metadata.table(name)

    def sql_table(self, name: str) -> sa.Table:
        """The table's SQL, its deferred rows (the audit trail's) written first: whoever
        reads or writes it in this transaction sees them."""
        unit = self.unit_of_work
        if name in unit.deferred_rows:
            unit.write_deferred(name)
        return unit.tables[name]

    def retrieve(
        self, table: str, record_id: uuid.UUID, columns: Sequence[str] | None = None,
        *, lock: bool = False,
    ) -> Entity | None:  # fmt: skip
        """A record as this transaction sees it (None: there is none), unchecked by security:
        for handlers that authorized their work already. ``lock`` holds it until commit, so
        that two messages changing one record run one after the other."""
        metadata = self.table(table)
        names = list(metadata.columns) if columns is None else list(columns)
        return rows.select_row(
            self.connection, metadata, self.sql_table(table), record_id, names, lock=lock
        )

    def setting(self, column: str, default: Any = None) -> Any:
        """An organization setting (a column of the organization record), or ``default``."""
        return organization_setting(self.connection, self.unit_of_work.tables, column, default)

    # --- security -------------------------------------------------------------------

    @property
    def principal(self) -> Principal | None:
        """The caller as security sees them; None for SYSTEM, which may do anything."""
        if self.context.caller.is_system:
            return None
        principal = self.unit_of_work.principal(self.context.user_id)
        if principal.disabled:
            raise errors.USER_DISABLED(user=principal.name)
        return principal

    def record_owner(
        self, table: TableMetadata, record_id: uuid.UUID, also: Sequence[str] = ()
    ) -> RecordOwner | None:
        """Who owns a record (None: it does not exist), remembered for this unit of work;
        ``also``: the record's columns the message reads next, read with the owner."""
        known = self.unit_of_work.known_records
        key = (table.name, record_id)
        found = known.get(key)
        if found is None:
            found = security.record_owner(
                self.connection, table, self.sql_table(table.name), record_id, also
            )
            if found is not None:
                known[key] = found
        return found

    def forget_record(self, table: str, record_id: uuid.UUID) -> None:
        """A record was deleted or changed owner: ask the database next time."""
        self.unit_of_work.known_records.pop((table, record_id), None)

    def require(
        self,
        right: Right,
        table: TableMetadata,
        record: RecordOwner | None = None,
        *,
        principal: Principal | None = None,
    ) -> None:
        """Refuse unless the caller holds the right on the table, at a depth reaching record."""
        principal = principal or self.principal
        if principal is not None:
            security.require(
                self.connection, self.unit_of_work.tables, principal, right, table, record
            )

    def require_privilege(self, name: str, *, principal: Principal | None = None) -> None:
        """Refuse unless the caller (or ``principal``) holds an organization-wide privilege
        (prvWriteEntity …)."""
        principal = principal or self.principal
        if principal is not None and principal.depth(name) is Depth.NONE:
            raise security.privilege_denied(principal, name, None, Depth.ORGANIZATION)

    def read_filter(self, table: TableMetadata, sql_table: sa.Table) -> Any:
        """The WHERE clause that limits a query to what the caller may read (None: all)."""
        principal = self.principal
        if principal is None:
            return None
        unit = self.unit_of_work
        return security.read_filter(
            unit.tables, principal, table, sql_table, unit.security, unit.metadata.generation
        )

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def execute(self, request: Any) -> Any:
        """Run a nested message as the same user, one level deeper, in this transaction."""
        return self.pipeline.execute(request, self.context.caller, self.context)

    def execute_as_system(self, request: Any, *, deeper: bool = True) -> Any:
        """Run a nested message as SYSTEM: platform work such as cascades, never user requests.
        ``deeper=False``: bookkeeping of this message (saving a job it queues), run at its
        depth — it starts no chain a loop could follow."""
        return self.pipeline.execute(
            request,
            Caller.system(self.context.initiating_user_id, self.context.caller.interface),
            self.context,
            deeper=deeper,
        )


class Pipeline:
    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.messages = MessageRegistry()

    def execute(
        self, request: Any, caller: Caller, parent: ExecutionContext | None = None,
        *, deeper: bool = True, held: HeldConnection | None = None,
    ) -> Any:  # fmt: skip
        """Run ``request`` as ``caller``; nested in ``parent``'s transaction, one level deeper
        (``deeper=False``: at its level, for the platform's bookkeeping of ``parent``); on
        the caller's ``held`` connection, when not nested and no other message uses it."""
        message = self.messages.get(type(request))
        depth = 1 if parent is None else parent.depth + (1 if deeper else 0)
        if depth > MAX_DEPTH:
            raise errors.DEPTH_EXCEEDED(max_depth=MAX_DEPTH, chain=_chain(parent, message.name))
        if parent is not None and parent.unit_of_work.in_transaction:
            operation = self._operation(
                message, request, caller, parent, depth, parent.unit_of_work
            )
            return self._run(message, operation)
        table = message.target(request)[0]
        if not _validates_before(self.organization.known_steps, message.name, table):
            # One transaction from the check of the caches to the commit, unless a step came
            # to stage 10 since the last message (it runs before the transaction: see below).
            with (
                UnitOfWork(self.organization, held) as unit_of_work,
                unit_of_work.transaction(writes=message.writes),
            ):
                if not _validates_before(unit_of_work.steps, message.name, table):
                    operation = self._operation(
                        message, request, caller, parent, depth, unit_of_work
                    )
                    return self._run(message, operation)
        # Stage 10 runs before the transaction, as in Dataverse: what its steps write stays.
        with UnitOfWork(self.organization, held) as unit_of_work:
            unit_of_work.load_caches()
            operation = self._operation(message, request, caller, parent, depth, unit_of_work)
            return self._run(message, operation)

    def _operation(
        self,
        message: Message[Any],
        request: Any,
        caller: Caller,
        parent: ExecutionContext | None,
        depth: int,
        unit_of_work: UnitOfWork,
    ) -> Operation[Any]:
        table, record_id = message.target(request)
        context = ExecutionContext(
            message_name=message.name,
            primary_entity_name=table,
            primary_entity_id=record_id,
            depth=depth,
            parent_context=parent,
            input_parameters=to_parameters(request),
            caller=caller,
            correlation_id=parent.correlation_id if parent else uuid.uuid4(),
            unit_of_work=unit_of_work,
            service_factory=self.organization.nested_service,
        )
        return Operation(request, context, unit_of_work, self)

    def _run(self, message: Message[Any], operation: Operation[Any]) -> Any:
        context, unit_of_work, caller = operation.context, operation.unit_of_work, operation.caller
        request, table = operation.request, context.primary_entity_name
        if message.validate is not None:
            message.validate(operation)
            context.input_parameters = to_parameters(operation.request)
            context.primary_entity_name, context.primary_entity_id = message.target(
                operation.request
            )
        assert unit_of_work.steps is not None
        steps = unit_of_work.steps.for_message(message.name, table)
        queued = unit_of_work.steps.for_message(message.name, table, StepMode.ASYNCHRONOUS)
        if (steps or queued) and message.changed_columns is not None:
            changed = set(message.changed_columns(request))
            steps = tuple(step for step in steps if step.wants(changed))
            queued = tuple(step for step in queued if step.wants(changed))
        if unit_of_work.dry_run is not None and (steps or queued):
            steps, queued = unit_of_work.dry_run.kept(steps), unit_of_work.dry_run.kept(queued)
        imaged = (*steps, *queued) if queued else steps  # asynchronous steps get images too
        if self._run_stage(operation, steps, Stage.PRE_VALIDATION):
            operation.request = from_parameters(operation.request, context.input_parameters)
            operation.revalidate = True
        with unit_of_work.transaction(writes=message.writes):
            if message.authorize is not None and not caller.is_system:
                message.authorize(operation)
            if message.has_pre_image:
                self._take_image(operation, imaged, pre=True)
            if self._run_stage(operation, steps, Stage.PRE_OPERATION):
                operation.request = from_parameters(operation.request, context.input_parameters)
                operation.revalidate = True
            context.stage = Stage.MAIN_OPERATION
            with translate_errors(table or ""):
                response = message.handler(operation)
            context.output_parameters = to_parameters(response)
            if message.has_post_image:
                self._take_image(operation, imaged, pre=False)
            if self._run_stage(operation, steps, Stage.POST_OPERATION):
                response = from_parameters(response, context.output_parameters)
            if queued and message.writes:  # a registration on a read is refused
                self._queue_steps(operation, queued)
            if message.writes and unit_of_work.traces and context.parent_context is None:
                self.organization.keep_traces(operation)  # one commit for work and trace
        return response

    def _run_stage(self, operation: Operation[Any], steps: tuple[Step, ...], stage: Stage) -> bool:
        chosen = [step for step in steps if step.stage == stage]
        if not chosen:
            return False
        context = operation.context
        context.stage = stage
        for step in chosen:
            self.run_step(operation, step)
        return True

    def _queue_steps(self, operation: Operation[Any], queued: tuple[Step, ...]) -> None:
        """Post-operation, in the transaction: each asynchronous step becomes a system job
        (committed with the operation, or not at all), given the images it asked for."""
        queue = self.organization.steps.queue
        if queue is None:
            return
        context = operation.context
        context.stage = Stage.POST_OPERATION
        for step in queued:
            saved = show_step(context, step)
            try:
                queue(context, step)
            finally:
                hide_step(context, saved)

    def run_step(self, operation: Operation[Any], step: Step) -> None:
        """Run one step on the operation's context, traced: the stages run their steps with
        it, and so do the jobs of asynchronous steps. A dry run records the step's outcome."""
        dry_run = operation.unit_of_work.dry_run
        if dry_run is None or step.is_system:
            self._run_step(operation, step, [])
            return
        lines: list[str] = []
        user = step.run_as or operation.context.user_id
        with dry_run.recording("step", step.id, step.name, operation.context, user, lines):
            self._run_step(operation, step, lines)

    def _run_step(self, operation: Operation[Any], step: Step, lines: list[str]) -> None:
        context = operation.context
        started_on = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        failure: BaseException | None = None
        saved = show_step(context, step)
        context._trace_lines = lines
        try:
            operation.unit_of_work.step_handler(step)(context)
        except errors.LeadgateError as error:
            failure = error
            raise
        except Exception as error:
            failure = error
            raise errors.PLUGIN_UNEXPECTED(
                step=step.name,
                handler=step.handler_path,
                exception=f"{type(error).__name__}: {error}",
            ) from error
        finally:
            hide_step(context, saved)
            if not step.is_system:
                operation.unit_of_work.traces.append(
                    TraceRecord(
                        step=step,
                        message_name=context.message_name,
                        primary_entity=context.primary_entity_name,
                        stage=context.stage,
                        depth=context.depth,
                        correlation_id=context.correlation_id,
                        started_on=started_on,
                        duration_ms=round((time.perf_counter() - started) * 1000),
                        lines=lines,
                        exception=TraceRecord.describe(failure) if failure else None,
                    )
                )

    def _take_image(self, operation: Operation[Any], steps: tuple[Step, ...], *, pre: bool) -> None:
        wanted: set[str] = set()
        for step in steps:
            columns = step.pre_image if pre else step.post_image
            if columns:
                wanted.update(columns)
        context = operation.context
        if not wanted or context.primary_entity_name is None or context.primary_entity_id is None:
            return
        table = operation.table(context.primary_entity_name)
        names = (
            list(table.columns)
            if "*" in wanted
            else [name for name in table.columns if name in wanted or name == table.primary_key]
        )
        image = rows.select_row(
            operation.connection,
            table,
            operation.sql_table(table.name),
            context.primary_entity_id,
            names,
        )
        if image is not None:
            images = context.pre_entity_images if pre else context.post_entity_images
            images["PreImage" if pre else "PostImage"] = image


def _validates_before(steps: StepSet | None, message: str, table: str | None) -> bool:
    """Whether the message has steps at stage 10 (or what it has is not known yet)."""
    if steps is None:
        return True
    return any(step.stage == Stage.PRE_VALIDATION for step in steps.for_message(message, table))


def _chain(parent: ExecutionContext | None, message: str) -> str:
    names = [message]
    while parent is not None:
        names.append(f"{parent.message_name} {parent.primary_entity_name or ''}".strip())
        parent = parent.parent_context
    return " <- ".join(names[:10]) + (" <- …" if len(names) > 10 else "")
