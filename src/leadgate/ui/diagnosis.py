"""The qualification check, "Why can't I qualify?": GET /app/leads/{id}/diagnosis.

A page of the lead (linked from its form's command bar, and from a refused Qualify's error)
that runs lg_DiagnoseQualify as the signed-in person, as the form's Qualify would qualify
(duplicate detection on), and shows what it says: the verdict, every check with its outcome,
each cause found with its evidence, its fix and who can make it, and the dry run's per-step
trace. The message does the work and changes nothing; this module only lays it out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from babel import dates
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from leadgate.platform.duplicates.matchcodes import DuplicateMatch
from leadgate.platform.engine.dry_run import StepRun
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import N_, Label, Text, localize
from leadgate.platform.engine.metadata.model import MetadataSet, TableMetadata
from leadgate.platform.engine.parsing import locale_of
from leadgate.platform.engine.types import Language
from leadgate.sales.diagnosis import (
    Check,
    CheckResult,
    DiagnoseQualifyRequest,
    DiagnoseQualifyResponse,
    Finding,
    Outcome,
    apply_remedy,
    evidence_label,
    stage_label,
)
from leadgate.ui.app import SignedIn, check_csrf
from leadgate.ui.commands import DIAGNOSIS
from leadgate.ui.pages import page, redirect_with_notice, translator
from leadgate.ui.posted import read_form
from leadgate.ui.sessions import UiSession
from leadgate.ui.sitemap import record_id_of, record_url, table_of, table_url
from leadgate.web.errors import status_of

__all__ = ["router"]

router = APIRouter()
FIX = "fix"  # the address a confirmed one-click fix posts to, under the report's

# What a check's outcome reads, beside its symbol (the symbol alone says nothing to a screen
# reader, the colour nothing to some eyes).
_OUTCOMES = {
    Outcome.PASSED: ("✓", N_("Passed")),
    Outcome.FAILED: ("✗", N_("Failed")),
    Outcome.NOT_CHECKED: ("–", N_("Not checked")),
}
# A cause's heading: what is wrong, where the check's label says what should be true.
_PROBLEMS = {
    Check.LEAD_OPEN: N_("The lead is closed"),
    Check.REQUIRED_STEPS: N_("Required steps of the process are empty"),
    Check.ACTIVE_STAGE: N_("The process's active stage is not on the lead"),
    Check.DUPLICATES: N_("Possible duplicates of the new records exist"),
    Check.MAPS: N_("A mapping copies a value the new record cannot take"),
    Check.PRIVILEGES: N_("A privilege is missing"),
    Check.CUSTOM_LOGIC: N_("A plug-in step or workflow refuses the qualification"),
    Check.OTHER: N_("Something else refuses the qualification"),
}
_KINDS = {"step": N_("Plug-in step"), "workflow": N_("Workflow")}


@dataclass(frozen=True)
class CheckView:
    label: str
    outcome: str  # passed | failed | not_checked: the CSS class
    symbol: str
    state: str
    note: str | None
    anchor: str | None  # the first cause it found, on this page


@dataclass(frozen=True)
class EvidenceView:
    label: str
    values: tuple[str, ...]  # one, or the items of a list


@dataclass(frozen=True)
class RemedyView:
    key: str
    label: str
    confirm: str
    url: str  # this page, asking to confirm it


@dataclass(frozen=True)
class FindingView:
    anchor: str
    title: str
    check: str
    code: str
    cause: str
    evidence: tuple[EvidenceView, ...]
    fix: str
    fixed_by: str
    remedies: tuple[RemedyView, ...]


@dataclass(frozen=True)
class StepView:
    kind: str
    name: str
    message: str
    table: str
    stage: str
    depth: int
    duration: str
    failed: bool
    code: str | None
    error: str | None


def diagnosis_url(entity_set: str, lead_id: object) -> str:
    return f"{record_url(entity_set, lead_id)}/{DIAGNOSIS}"


def _text(value: Any, language: Language) -> str:
    """One evidence value as read: a date in the reader's format, a record by its name."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translator(language)(N_("Yes") if value else N_("No"))
    if isinstance(value, dict):
        name = value.get("name")
        rest = [str(item) for key, item in value.items() if key != "name" and item is not None]
        return f"{name} ({', '.join(rest)})" if name and rest else str(name or ", ".join(rest))
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return dates.format_datetime(moment, "short", tzinfo=dt.UTC, locale=locale_of(language))
    return str(value)


def _values(name: str, value: Any, language: Language, metadata: MetadataSet) -> tuple[str, ...]:
    if name == "matches" and isinstance(value, list):
        return tuple(
            DuplicateMatch.from_json(item).describe(metadata).in_language(language)
            for item in value
        )
    if isinstance(value, list):
        return tuple(_text(item, language) for item in value) or ("—",)
    return (_text(value, language),)


def _finding(
    number: int, finding: Finding, language: Language, metadata: MetadataSet, url: str
) -> FindingView:
    _ = translator(language)
    evidence = tuple(
        EvidenceView(evidence_label(name).in_language(language),
                     _values(name, value, language, metadata))
        for name, value in finding.evidence_in(language).items()
    )  # fmt: skip
    problem = _PROBLEMS.get(finding.check)
    return FindingView(
        anchor=f"cause-{number}",
        title=_(problem) if problem else finding.check.label.in_language(language),
        check=finding.check.label.in_language(language),
        code=finding.code,
        cause=finding.cause(language),
        evidence=evidence,
        fix=finding.fix.in_language(language),
        fixed_by=finding.fixed_by.in_language(language),
        remedies=tuple(
            RemedyView(
                remedy.key,
                remedy.label.in_language(language),
                remedy.confirm.in_language(language),
                f"{url}?{urlencode({'confirm': remedy.key})}#confirm-fix",
            )
            for remedy in finding.remedies
        ),
    )


def _check(result: CheckResult, anchor: str | None, language: Language) -> CheckView:
    symbol, state = _OUTCOMES[result.outcome]
    return CheckView(
        label=result.check.label.in_language(language),
        outcome=result.outcome.value,
        symbol=symbol,
        state=translator(language)(state),
        note=result.note.in_language(language) if result.note is not None else None,
        anchor=anchor if result.outcome is Outcome.FAILED else None,
    )


def _step(step: StepRun, language: Language, metadata: MetadataSet) -> StepView:
    _ = translator(language)
    name = step.name.in_language(language) if isinstance(step.name, Label) else step.name
    stage = f"{localize(stage_label(metadata, step.stage), language)} ({step.stage})"
    kind = _KINDS.get(step.kind)
    return StepView(
        kind=_(kind) if kind else step.kind,
        name=name,
        message=step.message,
        table=step.table or "—",
        stage=stage,
        depth=step.depth,
        duration=f"{step.duration_ms:.1f}",
        failed=step.error is not None,
        code=step.error.code if step.error is not None else None,
        error=step.error.message(language) if step.error is not None else None,
    )


def _report(
    response: DiagnoseQualifyResponse, language: Language, metadata: MetadataSet, url: str
) -> dict[str, Any]:
    findings = [
        _finding(number, finding, language, metadata, url)
        for number, finding in enumerate(response.findings, 1)
    ]
    first: dict[Check, str] = {}
    for finding, view in zip(response.findings, findings, strict=True):
        first.setdefault(finding.check, view.anchor)
    if response.would_succeed:
        summary = Text(N_("Qualification would succeed."))
    elif len(findings) == 1:
        summary = Text(N_("Qualification would fail for 1 reason."))
    else:
        summary = Text(N_("Qualification would fail for {count} reasons."), count=len(findings))
    return {
        "would_succeed": response.would_succeed,
        "summary": summary,
        "checks": [_check(result, first.get(result.check), language) for result in response.checks],
        "findings": findings,
        "trace": [_step(step, language, metadata) for step in response.trace],
        "milliseconds": response.milliseconds,
    }


def _lead(ui: UiSession, entity_set: str, record_id: str) -> tuple[TableMetadata, uuid.UUID]:
    table = table_of(ui, entity_set)
    if table.name != "lead":
        raise HTTPException(404)  # only a lead is qualified
    return table, record_id_of(record_id)


def _page(
    request: Request, ui: UiSession, table: TableMetadata, lead_id: uuid.UUID, *,
    confirm: str | None = None, error: LeadgateError | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    lead = ui.service.retrieve(table.name, lead_id, [table.primary_name])
    response = ui.service.execute(DiagnoseQualifyRequest(EntityReference(table.name, lead_id)))
    url = diagnosis_url(table.entity_set, lead_id)
    report = _report(response, ui.language, ui.metadata(), url)
    _ = translator(ui.language)
    return page(
        request, ui, "diagnosis.html", status_code=status_code,
        table=table, grid_url=table_url(table.entity_set),
        lead_url=record_url(table.entity_set, lead_id), url=url, fix_url=f"{url}/{FIX}",
        lead_name=str(lead.get(table.primary_name) or "") or _("(no name)"),
        user_name=ui.user.full_name or ui.user.email, report=report, confirm=confirm,
        error=error,
    )  # fmt: skip


@router.get("/{entity_set}/{record_id}/" + DIAGNOSIS)
async def diagnosis_page(
    request: Request, ui: SignedIn, entity_set: str, record_id: str, confirm: str | None = None
) -> Response:
    """The report; ``?confirm=<key>`` opens the confirmation of one of its one-click fixes."""
    table, lead_id = _lead(ui, entity_set, record_id)
    return _page(request, ui, table, lead_id, confirm=confirm)


@router.post("/{entity_set}/{record_id}/" + DIAGNOSIS + "/" + FIX)
async def apply_fix(request: Request, ui: SignedIn, entity_set: str, record_id: str) -> Response:
    """A confirmed one-click fix: applied as the signed-in person if the lead's diagnosis
    still offers it to them, then the report again, checked anew."""
    table, lead_id = _lead(ui, entity_set, record_id)
    form = await read_form(request)
    check_csrf(ui, form)
    asked = DiagnoseQualifyRequest(EntityReference(table.name, lead_id))
    try:
        remedy = apply_remedy(ui.service, asked, form.get("remedy"))
    except LeadgateError as error:
        return _page(request, ui, table, lead_id, error=error, status_code=status_of(error))
    notice = Text(N_("Done: {fix}. The lead was checked again."), fix=remedy.label)
    return redirect_with_notice(diagnosis_url(table.entity_set, lead_id),
                                notice.in_language(ui.language))  # fmt: skip
