"""Dry runs: a message run for real — its steps, workflows, security and writes — in a
savepoint that is always rolled back, so that it can say what would happen and leave no
trace (the qualification doctor runs QualifyLead this way).

Its plug-in traces stay out of the trace log (they are reported instead), its row versions
leave the database's counter where it was (engine/versions.py), and what the unit of work
remembered meanwhile (records, metadata, steps) is forgotten. Steps and workflows can be
left out by id, to find which one alone makes an operation fail. Plug-ins see
``context.is_dry_run`` and can skip work outside the database (mail, other systems).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine import errors, versions
from leadgate.platform.engine.i18n import Label

if TYPE_CHECKING:
    from leadgate.platform.engine.context import Caller, ExecutionContext
    from leadgate.platform.engine.pipeline import Operation

__all__ = ["DryRun", "StepRun", "dry_run"]


@dataclass(frozen=True)
class StepRun:
    """One plug-in step or workflow that ran during a dry run, and how it ended."""

    kind: str  # "step" (a registered plug-in step) or "workflow" (a real-time workflow)
    id: uuid.UUID | None
    name: str | Label  # a workflow's name is a label in both languages
    message: str
    table: str | None
    stage: int
    depth: int
    user_id: uuid.UUID
    duration_ms: float
    error: errors.LeadgateError | None = None
    lines: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.error is None


@dataclass
class DryRun:
    """What one dry run leaves out (step and workflow ids) and what ran in it, in order."""

    left_out: frozenset[uuid.UUID] = frozenset()
    runs: list[StepRun] = field(default_factory=list)

    def keeps(self, item_id: uuid.UUID | None) -> bool:
        return item_id is None or item_id not in self.left_out

    def kept(self, steps: Iterable[Any]) -> tuple[Any, ...]:
        return tuple(step for step in steps if self.keeps(step.id))

    @contextmanager
    def recording(
        self, kind: str, item_id: uuid.UUID | None, name: str | Label, context: ExecutionContext,
        user_id: uuid.UUID, lines: list[str] | None = None,
    ) -> Iterator[None]:  # fmt: skip
        """Record what runs inside: its duration and its coded error, if any (re-raised)."""
        started = time.perf_counter()
        failure: errors.LeadgateError | None = None
        try:
            yield
        except errors.LeadgateError as error:
            failure = error
            raise
        finally:
            self.runs.append(
                StepRun(
                    kind, item_id, name, context.message_name, context.primary_entity_name,
                    int(context.stage), context.depth, user_id,
                    round((time.perf_counter() - started) * 1000, 2), failure,
                    tuple(lines or ()),
                )
            )  # fmt: skip


def dry_run(
    operation: Operation[Any], request: Any, caller: Caller,
    left_out: Iterable[uuid.UUID] = (),
) -> tuple[Any, errors.LeadgateError | None, DryRun]:  # fmt: skip
    """Run ``request`` as ``caller`` inside ``operation``'s transaction, at its depth, in a
    savepoint rolled back even when it succeeds: (response, None, what ran) or
    (None, the coded refusal, what ran)."""
    unit = operation.unit_of_work
    connection = operation.connection
    if unit.dry_run is not None:
        raise errors.UNEXPECTED(detail="a dry run cannot hold another dry run")
    run = DryRun(frozenset(left_out))
    saved = (unit.snapshot, unit.steps, unit.security, dict(unit.known_records), len(unit.traces))
    savepoint = unit.begin_savepoint()
    unit.dry_run = run
    versions.begin_dry_run(connection)
    try:
        response = operation.pipeline.execute(request, caller, operation.context, deeper=False)
        return response, None, run
    except errors.LeadgateError as error:
        return None, error, run
    finally:
        versions.end_dry_run(connection)
        unit.dry_run = None
        unit.roll_back(savepoint)
        unit.snapshot, unit.steps, unit.security, known, traced = saved
        unit.known_records.clear()
        unit.known_records.update(known)
        del unit.traces[traced:]
