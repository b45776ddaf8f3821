"""Asynchronous plug-in steps run as system jobs, as Dataverse runs them.

When a message runs, each enabled asynchronous step that applies to it (same message, table
and filtering columns rules as synchronous ones) is queued at the post-operation point, in
the operation's transaction: a rolled-back operation queues nothing, and workers see the job
only once the operation commits. The job carries what the step needs later — the target, the
images it asked for (taken at operation time), who it runs as (the step's run-as user, else
the calling user), the correlation id and depth — and a worker runs the step with the same
context API as synchronous steps (stage 40, mode asynchronous), in a transaction of its own,
traced to the plug-in trace log. The step's failure fails the job with its coded message; the
operation that queued it stays done.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leadgate.platform.engine.context import Caller, ExecutionContext
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.json_values import dump_items, load_items
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Interface, Language, Stage, StepMode
from leadgate.platform.jobs.errors import JOB_KIND_PLATFORM_ONLY
from leadgate.platform.jobs.messages import QueueJobRequest
from leadgate.platform.jobs.registry import JobContext
from leadgate.platform.jobs.states import OperationType
from leadgate.platform.plugins.errors import ASYNC_STEP_DATA_INVALID, ASYNC_STEP_SKIPPED
from leadgate.platform.plugins.registry import Step, TraceRecord

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

__all__ = [
    "JOB_KIND",
    "MESSAGES",
    "ExecuteAsyncStepRequest",
    "ExecuteAsyncStepResponse",
    "StepJob",
    "queue_step",
    "register",
]

JOB_KIND = "plugin"
MESSAGE_NAME = "lg_ExecuteAsyncStep"
# A step queued for a change to a system job would queue another job, and so on.
NOT_QUEUED_TABLES = frozenset({"asyncoperation"})
_REQUIRED = object()


@dataclass(frozen=True)
class StepJob:
    """What a queued asynchronous step carries from its operation to the worker."""

    step_id: uuid.UUID
    step_name: str
    handler: str
    message: str
    table: str | None
    record_id: uuid.UUID | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    pre_images: dict[str, Entity]
    post_images: dict[str, Entity]
    run_as: uuid.UUID
    initiating_user: uuid.UUID
    language: Language
    interface: Interface
    correlation_id: uuid.UUID
    depth: int

    def to_data(self) -> dict[str, Any]:
        """The job's data: JSON values only (see engine.json_values)."""
        return {
            "stepid": str(self.step_id), "step": self.step_name, "handler": self.handler,
            "message": self.message, "table": self.table,
            "id": str(self.record_id) if self.record_id else None,
            "inputs": dump_items(self.inputs), "outputs": dump_items(self.outputs),
            "preimages": dump_items(self.pre_images), "postimages": dump_items(self.post_images),
            "runas": str(self.run_as), "initiatinguserid": str(self.initiating_user),
            "language": str(self.language), "interface": int(self.interface),
            "correlationid": str(self.correlation_id), "depth": self.depth,
        }  # fmt: skip

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> StepJob:
        """The job's data read back; ASYNC_STEP_DATA_INVALID, naming the key, if it is not
        a step job's."""

        def read(key: str, convert: Callable[[Any], Any], default: Any = _REQUIRED) -> Any:
            if data.get(key) is None:
                if default is _REQUIRED:
                    raise ASYNC_STEP_DATA_INVALID(detail=f"{key} is missing")
                return default
            try:
                return convert(data[key])
            except (TypeError, ValueError, AttributeError, KeyError) as error:
                raise ASYNC_STEP_DATA_INVALID(detail=f"{key}: {error}") from error

        return cls(
            step_id=read("stepid", uuid.UUID), step_name=read("step", str),
            handler=read("handler", str), message=read("message", str),
            table=read("table", str, None), record_id=read("id", uuid.UUID, None),
            inputs=read("inputs", load_items, {}), outputs=read("outputs", load_items, {}),
            pre_images=read("preimages", load_items, {}),
            post_images=read("postimages", load_items, {}),
            run_as=read("runas", uuid.UUID),
            initiating_user=read("initiatinguserid", uuid.UUID),
            language=read("language", Language, Language.ENGLISH),
            interface=read("interface", Interface, Interface.PYTHON),
            correlation_id=read("correlationid", uuid.UUID), depth=read("depth", int),
        )  # fmt: skip

    @property
    def stand_in(self) -> Step:
        """The step as it was queued: what the trace log names when it is gone."""
        return Step(
            name=self.step_name, message=self.message, stage=Stage.POST_OPERATION,
            handler_path=self.handler, table=self.table, mode=StepMode.ASYNCHRONOUS,
            id=self.step_id,
        )  # fmt: skip


# --- queued in the operation's transaction -----------------------------------------------------


def queue_step(context: ExecutionContext, step: Step) -> None:
    """Post-operation: queue ``step`` as a job about the operation's record. The context shows
    the step's images (the pipeline's view of one step)."""
    table, record_id = context.primary_entity_name, context.primary_entity_id
    if table in NOT_QUEUED_TABLES or step.id is None:
        return
    job = StepJob(
        step_id=step.id, step_name=step.name, handler=step.handler_path,
        message=context.message_name, table=table, record_id=record_id,
        inputs=context.input_parameters, outputs=context.output_parameters,
        pre_images=context.pre_entity_images, post_images=context.post_entity_images,
        # Dataverse: the step's impersonating user, else the user the message ran as.
        run_as=step.run_as or context.user_id, initiating_user=context.initiating_user_id,
        language=context.language, interface=context.caller.interface,
        correlation_id=context.correlation_id, depth=context.depth,
    )  # fmt: skip
    regarding = EntityReference(table, record_id) if table and record_id else None
    name = f"{step.name} ({' '.join(filter(None, (context.message_name, table)))})"
    # Queued by the platform (owner SYSTEM; the step's own user is in the data), at the
    # operation's depth: the job's run is the next level, as in Dataverse.
    unit = context.unit_of_work
    unit.organization.pipeline.execute(
        QueueJobRequest(JOB_KIND, job.to_data(), regarding, name),
        Caller.system(context.initiating_user_id, context.caller.interface),
        context,
        deeper=False,
    )


# --- run by a worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecuteAsyncStepRequest:
    """Run the step a "plugin" job queued, in this transaction (the job's checkpoint)."""

    data: Mapping[str, Any]


@dataclass(frozen=True)
class ExecuteAsyncStepResponse:
    ran: bool  # False: the step was deleted, disabled or made synchronous since


def execute_async_step(
    operation: Operation[ExecuteAsyncStepRequest],
) -> ExecuteAsyncStepResponse:
    job = StepJob.from_data(operation.request.data)
    unit = operation.unit_of_work
    assert unit.steps is not None
    step = unit.steps.find(job.step_id)
    if step is None or not step.enabled or step.mode is not StepMode.ASYNCHRONOUS:
        notice = ASYNC_STEP_SKIPPED(step=job.step_name, id=job.step_id)
        skipped = TraceRecord(
            step=step or job.stand_in, message_name=job.message, primary_entity=job.table,
            stage=Stage.POST_OPERATION, depth=job.depth, correlation_id=job.correlation_id,
            started_on=dt.datetime.now(dt.UTC), duration_ms=0,
            lines=[f"{notice.code}: {notice.message(Language.ENGLISH)}"],
        )  # fmt: skip
        unit.traces.append(skipped)
        return ExecuteAsyncStepResponse(ran=False)
    context = ExecutionContext(
        message_name=job.message, primary_entity_name=job.table,
        primary_entity_id=job.record_id, depth=job.depth, parent_context=None,
        input_parameters=job.inputs,
        caller=Caller(job.run_as, job.initiating_user, job.language, job.interface),
        correlation_id=job.correlation_id, unit_of_work=unit,
        service_factory=operation.pipeline.organization.nested_service,
    )  # fmt: skip
    context.output_parameters = job.outputs
    context.pre_entity_images = job.pre_images
    context.post_entity_images = job.post_images
    context.stage = Stage.POST_OPERATION
    context.mode = StepMode.ASYNCHRONOUS
    # Its nested messages run as the user chosen when it was queued, in this transaction.
    running = dataclasses.replace(step, run_as=job.run_as)
    pipeline = operation.pipeline
    pipeline.run_step(Operation(operation.request, context, unit, pipeline), running)
    return ExecuteAsyncStepResponse(ran=True)


def run_step_job(context: JobContext) -> None:
    """The "plugin" job kind: the step's work and the job's checkpoint commit together, so
    a worker killed after the commit leaves a job whose re-run repeats nothing."""
    if context.resume_from is not None:
        return
    context.checkpoint(True, ExecuteAsyncStepRequest(context.data))


def authorize_platform(operation: Operation[ExecuteAsyncStepRequest]) -> None:
    """Only a job the platform queued (owner SYSTEM) runs a step: its data names the user the
    step runs as. (Called for callers other than SYSTEM: every one is refused.)"""
    raise JOB_KIND_PLATFORM_ONLY(kind=JOB_KIND)


MESSAGES = {
    ExecuteAsyncStepRequest: Message(
        MESSAGE_NAME,
        execute_async_step,
        authorize=authorize_platform,
        target=lambda request: (None, None),
    ),
}


def register(organization: Organization) -> None:
    organization.steps.queue = queue_step
    organization.register_messages(MESSAGES)
    organization.jobs.register(
        JOB_KIND, run_step_job, operation_type=OperationType.SYSTEM_EVENT, platform_only=True
    )
