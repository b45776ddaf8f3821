"""BulkQualifyLeads: many leads qualified by system jobs, the grid's path, lead by lead.

The message only chooses the leads (the ids given, or the open leads a query matches as the
caller reads them) and queues jobs of kind ``sales.bulk_qualify`` that run as the caller:
parts of ``part_size`` leads, so that several workers share a large selection. A job runs
each lead's QualifyLead (no duplicate check, as the grid) as if in its own savepoint (the
group's open leads share one, run again each alone if one is refused), and commits a group
of them with their results and the checkpoint: a refused lead leaves nothing and keeps its
coded error; a job stopped or killed goes on from its last group, and no lead is
qualified twice. See docs/jobs.md, "Bulk qualify".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    EntityReference,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
    RetrieveMultipleRequest,
)
from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, render
from leadgate.platform.engine.pipeline import Message, Operation, checked_by_nested_messages
from leadgate.platform.engine.validation import DEFAULT_STATUS, initial_state
from leadgate.platform.jobs import JobContext, JobItem, OperationType, QueueJobRequest
from leadgate.sales.errors import (
    BULK_QUALIFY_IDS_AND_QUERY,
    BULK_QUALIFY_NO_LEADS,
    BULK_QUALIFY_TOO_MANY,
    NOT_A_LEAD,
)
from leadgate.sales.qualify import QualifyLeadRequest, QualifyLeadResponse

__all__ = [
    "JOB_KIND",
    "MESSAGES",
    "BulkQualifyLeadsRequest",
    "BulkQualifyLeadsResponse",
    "register",
    "run_bulk_qualify",
]

JOB_KIND = "sales.bulk_qualify"
MAX_LEADS = 100_000  # per request: past it, split the selection
PART_SIZE = 1000  # leads per job: two workers share 10,000 leads as ten jobs
CHUNK_SIZE = 50  # leads per commit at most
# A commit aims at this much work, so that SQLite's one writer (the browser's requests) never
# waits long behind a bulk job: slow leads make smaller groups.
CHUNK_SECONDS = 0.5
_FIRST_CHUNK = 10
_PAGE = 5000


@dataclass(frozen=True)
class BulkQualifyLeadsRequest:
    """Qualify many leads in the background: ``lead_ids``, or the open leads ``query``
    matches (the caller's Read rights apply), never both. The flags and ``status`` are
    QualifyLead's, the same for every lead; ``name`` names the jobs (default: "Qualify
    leads"). ``part_size`` leads per job, ``chunk_size`` leads per commit at most."""

    lead_ids: tuple[uuid.UUID, ...] = ()
    query: QueryExpression | None = None
    status: int = DEFAULT_STATUS
    create_account: bool | None = None
    create_contact: bool | None = None
    create_opportunity: bool | None = None
    name: str | None = None
    part_size: int = PART_SIZE
    chunk_size: int = CHUNK_SIZE


@dataclass(frozen=True)
class BulkQualifyLeadsResponse:
    """The jobs queued, in order (part 1 first), and how many leads they hold."""

    job_ids: tuple[uuid.UUID, ...]
    count: int


def _check_range(value: int, parameter: str, minimum: int, maximum: int) -> None:
    if not minimum <= value <= maximum:
        raise errors.VALUE_OUT_OF_RANGE(
            value=value, column=parameter, table="lg_BulkQualifyLeads", minimum=minimum,
            maximum=maximum,
        )  # fmt: skip


def validate_bulk_qualify(operation: Operation[BulkQualifyLeadsRequest]) -> None:
    request = operation.request
    _check_range(request.part_size, "PartSize", 1, 10_000)
    _check_range(request.chunk_size, "ChunkSize", 1, 1000)
    if request.lead_ids and request.query is not None:
        raise BULK_QUALIFY_IDS_AND_QUERY()
    if request.query is not None and request.query.entity_name != "lead":
        raise NOT_A_LEAD(table=request.query.entity_name)


def _matching(operation: Operation[BulkQualifyLeadsRequest], query: QueryExpression) -> list[Any]:
    """The open leads ``query`` matches, read as the caller, in its order (then by id)."""
    open_state = initial_state(operation.metadata.table("lead"))  # as refuse_closed_lead
    criteria = FilterExpression(
        conditions=(ConditionExpression.make("statecode", "eq", open_state),),
        filters=(query.criteria,),
    )
    orders = (*query.orders, OrderExpression("leadid"))
    found: list[Any] = []
    cookie = None
    while True:
        wanted = _PAGE if query.top_count is None else min(_PAGE, query.top_count - len(found))
        page = operation.execute(
            RetrieveMultipleRequest(
                QueryExpression(
                    "lead", ColumnSet.of("leadid"), criteria, orders,
                    page_info=PagingInfo(count=max(1, wanted), paging_cookie=cookie),
                )
            )
        ).entity_collection  # fmt: skip
        found.extend(lead.id for lead in page.entities)
        if len(found) > MAX_LEADS:
            raise BULK_QUALIFY_TOO_MANY(count=f"{MAX_LEADS}+", maximum=MAX_LEADS)
        if not page.more_records or (query.top_count is not None and len(found) >= query.top_count):
            return found[: query.top_count] if query.top_count is not None else found
        cookie = page.paging_cookie


def bulk_qualify_leads(operation: Operation[BulkQualifyLeadsRequest]) -> BulkQualifyLeadsResponse:
    request = operation.request
    if request.query is not None:
        leads = _matching(operation, request.query)
    else:
        leads = list(dict.fromkeys(request.lead_ids))  # a lead given twice is one lead
    if not leads:
        raise BULK_QUALIFY_NO_LEADS()
    if len(leads) > MAX_LEADS:
        raise BULK_QUALIFY_TOO_MANY(count=len(leads), maximum=MAX_LEADS)
    language = operation.context.language
    name = request.name or render(N_("Qualify leads"), {}, language)
    parts = [leads[at : at + request.part_size] for at in range(0, len(leads), request.part_size)]
    options = {
        "status": request.status, "create_account": request.create_account,
        "create_contact": request.create_contact,
        "create_opportunity": request.create_opportunity, "chunk": request.chunk_size,
        # The jobs of one request share its correlation id: a listing can group them.
        "batch": str(operation.context.correlation_id), "parts": len(parts),
    }  # fmt: skip
    queued = []
    for number, part in enumerate(parts, 1):
        title = name
        if len(parts) > 1:
            where = {"name": name, "part": number, "parts": len(parts)}
            title = render(N_("{name} (part {part} of {parts})"), where, language)
        data = {**options, "part": number, "first": 1 + (number - 1) * request.part_size,
                "leads": [str(lead) for lead in part]}  # fmt: skip
        # Queued as the caller: each job runs as them, with their privileges.
        queued.append(operation.execute(QueueJobRequest(JOB_KIND, data, name=title)).id)
    return BulkQualifyLeadsResponse(tuple(queued), len(leads))


# --- the job --------------------------------------------------------------------------------


def made_records(response: QualifyLeadResponse) -> list[dict[str, str]]:
    """What a qualification made, kept with the lead's result."""
    return [{"table": made.logical_name, "id": str(made.id)} for made in response.created_entities]


def _read(context: JobContext, leads: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The leads the job's owner may read, with their name and state, in one query."""
    query = QueryExpression(
        "lead", ColumnSet.of("fullname", "statecode"),
        FilterExpression(conditions=(ConditionExpression("leadid", "in", tuple(leads)),)),
        page_info=PagingInfo(count=len(leads)),
    )  # fmt: skip
    found = context.service.retrieve_multiple(query).entities
    return {lead.id: lead for lead in found if lead.id is not None}


def next_chunk(size: int, seconds: float, most: int, target: float = CHUNK_SECONDS) -> int:
    """The next group's size: about ``target`` seconds of work, at most twice the last
    group and ``most``, at least one lead."""
    if seconds <= 0:
        return min(most, size * 2)
    return max(1, min(most, size * 2, int(size * target / seconds)))


def run_bulk_qualify(context: JobContext) -> None:
    """Qualify the job's leads group by group from its checkpoint (the next lead's index)."""
    data = context.data
    leads = [uuid.UUID(text) for text in data["leads"]]
    flags = {flag: data.get(flag) for flag in ("create_account", "create_contact",
                                                "create_opportunity")}  # fmt: skip
    status = int(data.get("status", DEFAULT_STATUS))
    most = max(1, int(data.get("chunk") or CHUNK_SIZE))
    done = int(context.resume_from or 0)
    first = int(data.get("first", 1))  # a lead's position in the whole selection, from 1
    size = min(most, _FIRST_CHUNK)
    open_state = initial_state(context.organization.metadata().table("lead"))
    while done < len(leads):
        group = leads[done : done + size]
        started = time.monotonic()
        found = _read(context, group)
        items = [
            JobItem(
                first + done + offset,
                # The grid's path (REFERENCE §5): no duplicate check.
                QualifyLeadRequest(EntityReference("lead", lead), status=status, **flags,
                                   suppress_duplicate_detection=True),
                name=str(found[lead].get("fullname") or "") if lead in found else "",
                regarding=EntityReference("lead", lead), describe=made_records,
                # An open lead the owner reads is expected to pass: the group's such leads
                # share one savepoint. A lead foreseen refused runs alone.
                together=lead in found and found[lead].get("statecode") == open_state,
            )
            for offset, lead in enumerate(group)
        ]  # fmt: skip
        context.checkpoint_items(done + len(group), items)
        done += len(group)
        context.progress(done, len(leads))
        size = next_chunk(size, time.monotonic() - started, most)


MESSAGES = {
    BulkQualifyLeadsRequest: Message(
        "lg_BulkQualifyLeads",
        bulk_qualify_leads,
        validate_bulk_qualify,
        lambda request: ("lead", None),
        # Reading the leads and queuing the jobs are messages of their own, checked as the
        # caller; each lead's QualifyLead is checked when its job runs, as the caller.
        authorize=checked_by_nested_messages,
    ),
}


def register(organization: Any) -> None:
    """The message, and the job kind that does the work."""
    organization.register_messages(MESSAGES)
    organization.jobs.register(JOB_KIND, run_bulk_qualify,
                               operation_type=OperationType.BULK_QUALIFY)  # fmt: skip
