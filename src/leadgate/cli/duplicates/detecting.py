"""``leadgate duplicates detect`` (BulkDetectDuplicates: a system job that stores the
duplicates of every record of a table that matches a filter) and ``leadgate duplicates
results`` (what such a job found: its ``duplicaterecord`` rows, named).

Both run as SYSTEM or, with ``--as``, as a user: the job then looks only at the records they
may read, and finds only the duplicates they may read; its results are theirs to read.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from leadgate.cli.duplicates.finding import app
from leadgate.cli.output import (
    AsOption,
    DbOption,
    language,
    open_organization,
    print_table,
    record_id,
    say,
    service_for,
)
from leadgate.cli.waiting import (
    WaitOption,
    checkpoint_of,
    refuse_unfinished,
    say_queued,
    wait_for_jobs,
)
from leadgate.platform import (
    ColumnSet,
    ConditionExpression,
    FilterExpression,
    OrderExpression,
    OrganizationService,
    PagingInfo,
    QueryExpression,
)
from leadgate.platform.duplicates.bulk import BulkDetectDuplicatesRequest
from leadgate.platform.duplicates.rule_messages import DEFAULT_BATCH
from leadgate.platform.engine.i18n import N_, Label
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata

__all__ = ["detect", "results"]


def _table(metadata: MetadataSet, name: str) -> TableMetadata:
    """A table by logical name or entity set (account, accounts)."""
    key = name.strip().lower()
    for table in metadata.tables.values():
        if key in (table.name, table.entity_set):
            return table
    return metadata.table(key)  # the platform's coded refusal, naming the tables


def _criteria(table: TableMetadata, text: str | None) -> FilterExpression:
    """``--filter``: the Web API's $filter syntax, read by the same parser."""
    if not text:
        return FilterExpression()
    from leadgate.web.odata_filter import parse_filter
    from leadgate.web.resources import resolve_property

    return parse_filter(
        text,
        lambda name: resolve_property(table, name).name,
        lambda name: resolve_property(table, name),
    )


@app.command("detect")
def detect(
    table: Annotated[str, typer.Argument(help="The table checked, e.g. account.")],
    filter_: Annotated[
        str | None,
        typer.Option(
            "--filter",
            metavar="FILTER",
            help="Only the records this filter matches, written as the Web API's $filter "
            "(e.g. \"statecode eq 0 and startswith(name,'Con')\").",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The system job's name.", show_default=False)
    ] = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, help="Records per transaction.")
    ] = DEFAULT_BATCH,
    wait: WaitOption = True,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Find the duplicates of every record of a table (or those a filter matches) under its
    published rules, as a system job (BulkDetectDuplicates); the pairs are stored with it."""
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        found = _table(organization.metadata(), table)
        query = QueryExpression(found.name, criteria=_criteria(found, filter_))
        job_id = service.execute(BulkDetectDuplicatesRequest(query, name, batch)).job_id
        if not wait:
            say_queued(job_id)
            return
        (job,) = wait_for_jobs(organization, service, [job_id], job_name(service, job_id))
        refuse_unfinished(organization, job)
        summary = checkpoint_of(job)
        say(
            N_("Checked {records} {table} records: {duplicated} have possible duplicates, "
               "{pairs} matches in all."),
            records=summary.get("records", 0), table=found.name,
            duplicated=summary.get("duplicated", 0), pairs=summary.get("pairs", 0),
        )  # fmt: skip
        if summary.get("pairs"):
            say(N_("List them with: leadgate duplicates results {id}"), id=job_id)


def job_name(service: OrganizationService, job_id: uuid.UUID) -> str:
    return str(service.retrieve("asyncoperation", job_id, ["name"])["name"])


def _names(service: OrganizationService, metadata: MetadataSet, refs: set[tuple[str, uuid.UUID]]
           ) -> dict[tuple[str, uuid.UUID], str]:  # fmt: skip
    """The primary names of records, read table by table as the reader may read them."""
    names: dict[tuple[str, uuid.UUID], str] = {}
    for table_name in sorted({table for table, _ in refs}):
        table = metadata.table(table_name)
        ids = [key for name, key in refs if name == table_name]
        for start in range(0, len(ids), 500):
            condition = ConditionExpression(
                table.primary_key, "in", tuple(ids[start : start + 500])
            )
            query = QueryExpression(table.name, ColumnSet.of(table.primary_name),
                                    FilterExpression(conditions=(condition,)),
                                    page_info=PagingInfo(count=500))  # fmt: skip
            for record in service.retrieve_multiple(query).entities:
                assert record.id is not None
                names[(table.name, record.id)] = str(record.get(table.primary_name) or "")
    return names


@app.command("results")
def results(
    job: Annotated[str, typer.Argument(metavar="JOB_ID", help="The detection job's id.")],
    top: Annotated[int, typer.Option("--top", min=1, help="At most this many pairs.")] = 200,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """The duplicates a detection job found: each record, its possible duplicate and the rule
    that matched them."""
    job_id = record_id(job, "JOB_ID")
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        service.retrieve("asyncoperation", job_id, ["name"])  # a coded refusal if not theirs
        query = QueryExpression(
            "duplicaterecord",
            ColumnSet.of("baserecordid", "baserecordidtypecode", "duplicaterecordid",
                         "duplicaterecordidtypecode", "duplicateruleid"),
            FilterExpression(conditions=(ConditionExpression.make("asyncoperationid", "eq",
                                                                  job_id),)),
            (OrderExpression("baserecordid"), OrderExpression("duplicaterecordid")),
            top_count=top,
        )  # fmt: skip
        pairs = service.retrieve_multiple(query).entities
        if not pairs:
            say(N_("The job found no duplicates."))
            return
        metadata = organization.metadata()
        refs = {(p["baserecordidtypecode"], p["baserecordid"]) for p in pairs} | {
            (p["duplicaterecordidtypecode"], p["duplicaterecordid"]) for p in pairs
        }
        names = _names(service, metadata, refs)
        rules = {rule.id: rule for rule in service.retrieve_multiple_all("duplicaterule")}
        lang = language()
        rows = []
        for pair in pairs:
            base = (pair["baserecordidtypecode"], pair["baserecordid"])
            other = (pair["duplicaterecordidtypecode"], pair["duplicaterecordid"])
            rule = rules.get(pair["duplicateruleid"].id)
            label = (
                Label(rule["name"], rule.get("name_fr") or rule["name"]).in_language(lang)
                if rule is not None else pair["duplicateruleid"].id
            )  # fmt: skip
            rows.append((names.get(base, ""), base[1], other[0], names.get(other, ""), other[1],
                         label))  # fmt: skip
        print_table(["record", "id", "duplicate table", "duplicate", "duplicate id", "rule"],
                    rows)  # fmt: skip
