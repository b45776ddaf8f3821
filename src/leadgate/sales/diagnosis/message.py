"""lg_DiagnoseQualify: would QualifyLead of this lead succeed for this user, and if not,
every cause, its evidence and its fix — without changing anything (docs/doctor.md)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import replace
from typing import Any

from leadgate.platform.engine import errors
from leadgate.platform.engine.context import Caller
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.engine.pipeline import Message, Operation
from leadgate.platform.records.fields import checked_reference
from leadgate.platform.security.privileges import Right
from leadgate.sales.diagnosis.checks import STATIC_CHECKS, plan_for
from leadgate.sales.diagnosis.custom_logic import try_qualify
from leadgate.sales.diagnosis.findings import (
    Check,
    CheckResult,
    DiagnoseQualifyRequest,
    DiagnoseQualifyResponse,
    Finding,
    Outcome,
)
from leadgate.sales.diagnosis.remedies import offered
from leadgate.sales.errors import NOT_A_LEAD
from leadgate.sales.qualify import QualifyLeadRequest

__all__ = ["DIAGNOSE_FOR_OTHERS", "MESSAGES"]

# Dataverse's privilege to act for someone else: here, to diagnose for another user.
DIAGNOSE_FOR_OTHERS = "prvActOnBehalfOfAnotherUser"
_GRID_PATH = Text(
    N_(
        "Not checked: the grid's Qualify (and programs, by default) make the "
        "records whatever exists; the lead form's Qualify checks."
    )
)


def _target(request: Any) -> tuple[str | None, Any]:
    return request.lead_id.logical_name, request.lead_id.id


def validate_diagnose(operation: Operation[DiagnoseQualifyRequest]) -> None:
    request = operation.request
    if request.lead_id.logical_name != "lead":
        raise NOT_A_LEAD(table=request.lead_id.logical_name)
    operation.request = replace(request, lead_id=checked_reference(operation, request.lead_id))


def authorize_diagnose(operation: Operation[DiagnoseQualifyRequest]) -> None:
    """The caller reads the lead; diagnosing for another user is acting for them."""
    request = operation.request
    leads = operation.table("lead")
    lead = operation.record_owner(leads, request.lead_id.id)
    if lead is not None:
        operation.require(Right.READ, leads, lead)
    if request.user_id is not None and request.user_id != operation.caller.user_id:
        operation.require_privilege(DIAGNOSE_FOR_OTHERS)


def _qualify_request(request: DiagnoseQualifyRequest) -> QualifyLeadRequest:
    """The QualifyLead the diagnosis tries: every option of QualifyLead, as asked."""
    return QualifyLeadRequest(**{
        field.name: getattr(request, field.name) for field in dataclasses.fields(QualifyLeadRequest)
    })  # fmt: skip


def _user(operation: Operation[DiagnoseQualifyRequest]) -> Caller:
    caller = operation.caller
    user_id = operation.request.user_id or caller.user_id
    if (
        user_id != caller.user_id
        and operation.record_owner(operation.table("systemuser"), user_id) is None
    ):
        raise errors.RECORD_NOT_FOUND(table="systemuser", id=user_id)
    return Caller(user_id, caller.initiating_user_id, caller.language, caller.interface)


def diagnose_qualify(operation: Operation[DiagnoseQualifyRequest]) -> DiagnoseQualifyResponse:
    started = time.perf_counter()
    request = operation.request
    user = _user(operation)
    qualify = _qualify_request(request)
    plan = plan_for(operation, qualify, user.user_id)
    if plan is None:
        raise errors.RECORD_NOT_FOUND(table="lead", id=request.lead_id.id)
    results: list[CheckResult] = []
    findings: list[Finding] = []
    for check, run in STATIC_CHECKS:
        if check is Check.DUPLICATES and request.suppress_duplicate_detection:
            results.append(CheckResult(check, Outcome.NOT_CHECKED, _GRID_PATH))
            continue
        found = run(operation, plan)
        results.append(CheckResult(check, Outcome.FAILED if found else Outcome.PASSED))
        findings.extend(found)
    verdict = try_qualify(operation, qualify, user, {finding.code for finding in findings})
    results.extend(verdict.results)
    findings.extend(verdict.findings)
    return DiagnoseQualifyResponse(
        request.lead_id.id,
        user.user_id,
        verdict.would_succeed,
        tuple(results),
        offered(operation, findings),
        verdict.trace,
        round((time.perf_counter() - started) * 1000, 1),
    )


MESSAGES = {
    DiagnoseQualifyRequest: Message(
        "lg_DiagnoseQualify",
        diagnose_qualify,
        validate_diagnose,
        _target,
        # Its dry runs write in savepoints rolled back: SQLite needs the write lock up front.
        writes=True,
        authorize=authorize_diagnose,
    ),
}
