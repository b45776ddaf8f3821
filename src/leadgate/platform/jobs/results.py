"""What a job did item by item: a lead qualified or refused, a row imported or rejected.

A handler hands its items to ``context.checkpoint_items(value, items)``: each item's request
runs in a savepoint of the report's transaction, so a refused item leaves nothing and the
others go on; every item's outcome is written as a ``jobresult`` row, and the checkpoint with
them, in that one transaction. A job killed after it repeats none of those items; one killed
before repeats them all, and none of them was committed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import sqlalchemy as sa

from leadgate.platform.engine import errors as engine_errors
from leadgate.platform.engine import rows
from leadgate.platform.engine.context import Caller
from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.engine.types import Language
from leadgate.platform.security.privileges import Right

__all__ = [
    "MESSAGES",
    "ItemOutcome",
    "JobItem",
    "Outcome",
    "RetrieveJobResultsRequest",
    "RetrieveJobResultsResponse",
    "run_items",
]

TABLE = "jobresult"
JOB_TABLE = "asyncoperation"
# A failure of the database itself is no item's fault: the whole report is tried again.
_TRANSIENT = (engine_errors.DATABASE_BUSY, engine_errors.DATABASE_UNAVAILABLE)


class Outcome(IntEnum):
    SUCCEEDED = 0
    FAILED = 1
    SKIPPED = 2


@dataclass(frozen=True)
class JobItem:
    """One item of a job's work. ``request`` runs as the job's owner (None: nothing to run —
    an item refused before, given with its ``error``, or skipped); ``describe`` turns the
    response into the JSON detail kept with the result (the records it made); ``detail`` is
    the JSON kept when there is no response to describe (a refused row's own values).
    ``skipped`` reads the response of a request that chose to do nothing (a row skipped as a
    duplicate): the error it returns is kept with the outcome Skipped. ``together``: run in
    one savepoint with the other such items of the call, which saves a savepoint and its
    writes per item; if any of them is refused, all of them run again each in its own —
    for items a job expects to pass (a refusal foreseen runs alone)."""

    sequence: int
    request: Any = None
    name: str = ""
    regarding: EntityReference | None = None
    error: LeadgateError | None = None
    describe: Callable[[Any], Any] | None = field(default=None, compare=False)
    detail: Any = field(default=None, compare=False)
    skipped: Callable[[Any], LeadgateError | None] | None = field(default=None, compare=False)
    together: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class ItemOutcome:
    item: JobItem
    outcome: Outcome
    response: Any = None
    error: LeadgateError | None = None


def run_items(
    operation: Operation[Any], job_id: uuid.UUID, caller: Caller, items: Sequence[JobItem]
) -> list[ItemOutcome]:
    """Run each item in its own savepoint (those marked ``together`` in one, unless one of
    them is refused) and write its result, in the caller's transaction, in the items' order."""
    together = [item for item in items if item.together and item.request is not None]
    passed = _run_together(operation, caller, together) if len(together) > 1 else {}
    outcomes = [passed.get(id(item)) or _run_alone(operation, caller, item) for item in items]
    _write(operation, job_id, outcomes)
    return outcomes


def _outcome(item: JobItem, response: Any) -> ItemOutcome:
    passed = item.skipped(response) if item.skipped is not None else None
    kind = Outcome.SKIPPED if passed is not None else Outcome.SUCCEEDED
    return ItemOutcome(item, kind, response=response, error=passed)


def _run_together(
    operation: Operation[Any], caller: Caller, items: Sequence[JobItem]
) -> dict[int, ItemOutcome]:
    """The items in one savepoint, by the item's id; none if one of them was refused (all
    rolled back: each runs again alone)."""
    savepoint = operation.unit_of_work.begin_savepoint()
    try:
        responses = [operation.pipeline.execute(item.request, caller, operation.context)
                     for item in items]  # fmt: skip
    except LeadgateError as error:
        operation.unit_of_work.roll_back(savepoint)
        if error.kind in _TRANSIENT:
            raise
        operation.unit_of_work.known_records.clear()
        return {}
    except BaseException:
        operation.unit_of_work.roll_back(savepoint)
        raise
    savepoint.commit()
    pairs = zip(items, responses, strict=True)
    return {id(item): _outcome(item, response) for item, response in pairs}


def _run_alone(operation: Operation[Any], caller: Caller, item: JobItem) -> ItemOutcome:
    if item.request is None:
        kind = Outcome.FAILED if item.error is not None else Outcome.SKIPPED
        return ItemOutcome(item, kind, error=item.error)
    savepoint = operation.unit_of_work.begin_savepoint()
    try:
        response = operation.pipeline.execute(item.request, caller, operation.context)
    except LeadgateError as error:
        operation.unit_of_work.roll_back(savepoint)
        if error.kind in _TRANSIENT:
            raise
        # What this unit learned inside the savepoint (records it saw) is gone with it.
        operation.unit_of_work.known_records.clear()
        return ItemOutcome(item, Outcome.FAILED, error=error)
    except BaseException:
        operation.unit_of_work.roll_back(savepoint)
        raise
    savepoint.commit()
    return _outcome(item, response)


def _write(operation: Operation[Any], job_id: uuid.UUID, outcomes: Sequence[ItemOutcome]) -> None:
    table = operation.table(TABLE)
    sql_table = operation.sql_table(TABLE)
    now = operation.now()
    job = EntityReference(JOB_TABLE, job_id)
    for done in outcomes:
        item, error = done.item, done.error
        described = item.detail
        if done.response is not None and item.describe is not None:
            described = item.describe(done.response)
        detail = None
        if described is not None:
            detail = json.dumps(described, ensure_ascii=False, default=str)
        values = {
            "jobresultid": uuid.uuid4(), "asyncoperationid": job, "sequencenumber": item.sequence,
            "name": item.name[:256] or None, "outcome": int(done.outcome),
            "objectid": item.regarding.id if item.regarding else None,
            "objecttypecode": item.regarding.logical_name if item.regarding else None,
            "errorcode": error.code if error else None,
            "message": error.message(Language.ENGLISH)[-10240:] if error else None,
            "message_fr": error.message(Language.FRENCH)[-10240:] if error else None,
            "detail": detail, "createdon": now, "modifiedon": now,
        }  # fmt: skip
        rows.insert_row(operation.connection, table, sql_table, values)


# --- reading them ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetrieveJobResultsRequest:
    """A job's results in order; ``outcome`` keeps one kind (the failures, say)."""

    job_id: uuid.UUID
    outcome: Outcome | None = None
    top: int = 5000
    after: int = -1  # the last sequence number read: the next page starts past it


@dataclass(frozen=True)
class RetrieveJobResultsResponse:
    results: list[Entity]
    counts: dict[Outcome, int]  # every result of the job, by outcome
    more: bool


def retrieve_job_results(
    operation: Operation[RetrieveJobResultsRequest],
) -> RetrieveJobResultsResponse:
    request = operation.request
    if operation.retrieve(JOB_TABLE, request.job_id, ["asyncoperationid"]) is None:
        raise engine_errors.RECORD_NOT_FOUND(table=JOB_TABLE, id=request.job_id)
    table = operation.table(TABLE)
    sql = operation.sql_table(TABLE)
    mine = sql.c.asyncoperationid == request.job_id
    counted = operation.connection.execute(
        sa.select(sql.c.outcome, sa.func.count()).where(mine).group_by(sql.c.outcome)
    )
    counts = {kind: 0 for kind in Outcome}
    for outcome, number in counted:
        counts[Outcome(outcome)] = number
    names = [name for name in table.columns if name not in ("versionnumber",)]
    statement = (
        sa.select(*rows.select_columns(table, sql, names))
        .where(mine, sql.c.sequencenumber > request.after)
        .order_by(sql.c.sequencenumber, sql.c.jobresultid)
        .limit(max(1, request.top) + 1)
    )
    if request.outcome is not None:
        statement = statement.where(sql.c.outcome == int(request.outcome))
    found = [
        rows.entity_from_row(table, row, names)
        for row in operation.connection.execute(statement).mappings()
    ]
    more = len(found) > max(1, request.top)
    return RetrieveJobResultsResponse(found[: max(1, request.top)], counts, more)


def authorize_read_results(operation: Operation[RetrieveJobResultsRequest]) -> None:
    """Whoever may read the job may read what it did."""
    table = operation.table(JOB_TABLE)
    record = operation.record_owner(table, operation.request.job_id)
    if record is not None:
        operation.require(Right.READ, table, record)


MESSAGES = {
    RetrieveJobResultsRequest: Message(
        "lg_RetrieveJobResults",
        retrieve_job_results,
        target=lambda request: (JOB_TABLE, request.job_id),
        authorize=authorize_read_results,
        writes=False,
    ),
}
