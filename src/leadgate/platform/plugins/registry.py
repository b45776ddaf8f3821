"""Plug-in steps: which callable runs on which message, table and stage, and in what order.

Steps registered by administrators are rows of ``sdkmessageprocessingstep``; steps that
solutions (and the platform itself) register in code live beside them in the same list, so
``leadgate plugins list`` shows every rule that runs on a message.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.engine.types import Stage, StepMode
from leadgate.platform.plugins.home import LoadFailure, PluginHome

if TYPE_CHECKING:
    from leadgate.platform.engine.context import ExecutionContext
    from leadgate.platform.engine.schema import SqlTables

__all__ = [
    "ALL_COLUMNS",
    "PluginHandler",
    "Step",
    "StepQueue",
    "StepRegistry",
    "StepSet",
    "TraceRecord",
    "parse_columns",
]

PluginHandler = Callable[["ExecutionContext"], None]
ALL_COLUMNS = ("*",)
STEP_TABLE = "sdkmessageprocessingstep"
# Administrators' steps never run on the trace log: writing a trace would trace again.
UNSTEPPABLE_TABLES = frozenset({"plugintracelog"})


def parse_columns(text: str | None) -> tuple[str, ...]:
    """'a, b' -> ('a', 'b'); '*' -> ALL_COLUMNS; empty -> ()."""
    if not text:
        return ()
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    return ALL_COLUMNS if "*" in names else names


@dataclass(frozen=True)
class Step:
    name: str
    message: str
    stage: Stage
    handler_path: str
    table: str | None = None
    rank: int = 1
    mode: StepMode = StepMode.SYNCHRONOUS
    filtering_attributes: frozenset[str] = frozenset()
    pre_image: tuple[str, ...] = ()
    post_image: tuple[str, ...] = ()
    configuration: str | None = None
    run_as: uuid.UUID | None = None
    id: uuid.UUID | None = None
    enabled: bool = True
    handler: PluginHandler | None = field(default=None, compare=False, repr=False)

    @property
    def is_system(self) -> bool:
        """Registered in code by the platform or a solution, not by an administrator."""
        return self.id is None

    def applies_to(self, message: str, table: str | None) -> bool:
        if self.message != message:
            return False
        if self.table is None:
            return self.is_system or table not in UNSTEPPABLE_TABLES
        return self.table == table

    def wants(self, changed: Iterable[str]) -> bool:
        """Filtering attributes: an Update runs the step only if it changes one of them."""
        if not self.filtering_attributes or self.message != "Update":
            return True
        return not self.filtering_attributes.isdisjoint(changed)


class StepSet:
    """The enabled steps of one generation, looked up by message and table — synchronous ones
    run in the pipeline, asynchronous ones are queued as jobs — and their handlers, imported
    from the plug-ins folder on first use."""

    def __init__(self, steps: Iterable[Step], generation: int, home: PluginHome) -> None:
        self.all = tuple(sorted(steps, key=lambda s: (int(s.stage), s.rank, s.name)))
        self.generation = generation
        self.home = home
        enabled = [s for s in self.all if s.enabled]
        self._running = tuple(s for s in enabled if s.mode is StepMode.SYNCHRONOUS)
        self._queued = tuple(s for s in enabled if s.mode is StepMode.ASYNCHRONOUS)
        self._by_message: dict[tuple[str, str | None, StepMode], tuple[Step, ...]] = {}
        self._by_id = {s.id: s for s in self.all if s.id is not None}
        self._loaded: dict[str, PluginHandler | LoadFailure] = {}

    def _load(self, step: Step) -> PluginHandler | LoadFailure:
        if step.handler is not None:
            return step.handler
        found = self._loaded.get(step.handler_path)
        if found is None:
            # Once per generation: a fixed module is seen when the folder changes (PluginHome).
            found = self.home.load(step.handler_path)
            self._loaded[step.handler_path] = found
        return found

    def handler(self, step: Step) -> PluginHandler:
        """The step's callable; a coded refusal naming the step and the fix if it cannot load."""
        found = self._load(step)
        if isinstance(found, LoadFailure):
            raise found.step_error(step)
        return found

    def failure(self, step: Step) -> LoadFailure | None:
        """Why the step cannot be loaded, or None when it can."""
        found = self._load(step)
        return found if isinstance(found, LoadFailure) else None

    def for_message(
        self, message: str, table: str | None, mode: StepMode = StepMode.SYNCHRONOUS
    ) -> tuple[Step, ...]:
        """The enabled steps of ``mode`` that apply to ``message`` on ``table``, in order."""
        key = (message, table, mode)
        found = self._by_message.get(key)
        if found is None:
            pool = self._running if mode is StepMode.SYNCHRONOUS else self._queued
            found = tuple(s for s in pool if s.applies_to(message, table))
            self._by_message[key] = found
        return found

    def find(self, step_id: uuid.UUID) -> Step | None:
        """An administrator's step by id, enabled or not (None: there is none)."""
        return self._by_id.get(step_id)


# (handler, name, stage, tables, messages): a rule that runs on each table and message.
CodeSteps = tuple[PluginHandler, str, Stage, tuple[str, ...], tuple[str, ...]]
# Queues one asynchronous step at the post-operation point, in the operation's transaction.
StepQueue = Callable[["ExecutionContext", Step], None]


class StepRegistry:
    """Code steps, plus a loader for the steps administrators registered in the database."""

    def __init__(self, home: PluginHome) -> None:
        self.home = home
        self._code_steps: list[Step] = []
        # Set by the plug-ins capability (``plugins.asynchronous``): without it, asynchronous
        # steps are stored and never run.
        self.queue: StepQueue | None = None

    def add(self, step: Step) -> None:
        if step.handler is None:
            raise ValueError("a code step needs its handler")
        self._code_steps.append(step)

    def add_code_step(
        self,
        handler: PluginHandler,
        *,
        name: str,
        message: str,
        stage: Stage,
        table: str | None = None,
        rank: int = 1,
        pre_image: tuple[str, ...] = (),
    ) -> Step:
        """Register a function as a step: how solutions add rules that always run.
        ``pre_image`` names the columns the step reads of the record as it was."""
        step = Step(
            name=name,
            message=message,
            stage=stage,
            table=table,
            rank=rank,
            handler_path=f"{handler.__module__}:{handler.__qualname__}",
            handler=handler,
            pre_image=pre_image,
        )
        self.add(step)
        return step

    def add_code_steps(self, table: Iterable[CodeSteps]) -> None:
        """Register a table of rules: each handler on each of its tables and messages, named
        after what it does and where (``Forget cached security (Update team)``)."""
        for handler, name, stage, tables, messages in table:
            for table_name in tables:
                for message in messages:
                    self.add_code_step(
                        handler, name=f"{name} ({message} {table_name})", message=message,
                        table=table_name, stage=stage, rank=0,
                    )  # fmt: skip

    @property
    def code_steps(self) -> tuple[Step, ...]:
        return tuple(self._code_steps)

    def load(self, connection: sa.Connection, tables: SqlTables | None, generation: int) -> StepSet:
        stored: list[Step] = []
        if tables is not None and STEP_TABLE in tables:
            table = tables[STEP_TABLE]
            for row in connection.execute(sa.select(table)).mappings():
                stored.append(step_from_row(row))
        return StepSet([*self._code_steps, *stored], generation, self.home)


def step_from_row(row: Any) -> Step:
    return Step(
        id=row["sdkmessageprocessingstepid"],
        name=row["name"],
        message=row["messagename"],
        table=row["primaryentity"] or None,
        stage=Stage(row["stage"]),
        rank=row["rank"] if row["rank"] is not None else 1,
        mode=StepMode(row["mode"] or 0),
        handler_path=row["plugintypename"],
        filtering_attributes=frozenset(parse_columns(row["filteringattributes"])),
        pre_image=parse_columns(row["preimageattributes"]),
        post_image=parse_columns(row["postimageattributes"]),
        configuration=row["configuration"],
        run_as=row["impersonatinguserid"],
        enabled=row["statecode"] == 0,
    )


@dataclass
class TraceRecord:
    """What one step run wrote with context.trace(), and the exception it raised if any."""

    step: Step
    message_name: str
    primary_entity: str | None
    stage: Stage
    depth: int
    correlation_id: uuid.UUID
    started_on: Any
    duration_ms: int
    lines: list[str]
    exception: str | None = None

    @staticmethod
    def describe(error: BaseException) -> str:
        return "".join(traceback.format_exception(error)).strip()
