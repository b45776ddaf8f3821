"""The system jobs of duplicate detection: publishing a rule, and bulk detection.

Each works in batches, and commits each batch's writes with the job's checkpoint
(``context.checkpoint(value, request)``: one transaction), so that a job killed at any point
and run again — by another worker after its lease ends, or after RetryJob — repeats nothing
that was committed. Publishing resumes from the rule's own cursor (``publishcursor``), so a
new PublishDuplicateRule job also continues where a failed one stopped; detection resumes
after the last record of its last checkpoint.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from leadgate.platform.duplicates.bulk import DETECT_JOB, DetectDuplicatesBatchRequest
from leadgate.platform.duplicates.rule_messages import (
    DEFAULT_BATCH,
    PUBLISH_JOB,
    PublishDuplicateRuleBatchRequest,
)
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    PagingInfo,
    QueryExpression,
    filter_from_json,
)
from leadgate.platform.jobs.states import OperationType

if TYPE_CHECKING:
    from leadgate.platform.jobs.registry import JobContext, JobRegistry

__all__ = ["detect_duplicates", "publish_rule", "register"]


def _batch_size(context: JobContext) -> int:
    return max(1, int(context.data.get("batch") or DEFAULT_BATCH))


def publish_rule(context: JobContext) -> None:
    """``duplicates.publish``: data {"rule": id, "batch": n}. Batch after batch until the
    rule is Published; the last checkpoint says how many records it covers."""
    rule_id = uuid.UUID(str(context.data["rule"]))
    size = _batch_size(context)
    batches = int((context.resume_from or {}).get("batches", 0))
    done = total = 0
    first = True
    while True:
        request = PublishDuplicateRuleBatchRequest(rule_id, size, count=first)
        (step,) = context.checkpoint({"batches": batches + 1}, request)
        batches += 1
        if step.total is not None:  # counted: the first batch of this run, and the last
            done, total = step.processed or 0, step.total
        else:
            done += step.batch
        first = False
        if step.published:
            break
        # Records created meanwhile may take the count past the first total.
        context.progress(done, max(total, done + 1))
    context.checkpoint({"batches": batches, "records": total})
    context.progress(total, total)


def _total(context: JobContext, table: str, key: str, criteria: FilterExpression) -> int:
    paging = PagingInfo(count=1, return_total_record_count=True)
    query = QueryExpression(table, ColumnSet.of(key), criteria, page_info=paging)
    return context.service.retrieve_multiple(query).total_record_count or 0


def detect_duplicates(context: JobContext) -> None:
    """``duplicates.detect``: data {"table", "criteria" (a filter as JSON), "batch"}. The
    records the owner may read that match, in key order, a batch at a time; the last
    checkpoint holds the summary: records checked, pairs found, records with duplicates."""
    table = str(context.data["table"])
    key = context.organization.metadata().table(table).primary_key
    criteria = filter_from_json(context.data.get("criteria"))
    size = _batch_size(context)
    state: dict[str, Any] = dict(context.resume_from or {})
    if state.get("finished"):
        return  # killed after its summary was committed
    after, done = state.get("after"), int(state.get("records", 0))
    total = _total(context, table, key, criteria)
    while True:
        page_filter = criteria
        if after is not None:
            page_filter = FilterExpression(
                "and", (ConditionExpression.make(key, "gt", after),), (criteria,)
            )
        query = QueryExpression(table, ColumnSet.of(key), page_filter,
                                page_info=PagingInfo(count=size))  # fmt: skip
        page = context.service.retrieve_multiple(query).entities
        ids = tuple(record.id for record in page if record.id is not None)
        if not ids:
            break
        done, after = done + len(ids), str(ids[-1])
        context.checkpoint({"after": after, "records": done},
                           DetectDuplicatesBatchRequest(context.job_id, table, ids))  # fmt: skip
        context.progress(done, max(total, done + 1))
        if len(ids) < size:
            break
    summary = context.service.execute(
        DetectDuplicatesBatchRequest(context.job_id, table, summarize=True)
    )
    context.checkpoint({"after": after, "records": done, "pairs": summary.pairs,
                        "duplicated": summary.records, "finished": True})  # fmt: skip


def register(jobs: JobRegistry) -> None:
    jobs.register(PUBLISH_JOB, publish_rule, operation_type=OperationType.PUBLISH_DUPLICATE_RULE)
    jobs.register(DETECT_JOB, detect_duplicates,
                  operation_type=OperationType.BULK_DUPLICATE_DETECTION)  # fmt: skip
