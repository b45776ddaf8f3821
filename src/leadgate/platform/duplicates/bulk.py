"""BulkDetectDuplicates (REFERENCE §5): a system job finds, for every record a query returns,
its duplicates under the published rules, and stores each as a ``duplicaterecord`` row.

The request is checked in the caller's transaction (the table, the query, Read on the table,
a published rule to detect with) and queues a job of kind ``duplicates.detect`` (see
``job_kinds``), which runs as the caller: it reads only the records they may read and finds
only the duplicates they may read, as RetrieveDuplicates would for them. Each batch of
records is one lg_DetectDuplicatesBatch committed with the job's checkpoint, so a job killed
and run again stores no pair twice (and the table's key on job, record, duplicate and rule
would refuse it anyway).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadgate.platform.duplicates.errors import NO_PUBLISHED_DUPLICATE_RULE, NOT_A_DETECTION_JOB
from leadgate.platform.duplicates.matchcodes import read_rows
from leadgate.platform.duplicates.messages import find_duplicates
from leadgate.platform.duplicates.rules import rule_set
from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.query import (
    QueryCaller,
    QueryExpression,
    compile_filter,
    filter_to_json,
)
from leadgate.platform.jobs.messages import QueueJobRequest
from leadgate.platform.records.crud import CreateRequest
from leadgate.platform.security.privileges import Right

__all__ = [
    "DETECT_JOB",
    "MESSAGES",
    "BulkDetectDuplicatesRequest",
    "BulkDetectDuplicatesResponse",
    "DetectDuplicatesBatchRequest",
    "DetectDuplicatesBatchResponse",
]

DETECT_JOB = "duplicates.detect"  # the job kind that detects duplicates (see job_kinds)
TABLE = "duplicaterecord"


@dataclass(frozen=True)
class BulkDetectDuplicatesRequest:
    """Queue a job that finds the duplicates of every record ``query`` returns (its table
    and criteria: its columns, order and paging are not used), under the table's published
    rules; ``job_name`` names the job (default: one naming the table); ``batch_size``: records
    per transaction (leadgate's; default 500)."""

    query: QueryExpression
    job_name: str | None = None
    batch_size: int | None = None


@dataclass(frozen=True)
class BulkDetectDuplicatesResponse:
    job_id: uuid.UUID  # the asyncoperation; its duplicaterecord rows name it


@dataclass(frozen=True)
class DetectDuplicatesBatchRequest:
    """One batch of a detection job: the duplicates of these records of ``table``, stored for
    ``job_id`` (each pair once); ``summarize`` also counts what the job found so far."""

    job_id: uuid.UUID
    table: str
    record_ids: tuple[uuid.UUID, ...] = ()
    summarize: bool = False


@dataclass(frozen=True)
class DetectDuplicatesBatchResponse:
    stored: int  # duplicaterecord rows this batch added
    pairs: int | None = None  # rows the job has in all (summarize)
    records: int | None = None  # records with at least one duplicate (summarize)


# --- BulkDetectDuplicates -------------------------------------------------------------------


def validate_bulk_detect(operation: Operation[BulkDetectDuplicatesRequest]) -> None:
    request = operation.request
    table = operation.table(request.query.entity_name)
    if request.batch_size is not None and request.batch_size < 1:
        raise errors.INVALID_QUERY(detail=Text(N_("the batch size is at least 1.")))
    # The criteria compile now, so that a job never fails on a query it could not run.
    caller = QueryCaller(operation.caller.user_id)
    compile_filter(table, operation.sql_table(table.name), request.query.criteria, caller)


def authorize_bulk_detect(operation: Operation[BulkDetectDuplicatesRequest]) -> None:
    """Read on the table, as Dataverse asks (prvRead of the table detected)."""
    operation.require(Right.READ, operation.table(operation.request.query.entity_name))


def bulk_detect(operation: Operation[BulkDetectDuplicatesRequest]) -> BulkDetectDuplicatesResponse:
    request = operation.request
    table = operation.table(request.query.entity_name)
    rules = rule_set(operation.unit_of_work)
    if not rules.published_for(table.name):
        others = [rule.label for rule in rules.rules if rule.base == table.name]
        raise NO_PUBLISHED_DUPLICATE_RULE(table=table.label, rules=others or "-")
    data: dict[str, Any] = {"table": table.name,
                            "criteria": filter_to_json(request.query.criteria)}  # fmt: skip
    if request.batch_size is not None:
        data["batch"] = request.batch_size
    name = (request.job_name or "").strip() or f"Detect duplicates of {table.label.en}"
    queued = operation.execute(QueueJobRequest(DETECT_JOB, data, name=name))
    return BulkDetectDuplicatesResponse(queued.id)


# --- one batch --------------------------------------------------------------------------------


def _check_job(operation: Operation[DetectDuplicatesBatchRequest]) -> Entity:
    """The job is a detection job of the caller's: nobody stores pairs in another's job."""
    job_id = operation.request.job_id
    job = operation.retrieve("asyncoperation", job_id, ["kind", "ownerid"])
    owner = job.get("ownerid") if job is not None else None
    if (
        job is None
        or job["kind"] != DETECT_JOB
        or owner is None
        or (owner.id != operation.caller.user_id)
    ):
        raise NOT_A_DETECTION_JOB(job=job_id)
    return job


def authorize_batch(operation: Operation[DetectDuplicatesBatchRequest]) -> None:
    operation.require(Right.READ, operation.table(operation.request.table))


def _stored(operation: Operation[Any], job_id: uuid.UUID, ids: list[uuid.UUID]) -> set[Any]:
    found = operation.sql_table(TABLE)
    return {
        tuple(row)
        for row in operation.connection.execute(
            sa.select(
                found.c.baserecordid, found.c.duplicaterecordid, found.c.duplicateruleid
            ).where(found.c.asyncoperationid == job_id, found.c.baserecordid.in_(ids))
        )
    }


def _summary(operation: Operation[Any], job_id: uuid.UUID) -> tuple[int, int]:
    found = operation.sql_table(TABLE)
    pairs, records = operation.connection.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(found.c.baserecordid)))
        .where(found.c.asyncoperationid == job_id)
    ).one()  # fmt: skip
    return int(pairs), int(records)


def detect_batch(
    operation: Operation[DetectDuplicatesBatchRequest],
) -> DetectDuplicatesBatchResponse:
    request = operation.request
    job = _check_job(operation)
    table = operation.table(request.table)
    ids = list(dict.fromkeys(request.record_ids))
    stored = 0
    if ids:
        sql_table = operation.sql_table(table.name)
        key = sql_table.c[table.primary_key]
        records = read_rows(operation.connection, table, sql_table, list(table.columns),
                            key.in_(ids), order=True)  # fmt: skip
        known = _stored(operation, request.job_id, ids)
        owner = job["ownerid"]
        for record in records:
            record_id = record[table.primary_key]
            for match in find_duplicates(operation, table.name, dict(record), record_id):
                pair = (record_id, match.id, match.rule_id)
                if pair in known:
                    continue
                known.add(pair)
                # The pairs are the platform's record of what the job found, owned by the
                # job's owner: written as SYSTEM (users are granted Read on them, no more).
                operation.execute_as_system(CreateRequest(Entity(TABLE, None, {
                    "asyncoperationid": EntityReference("asyncoperation", request.job_id),
                    "baserecordid": record_id, "baserecordidtypecode": table.name,
                    "duplicaterecordid": match.id, "duplicaterecordidtypecode": match.table,
                    "duplicateruleid": EntityReference("duplicaterule", match.rule_id),
                    "ownerid": owner,
                })))  # fmt: skip
                stored += 1
    if not request.summarize:
        return DetectDuplicatesBatchResponse(stored)
    pairs, with_duplicates = _summary(operation, request.job_id)
    return DetectDuplicatesBatchResponse(stored, pairs, with_duplicates)


def _query_target(request: BulkDetectDuplicatesRequest) -> tuple[str | None, uuid.UUID | None]:
    return request.query.entity_name, None


def _job_target(request: DetectDuplicatesBatchRequest) -> tuple[str | None, uuid.UUID | None]:
    return "asyncoperation", request.job_id


MESSAGES: dict[type, Message[Any]] = {
    BulkDetectDuplicatesRequest: Message(
        "BulkDetectDuplicates", bulk_detect, validate_bulk_detect, _query_target,
        authorize=authorize_bulk_detect,
    ),
    DetectDuplicatesBatchRequest: Message(
        "lg_DetectDuplicatesBatch", detect_batch, None, _job_target, authorize=authorize_batch,
    ),
}  # fmt: skip
