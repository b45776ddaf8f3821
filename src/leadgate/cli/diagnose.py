"""``leadgate leads diagnose``: the qualification doctor (lg_DiagnoseQualify) on the command
line — would qualifying this lead succeed, and if not, every cause, its evidence, its fix and
who can make it (docs/doctor.md).

It runs as SYSTEM, or with ``--as EMAIL`` as that user, like the sibling commands; the
diagnosis is for whoever runs it unless ``--for EMAIL`` names someone else (acting for another
user needs prvActOnBehalfOfAnotherUser, as the message checks). Nothing is changed.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer

from leadgate.cli.leads import (
    AccountFlag,
    ContactFlag,
    CurrencyOption,
    CustomerOption,
    LeadArgument,
    OpportunityFlag,
    StatusOption,
    currency_reference,
    customer_reference,
    lead_id,
    service_for,
)
from leadgate.cli.output import (
    AsOption,
    DbOption,
    console,
    language,
    open_organization,
    print_table,
)
from leadgate.platform import EntityReference, Organization
from leadgate.platform.engine.dry_run import StepRun
from leadgate.platform.engine.i18n import N_, localize, translate
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.validation import DEFAULT_STATUS
from leadgate.sales.diagnosis import (
    DiagnoseQualifyRequest,
    DiagnoseQualifyResponse,
    Finding,
    Outcome,
    evidence_label,
    stage_label,
    to_json,
)

__all__ = ["diagnose", "print_diagnosis"]

MARKS = {Outcome.PASSED: "✓", Outcome.FAILED: "✗", Outcome.NOT_CHECKED: "–"}
_INDENT = "  "


def _line(text: str, depth: int = 0) -> None:
    """One line as it is: no markup, no highlighting (texts hold brackets and ids)."""
    console.print(_INDENT * depth + text, soft_wrap=True, markup=False, highlight=False)


def _text(text: str, **params: Any) -> str:
    return translate(text, language()).format(**params)


def _name(organization: Organization, table: str, record: uuid.UUID, column: str) -> str:
    """A record's name to show (read as the system: a heading, not data the user asked)."""
    found = organization.system_service().retrieve_multiple(table, **{f"{table}id": record})
    return str(found.entities[0].get(column) or record) if found.entities else str(record)


def _value(value: Any) -> str:
    """An evidence value on one line: a list joined, a record as its name and id."""
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value) or "-"
    if isinstance(value, dict):
        name, key = value.get("name"), value.get("id")
        shown = " ".join(str(part) for part in (value.get("table"), key) if part)
        text = f"{name} ({shown})" if name and shown else str(name or shown or json.dumps(value))
        rule = value.get("rule")  # a duplicate match's rule, in the reader's language
        return f"{text}: {rule}" if rule else text
    return "-" if value is None or value == "" else str(value)


def _finding(number: int, count: int, finding: Finding) -> None:
    lang = language()
    _line(_text(N_("Cause {number} of {count} ({check}): error {code}"), number=number,
                count=count, check=finding.check.label.in_language(lang),
                code=finding.code))  # fmt: skip
    _line(finding.cause(lang), 1)
    evidence = finding.evidence_in(lang)
    if evidence:
        _line(_text(N_("Evidence:")), 1)
        for name, value in evidence.items():
            items = value if isinstance(value, list) and any(
                isinstance(item, dict) for item in value) else None  # fmt: skip
            label = evidence_label(name).in_language(lang)
            shown = "" if items else _value(value)
            _line(_text(N_("{label}: {value}"), label=label, value=shown).rstrip(), 2)
            if items is None:
                continue
            for item in items:
                _line(f"- {_value(item)}", 3)
    _line(_text(N_("Fix: {fix}"), fix=finding.fix.in_language(lang)), 1)
    _line(_text(N_("Who can fix it: {who}"), who=finding.fixed_by.in_language(lang)), 1)


def _outcome(step: StepRun) -> str:
    if step.error is None:
        return _text(N_("succeeded"))
    return _text(N_("failed: {code}"), code=step.error.code)


# The trace table's headings, in the reader's language.
_HEADINGS = (N_("step"), N_("message"), N_("table"), N_("stage"), N_("depth"), N_("ms"),
             N_("outcome"))  # fmt: skip


def _trace(metadata: MetadataSet, trace: tuple[StepRun, ...]) -> None:
    _line(_text(N_("Dry run, step by step:")))
    print_table(
        [_text(heading) for heading in _HEADINGS],
        (
            (
                localize(step.name, language()),
                step.message,
                step.table or "",
                localize(stage_label(metadata, step.stage), language()),
                step.depth,
                f"{step.duration_ms:.1f}",
                _outcome(step),
            )
            for step in trace
        ),
    )


def print_diagnosis(organization: Organization, response: DiagnoseQualifyResponse) -> None:
    """The report: a line per check, each cause with its evidence and fix, the dry run's
    trace, and the verdict."""
    lang = language()
    _line(_text(
        N_("Diagnosis of the qualification of lead {name} ({id}) by {user}:"),
        name=_name(organization, "lead", response.lead_id, "fullname"), id=response.lead_id,
        user=_name(organization, "systemuser", response.user_id, "fullname"),
    ))  # fmt: skip
    for result in response.checks:
        _line(f"{MARKS[result.outcome]} {result.check.label.in_language(lang)}")
        if result.note is not None:
            _line(result.note.in_language(lang), 1)
    for number, finding in enumerate(response.findings, 1):
        _line("")
        _finding(number, len(response.findings), finding)
    if response.trace:
        _line("")
        _trace(organization.metadata(), response.trace)
    _line("")
    if response.would_succeed:
        _line(_text(N_("Qualification would succeed.")))
    else:
        _line(
            _text(N_("Qualification would fail: {count} cause(s)."), count=len(response.findings))
        )


def diagnose(
    lead: LeadArgument,
    for_user: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="EMAIL",
            help="Diagnose for this user (default: whoever runs the command, --as or the "
            "system). Needs prvActOnBehalfOfAnotherUser when it is someone else.",
            show_default=False,
        ),
    ] = None,
    account: AccountFlag = None,
    contact: ContactFlag = None,
    opportunity: OpportunityFlag = None,
    status: StatusOption = None,
    currency: CurrencyOption = None,
    customer: CustomerOption = None,
    as_grid: Annotated[
        bool,
        typer.Option(
            "--as-grid",
            help="Qualify as the Leads grid does, without the duplicate check (default: as the "
            "lead form, which warns of duplicates).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the diagnosis as the Web API's JSON.")
    ] = False,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Say whether qualifying a lead would succeed, without changing anything; if not, every
    cause: its error code and message, what shows it, the fix and who can make it.

    The checks are QualifyLead's own (closed lead, required steps, active stage, duplicates,
    mappings, privileges), then a dry run of the qualification, rolled back, that finds the
    plug-in step or workflow that refuses it. Exit status 0 when it would succeed, 1 when not.
    """
    record = lead_id(lead, "LEAD_ID")
    with open_organization(db) as organization:
        service = service_for(organization, as_user)
        user = organization.system_service().find_user(for_user).id if for_user else None
        request = DiagnoseQualifyRequest(
            EntityReference("lead", record),
            user_id=user,
            status=DEFAULT_STATUS if status is None else status,
            create_account=account,
            create_contact=contact,
            create_opportunity=opportunity,
            opportunity_currency_id=currency_reference(service, currency) if currency else None,
            opportunity_customer_id=customer_reference(customer) if customer else None,
            suppress_duplicate_detection=as_grid,
        )
        response: DiagnoseQualifyResponse = service.execute(request)
        if as_json:
            typer.echo(json.dumps(to_json(response, language()), indent=2, ensure_ascii=False))
        else:
            print_diagnosis(organization, response)
    if not response.would_succeed:
        raise typer.Exit(1)
