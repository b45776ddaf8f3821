"""What the System Jobs pages show: the person's jobs (an administrator's: everyone's, as
their Read depth on ``asyncoperation`` allows), and one job with what it did item by item.

Everything is read as the signed-in person — RetrieveMultiple and Retrieve on
``asyncoperation``, RetrieveJobResults for the items — and turned into text in their
language: status reasons and outcomes from the metadata, errors from the ``message`` or
``message_fr`` column the job wrote.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from leadgate.platform.engine.entity import Entity, EntityReference
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.query import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.engine.types import Language
from leadgate.platform.jobs import JobState, JobStatus, Outcome, RetrieveJobResultsRequest
from leadgate.platform.records.retrieve import RetrieveMultipleRequest
from leadgate.ui.lookup_names import named, names_of
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_url, shown_record_url
from leadgate.ui.values import display

__all__ = [
    "JOBS",
    "LIST_SIZE",
    "RESULTS_SIZE",
    "JobLine",
    "JobList",
    "JobView",
    "Link",
    "ResultLine",
    "job_url",
    "progress_of",
    "read_job",
    "read_jobs",
]

JOBS = "asyncoperation"
RESULTS = "jobresult"
LIST_SIZE = 50  # jobs per page of the list, newest first
RESULTS_SIZE = 50  # results per page of a job's page ("Next results" reads on past them)
_LISTED = ("name", "statecode", "statuscode", "progress", "createdon", "startedon",
           "completedon", "message", "message_fr", "errorcode", "ownerid")  # fmt: skip
_SHOWN = (*_LISTED, "operationtype", "postponeuntil", "retrycount",
          "regardingobjectid", "regardingobjecttypecode")  # fmt: skip
# How a status reason looks (the badge's class): running, succeeded, failed or canceled.
_LOOKS = {JobStatus.SUCCEEDED: "succeeded", JobStatus.FAILED: "failed",
          JobStatus.CANCELED: "canceled", JobStatus.CANCELING: "canceled"}  # fmt: skip


def job_url(job_id: object) -> str:
    return record_url("asyncoperations", job_id)


@dataclass(frozen=True)
class Link:
    """A record named on the page: its table's label, its name, its page (None: not shown)."""

    table: str
    name: str
    url: str | None


def _message(record: Entity, language: Language) -> str:
    """The job's (or result's) error as it was written, in the reader's language."""
    if language is Language.FRENCH and record.get("message_fr"):
        return str(record["message_fr"])
    return str(record.get("message") or "")


def _text(ui: UiSession, table: str, column: str, value: Any) -> str:
    return display(ui.metadata().table(table).column(column), value, ui.language)


def _status(record: Entity) -> JobStatus:
    try:
        return JobStatus(int(record.get("statuscode") or 0))
    except ValueError:  # a status reason an administrator added: shown by its label
        return JobStatus.IN_PROGRESS


@dataclass(frozen=True)
class Count:
    outcome: Outcome
    label: str
    count: int


@dataclass(frozen=True)
class JobLine:
    """One job in the list."""

    id: uuid.UUID
    name: str
    url: str
    status: str  # the status reason, in the reader's language
    looks: str  # running / succeeded / failed / canceled
    running: bool
    progress: int
    created: str
    completed: str
    code: str
    message: str
    owner: str
    mine: bool
    counts: tuple[Count, ...] = ()  # its items' outcomes, when it has items

    @property
    def failed(self) -> int:
        return sum(count.count for count in self.counts if count.outcome is Outcome.FAILED)


def _counts(ui: UiSession, counted: dict[Outcome, int]) -> tuple[Count, ...]:
    outcome_column = ui.metadata().table(RESULTS).column("outcome")
    return tuple(
        Count(kind, display(outcome_column, int(kind), ui.language), counted.get(kind, 0))
        for kind in Outcome
    )


def _line(ui: UiSession, record: Entity) -> JobLine:
    assert record.id is not None
    status = _status(record)
    owner = record.get("ownerid")
    return JobLine(
        id=record.id, name=str(record.get("name") or record.id), url=job_url(record.id),
        status=_text(ui, JOBS, "statuscode", record.get("statuscode")),
        looks=_LOOKS.get(status, "running"), running=status.state is not JobState.COMPLETED,
        progress=int(record.get("progress") or 0),
        created=_text(ui, JOBS, "createdon", record.get("createdon")),
        completed=_text(ui, JOBS, "completedon", record.get("completedon")),
        code=str(record.get("errorcode") or ""), message=_message(record, ui.language),
        owner=(owner.name or str(owner.id)) if isinstance(owner, EntityReference) else "",
        mine=isinstance(owner, EntityReference) and owner.id == ui.user.user_id,
        counts=_line_counts(ui, record),
    )  # fmt: skip


def _line_counts(ui: UiSession, record: Entity) -> tuple[Count, ...]:
    """How its items went (one small read per started job): a list that says "Succeeded"
    must also say when some of its leads were refused."""
    if record.get("startedon") is None or record.id is None:
        return ()
    counted = ui.service.execute(RetrieveJobResultsRequest(record.id, top=1)).counts
    return _counts(ui, counted) if any(counted.values()) else ()


@dataclass(frozen=True)
class JobList:
    lines: tuple[JobLine, ...]
    running_only: bool
    total: int
    first: int
    last: int
    page: int
    pages: int

    @property
    def others(self) -> bool:
        """Jobs of other users are listed (an administrator's list): say whose each is."""
        return any(not line.mine for line in self.lines)

    @property
    def running(self) -> bool:
        return any(line.running for line in self.lines)


def read_jobs(ui: UiSession, *, running_only: bool, page: int = 1) -> JobList:
    """A page of the jobs the person may read, newest first; ``running_only``: not completed."""
    conditions: tuple[ConditionExpression, ...] = ()
    if running_only:
        conditions = (ConditionExpression("statecode", "ne", (int(JobState.COMPLETED),)),)
    query = QueryExpression(
        JOBS, ColumnSet(_LISTED), FilterExpression("and", conditions),
        (OrderExpression("createdon", descending=True), OrderExpression("asyncoperationid")),
        page_info=PagingInfo(LIST_SIZE, max(1, page), return_total_record_count=True),
    )  # fmt: skip
    found = ui.service.execute(RetrieveMultipleRequest(query)).entity_collection
    entities = list(found)
    named(ui, entities, ["ownerid"])
    total = found.total_record_count or 0
    first = (max(1, page) - 1) * LIST_SIZE + 1 if entities else 0
    return JobList(
        tuple(_line(ui, record) for record in entities), running_only, total, first,
        first + len(entities) - 1 if entities else 0, max(1, page),
        max(1, -(-total // LIST_SIZE)),
    )  # fmt: skip


# --- one job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    """One item of the job's work: where it was, what it was, what came of it."""

    position: int
    name: str
    url: str | None  # the item's record, when the app shows it
    outcome: str  # in the reader's language
    failed: bool
    code: str
    message: str
    made: tuple[Link, ...]  # the records it made (a qualified lead's account, contact...)


@dataclass(frozen=True)
class JobView:
    id: uuid.UUID
    name: str
    type: str
    status: str
    looks: str
    running: bool
    progress: int
    created: str
    started: str
    completed: str
    postponed: str  # a retry's next try, while it waits
    retries: int
    code: str
    message: str
    owner: Link | None  # shown when it is someone else's job
    regarding: Link | None
    counts: tuple[Count, ...]
    results: tuple[ResultLine, ...]
    showing: str  # "failed" or "all"
    after: int  # the last position of the previous page (-1: the first page)
    next_after: int | None  # where "Next results" starts (None: nothing more)
    can_cancel: bool
    can_retry: bool

    status_code: int = 0

    @property
    def has_results(self) -> bool:
        return any(count.count for count in self.counts)

    def count(self, outcome: Outcome) -> int:
        return next((count.count for count in self.counts if count.outcome is outcome), 0)

    @property
    def explanation(self) -> Text | None:
        """What the status means for the person, in a sentence (None: the page says it)."""
        status = self.status_code
        if status == JobStatus.WAITING_FOR_RESOURCES:
            return Text(N_("The job waits for its turn: a worker starts it shortly."))
        if status == JobStatus.IN_PROGRESS:
            return Text(N_("The job is running."))
        if status == JobStatus.CANCELING:
            return Text(N_("The job stops at its next step."))
        if status == JobStatus.SUCCEEDED and self.has_results:
            done, failed = self.count(Outcome.SUCCEEDED), self.count(Outcome.FAILED)
            total = sum(count.count for count in self.counts)
            if failed:
                return Text(N_("Done: {done} of {total} went through; {failed} failed, "
                               "listed below with the reason."),
                            done=done, total=total, failed=failed)  # fmt: skip
            return Text(N_("Done: all {total} went through."), total=total)
        return None


def progress_of(ui: UiSession, job_id: uuid.UUID) -> dict[str, Any]:
    """What the job page's script polls for: status, progress, whether it is over."""
    record = ui.service.retrieve(JOBS, job_id, ["statuscode", "progress", "message",
                                                "message_fr", "errorcode"])  # fmt: skip
    status = _status(record)
    return {
        "status": int(record.get("statuscode") or 0),
        "status_label": _text(ui, JOBS, "statuscode", record.get("statuscode")),
        "progress": int(record.get("progress") or 0),
        "progress_text": Text(
            N_("{percent}%"), percent=int(record.get("progress") or 0)
        ).in_language(ui.language),
        "running": status.state is not JobState.COMPLETED,
        "code": str(record.get("errorcode") or ""),
        "message": _message(record, ui.language),
    }


def _link(ui: UiSession, table_name: str | None, record_id: Any, name: str = "") -> Link | None:
    if not table_name or record_id is None:
        return None
    table = ui.metadata().tables.get(table_name)
    label = table.label.in_language(ui.language) if table is not None else table_name
    url = shown_record_url(ui, table_name, record_id)
    return Link(label, name or str(record_id), url)


def made_references(detail: Any) -> list[EntityReference]:
    """The records a result's JSON detail names: a list (or ``{"created": [...]}``) of
    ``{"table"|"logicalname"|"logical_name": ..., "id": ...}``; anything else names none."""
    try:
        data = json.loads(detail) if isinstance(detail, str) and detail else None
    except ValueError:
        return []
    if isinstance(data, dict):
        data = data.get("created", data.get("records"))
    if not isinstance(data, list):
        return []
    found = []
    for item in data:
        if not isinstance(item, dict):
            continue
        table = item.get("table") or item.get("logicalname") or item.get("logical_name")
        try:
            record_id = uuid.UUID(str(item.get("id")))
        except ValueError:
            continue
        if isinstance(table, str):
            found.append(EntityReference(table, record_id, item.get("name") or None))
    return found


def _results(ui: UiSession, records: list[Entity]) -> tuple[ResultLine, ...]:
    outcome_column = ui.metadata().table(RESULTS).column("outcome")
    made = {record.id: made_references(record.get("detail")) for record in records}
    names = names_of(ui, [ref for refs in made.values() for ref in refs if not ref.name])
    lines = []
    for record in records:
        links = []
        for ref in made[record.id]:
            link = _link(ui, ref.logical_name, ref.id,
                         ref.name or names.get((ref.logical_name, ref.id), ""))  # fmt: skip
            if link is not None:
                links.append(link)
        item = _link(ui, record.get("objecttypecode"), record.get("objectid"))
        lines.append(ResultLine(
            position=int(record.get("sequencenumber") or 0),
            name=str(record.get("name") or record.get("objectid") or ""),
            url=item.url if item is not None else None,
            outcome=display(outcome_column, record.get("outcome"), ui.language),
            failed=record.get("outcome") == int(Outcome.FAILED),
            code=str(record.get("errorcode") or ""), message=_message(record, ui.language),
            made=tuple(links),
        ))  # fmt: skip
    return tuple(lines)


def read_job(ui: UiSession, job_id: uuid.UUID, *, showing: str = "failed",
             after: int = -1) -> JobView:  # fmt: skip
    """The job as the person may read it (RECORD_NOT_FOUND or the access refusal if not),
    with a page of its results: the failures (``showing="failed"``) or all of them."""
    record = ui.service.retrieve(JOBS, job_id, list(_SHOWN))
    assert record.id is not None
    named(ui, [record], ["ownerid"])
    status = _status(record)
    wanted = None if showing == "all" else Outcome.FAILED
    read = ui.service.execute(
        RetrieveJobResultsRequest(job_id, outcome=wanted, top=RESULTS_SIZE, after=after)
    )
    counts = _counts(ui, read.counts)
    results = _results(ui, list(read.results))
    owner = record.get("ownerid")
    regarding_name = ""
    table_name, regarding_id = (
        record.get("regardingobjecttypecode"),
        record.get("regardingobjectid"),
    )
    if table_name and regarding_id:
        regarding_name = names_of(ui, [EntityReference(table_name, regarding_id)]).get(
            (table_name, regarding_id), ""
        )
    return JobView(
        id=record.id, name=str(record.get("name") or record.id),
        type=_text(ui, JOBS, "operationtype", record.get("operationtype")),
        status=_text(ui, JOBS, "statuscode", record.get("statuscode")),
        looks=_LOOKS.get(status, "running"), running=status.state is not JobState.COMPLETED,
        progress=int(record.get("progress") or 0),
        created=_text(ui, JOBS, "createdon", record.get("createdon")),
        started=_text(ui, JOBS, "startedon", record.get("startedon")),
        completed=_text(ui, JOBS, "completedon", record.get("completedon")),
        postponed=_text(ui, JOBS, "postponeuntil", record.get("postponeuntil"))
        if status is JobStatus.WAITING else "",
        retries=int(record.get("retrycount") or 0),
        code=str(record.get("errorcode") or ""), message=_message(record, ui.language),
        owner=_link(ui, "systemuser", owner.id, owner.name or "")
        if isinstance(owner, EntityReference) and owner.id != ui.user.user_id else None,
        regarding=_link(ui, table_name, regarding_id, regarding_name),
        counts=counts, results=results, showing="all" if showing == "all" else "failed",
        after=after, next_after=results[-1].position if read.more and results else None,
        can_cancel=status in (JobStatus.WAITING_FOR_RESOURCES, JobStatus.WAITING,
                              JobStatus.IN_PROGRESS),
        can_retry=status in (JobStatus.FAILED, JobStatus.CANCELED),
        status_code=int(status),
    )  # fmt: skip
