"""PublishDuplicateRule (a system job, as in Dataverse), the batches its job runs, and
UnpublishDuplicateRule (REFERENCE §5).

PublishDuplicateRule checks the rule and makes it Publishing in the caller's transaction —
refusals come back at once — and queues a job of kind ``duplicates.publish`` (see
``job_kinds``) whose every batch computes the codes of the next records and commits them with
the job's checkpoint. While Publishing, a rule's codes already follow every change of its
matching table (``matchcodes.keep_codes``), but it finds nothing until Published.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from leadgate.platform.duplicates.errors import (
    DUPLICATE_RULE_ALREADY_PUBLISHED,
    DUPLICATE_RULE_NOT_PUBLISHING,
    NO_DUPLICATE_RULE,
)
from leadgate.platform.duplicates.publishing import publish_batch, rule_row
from leadgate.platform.duplicates.rules import (
    PUBLISHED,
    PUBLISHING,
    UNPUBLISHED,
    Rule,
    read_rules,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.jobs.messages import CancelJobRequest, QueueJobRequest
from leadgate.platform.jobs.states import JobState
from leadgate.platform.records.state import SetStateRequest
from leadgate.platform.security.privileges import Right

__all__ = [
    "DEFAULT_BATCH",
    "MESSAGES",
    "PUBLISH_JOB",
    "PublishDuplicateRuleBatchRequest",
    "PublishDuplicateRuleBatchResponse",
    "PublishDuplicateRuleRequest",
    "PublishDuplicateRuleResponse",
    "UnpublishDuplicateRuleRequest",
    "UnpublishDuplicateRuleResponse",
    "publishing_job",
    "resume_publishing",
]

PUBLISH_JOB = "duplicates.publish"  # the job kind that publishes a rule (see job_kinds)
# Records per transaction of a publishing or detection job: small enough that a batch holds
# its rows' locks briefly and a killed job loses little, large enough that the job's own
# bookkeeping (a checkpoint per batch) costs little beside the match codes.
DEFAULT_BATCH = 500


@dataclass(frozen=True)
class PublishDuplicateRuleRequest:
    """Publish a rule, as Dataverse does: the rule is checked and becomes Publishing at once
    (one of its table's five), and a system job computes its match codes, ``batch_size``
    records per transaction (leadgate's; default 500); the response names the job. A rule
    left Publishing (its job failed or was canceled) gets a new job that resumes it."""

    duplicate_rule_id: uuid.UUID
    batch_size: int | None = None


@dataclass(frozen=True)
class PublishDuplicateRuleResponse:
    job_id: uuid.UUID  # the asyncoperation that publishes the rule
    queued: bool = True  # False: the job publishing it already, not ended, is answered


@dataclass(frozen=True)
class PublishDuplicateRuleBatchRequest:
    """One batch of a Publishing rule: the codes of the next ``batch_size`` records (None: all
    the rest) after the rule's cursor, in one transaction; the last batch marks the rule
    Published. The publishing job runs one with each checkpoint. ``count``: also count the
    records done and in all (a scan of the table's key: once per run, not per batch)."""

    duplicate_rule_id: uuid.UUID
    batch_size: int | None = None
    count: bool = True


@dataclass(frozen=True)
class PublishDuplicateRuleBatchResponse:
    processed: int | None  # records of the matching table done so far (None: not counted)
    total: int | None  # records of the matching table (None: not counted)
    published: bool
    batch: int = 0  # records this request did


@dataclass(frozen=True)
class UnpublishDuplicateRuleRequest:
    duplicate_rule_id: uuid.UUID


@dataclass(frozen=True)
class UnpublishDuplicateRuleResponse:
    pass


def _rule(operation: Operation, rule_id: uuid.UUID) -> Rule:
    rule = next(
        (r for r in read_rules(operation.connection, operation.unit_of_work.tables).rules
         if r.id == rule_id), None,
    )  # fmt: skip
    if rule is None:
        raise NO_DUPLICATE_RULE(rule=rule_id)
    return rule


def _counts(operation: Operation, rule: Rule) -> tuple[int, int]:
    """Records done so far and in all, in the matching table."""
    table = operation.table(rule.matching)
    sql_table = operation.sql_table(table.name)
    total = operation.connection.execute(sa.select(sa.func.count()).select_from(sql_table))
    total_count = int(total.scalar_one())
    cursor = (rule_row(operation.unit_of_work, rule.id) or {}).get("publishcursor")
    if rule.status == PUBLISHED:
        return total_count, total_count
    if not cursor:
        return 0, total_count
    done = operation.connection.execute(
        sa.select(sa.func.count()).select_from(sql_table)
        .where(sql_table.c[table.primary_key] <= uuid.UUID(cursor))
    ).scalar_one()  # fmt: skip
    return int(done), total_count


def _rule_target(request: Any) -> tuple[str | None, uuid.UUID | None]:
    return "duplicaterule", request.duplicate_rule_id


def authorize_rule_change(operation: Operation) -> None:
    operation.require(Right.WRITE, operation.table("duplicaterule"))


def validate_publish(operation: Operation) -> None:
    size = operation.request.batch_size
    if size is not None and size < 1:
        raise errors.INVALID_QUERY(detail=Text(N_("the batch size is at least 1.")))


def _locked_rule(operation: Operation, rule_id: uuid.UUID) -> Rule:
    """The rule, its row held until commit: publishing, its batches and unpublishing one rule
    run one after the other."""
    operation.retrieve("duplicaterule", rule_id, ["publishcursor"], lock=True)
    return _rule(operation, rule_id)


def publishing_job(operation: Operation, rule_id: uuid.UUID) -> uuid.UUID | None:
    """The job publishing the rule that has not ended yet, if any."""
    jobs = operation.sql_table("asyncoperation")
    return operation.connection.execute(
        sa.select(jobs.c.asyncoperationid)
        .where(jobs.c.regardingobjectid == rule_id, jobs.c.kind == PUBLISH_JOB,
               jobs.c.statecode != int(JobState.COMPLETED))
        .order_by(jobs.c.createdon.desc()).limit(1)
    ).scalar()  # fmt: skip


def publish_rule(operation: Operation[PublishDuplicateRuleRequest]) -> PublishDuplicateRuleResponse:
    request = operation.request
    rule = _locked_rule(operation, request.duplicate_rule_id)
    if rule.status == PUBLISHED:
        raise DUPLICATE_RULE_ALREADY_PUBLISHED(rule=rule.label)
    reference = EntityReference("duplicaterule", rule.id)
    if rule.status == UNPUBLISHED:  # checked, and counted among its table's five, now
        operation.execute(SetStateRequest(reference, 0, PUBLISHING))
    else:
        running = publishing_job(operation, rule.id)
        if running is not None:  # asked twice: one job publishes it
            return PublishDuplicateRuleResponse(running, queued=False)
    data: dict[str, Any] = {"rule": str(rule.id)}
    if request.batch_size is not None:
        data["batch"] = request.batch_size
    name = f"Publish duplicate detection rule '{rule.name}'"
    queued = operation.execute(QueueJobRequest(PUBLISH_JOB, data, reference, name=name))
    return PublishDuplicateRuleResponse(queued.id)


def publish_rule_batch(
    operation: Operation[PublishDuplicateRuleBatchRequest],
) -> PublishDuplicateRuleBatchResponse:
    request = operation.request
    rule = _locked_rule(operation, request.duplicate_rule_id)
    if rule.status == UNPUBLISHED:
        option = operation.table("duplicaterule").column("statuscode").option(rule.status)
        status = option.label if option is not None else rule.status
        raise DUPLICATE_RULE_NOT_PUBLISHING(rule=rule.label, status=status)
    done = 0
    if rule.status == PUBLISHING:
        done, finished = publish_batch(operation.unit_of_work, rule, request.batch_size)
        if finished:
            operation.execute(SetStateRequest(EntityReference("duplicaterule", rule.id), 1,
                                              PUBLISHED))  # fmt: skip
            rule = _rule(operation, rule.id)
    counted = request.count or rule.status == PUBLISHED  # the last batch says how many
    processed, total = _counts(operation, rule) if counted else (None, None)
    return PublishDuplicateRuleBatchResponse(processed, total, rule.status == PUBLISHED, done)


def unpublish_rule(operation: Operation) -> UnpublishDuplicateRuleResponse:
    rule = _locked_rule(operation, operation.request.duplicate_rule_id)
    if rule.status != UNPUBLISHED:
        running = publishing_job(operation, rule.id)
        if running is not None:  # its publishing stops: the job has nothing left to do
            operation.execute_as_system(CancelJobRequest(running))
        reference = EntityReference("duplicaterule", rule.id)
        operation.execute(SetStateRequest(reference, 0, UNPUBLISHED))
    return UnpublishDuplicateRuleResponse()


MESSAGES = {
    PublishDuplicateRuleRequest: Message(
        "PublishDuplicateRule", publish_rule, validate_publish, _rule_target,
        authorize=authorize_rule_change,
    ),
    PublishDuplicateRuleBatchRequest: Message(
        "lg_PublishDuplicateRuleBatch", publish_rule_batch, validate_publish, _rule_target,
        authorize=authorize_rule_change,
    ),
    UnpublishDuplicateRuleRequest: Message(
        "UnpublishDuplicateRule", unpublish_rule, None, _rule_target,
        authorize=authorize_rule_change,
    ),
}  # fmt: skip


def resume_publishing(system: Any) -> list[str]:
    """Queue a job for each rule left Publishing without one (an upgrade that had to drop
    its match codes, a job that failed): the names of the rules whose job was queued now.
    ``system``: an OrganizationService running as SYSTEM."""
    resumed = []
    for rule in system.retrieve_multiple_all("duplicaterule", columns=["name", "statuscode"]):
        if rule["statuscode"] == PUBLISHING:
            response = system.execute(PublishDuplicateRuleRequest(rule.id))
            if response.queued:
                resumed.append(rule["name"])
    return resumed
