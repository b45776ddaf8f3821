"""BulkDelete: a system job deletes every record a query returns, as Dataverse's bulk deletion
job does (Microsoft's SDK sends it for ``client.records.delete(table, [ids])``).

The request is checked in the caller's transaction (the table, criteria that compile, Delete
on the table at some depth) and queues a job of kind ``records.bulk_delete`` that runs as
the caller: it reads the records they may read, in key order, and deletes each through its
own Delete (its checks, cascades and plug-in steps) in a savepoint, a group per checkpoint
with each record's result. A record refused (another's, restricted) keeps its coded error
and the job goes on past it; a job stopped or killed goes on after its last committed group.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryCaller,
    QueryExpression,
    compile_filter,
    filter_from_json,
    filter_to_json,
)
from leadgate.platform.jobs.messages import QueueJobRequest
from leadgate.platform.jobs.registry import JobContext, JobRegistry
from leadgate.platform.jobs.results import JobItem
from leadgate.platform.jobs.states import OperationType
from leadgate.platform.records.crud import DeleteRequest
from leadgate.platform.security.privileges import Right

__all__ = ["JOB_KIND", "MESSAGES", "BulkDeleteRequest", "BulkDeleteResponse", "register_job"]

JOB_KIND = "records.bulk_delete"
GROUP_SIZE = 100  # records deleted per commit


@dataclass(frozen=True)
class BulkDeleteRequest:
    """Queue a job that deletes every record ``query`` returns (its table and criteria: its
    columns, order and paging are not used); ``job_name`` names the job."""

    query: QueryExpression
    job_name: str | None = None


@dataclass(frozen=True)
class BulkDeleteResponse:
    job_id: uuid.UUID  # the asyncoperation, whose jobresult rows say what each record became


def validate_bulk_delete(operation: Operation[BulkDeleteRequest]) -> None:
    table = operation.table(operation.request.query.entity_name)
    # The criteria compile now, so that a job never fails on a query it could not run.
    caller = QueryCaller(operation.caller.user_id)
    compile_filter(table, operation.sql_table(table.name), operation.request.query.criteria, caller)


def authorize_bulk_delete(operation: Operation[BulkDeleteRequest]) -> None:
    """Delete on the table (each record's own Delete is checked when the job runs)."""
    operation.require(Right.DELETE, operation.table(operation.request.query.entity_name))


def bulk_delete(operation: Operation[BulkDeleteRequest]) -> BulkDeleteResponse:
    request = operation.request
    table = operation.table(request.query.entity_name)
    data = {"table": table.name, "criteria": filter_to_json(request.query.criteria)}
    name = (request.job_name or "").strip()[:200] or f"Bulk delete {table.label.en}"
    queued = operation.execute(QueueJobRequest(JOB_KIND, data, name=name))
    return BulkDeleteResponse(queued.id)


def _target(request: BulkDeleteRequest) -> tuple[str | None, uuid.UUID | None]:
    return request.query.entity_name, None


MESSAGES = {
    BulkDeleteRequest: Message(
        "BulkDelete", bulk_delete, validate_bulk_delete, _target, authorize=authorize_bulk_delete
    ),
}


def run_bulk_delete(context: JobContext) -> None:
    """``records.bulk_delete``: data {"table", "criteria" (a filter as JSON)}; the checkpoint
    is {"after": the last key tried, "tried": how many}."""
    table = str(context.data["table"])
    key = context.organization.metadata().table(table).primary_key
    criteria = filter_from_json(context.data.get("criteria"))
    state = dict(context.resume_from or {})
    after, tried = state.get("after"), int(state.get("tried", 0))
    while True:
        page_filter = criteria
        if after is not None:  # past the records tried: a refused one is not tried again
            page_filter = FilterExpression(
                "and", (ConditionExpression.make(key, "gt", after),), (criteria,)
            )
        query = QueryExpression(
            table, ColumnSet.of(key), page_filter, (OrderExpression(key),),
            page_info=PagingInfo(count=GROUP_SIZE),
        )  # fmt: skip
        ids = [r.id for r in context.service.retrieve_multiple(query).entities if r.id]
        if not ids:
            return
        items = [
            JobItem(tried + offset + 1, DeleteRequest(EntityReference(table, record)),
                    regarding=EntityReference(table, record))
            for offset, record in enumerate(ids)
        ]  # fmt: skip
        tried, after = tried + len(ids), str(ids[-1])
        context.checkpoint_items({"after": after, "tried": tried}, items)
        context.progress(tried, tried + (GROUP_SIZE if len(ids) == GROUP_SIZE else 0))
        if len(ids) < GROUP_SIZE:
            context.progress(tried, tried)
            return


def register_job(jobs: JobRegistry) -> None:
    jobs.register(JOB_KIND, run_bulk_delete, operation_type=OperationType.BULK_DELETE)
