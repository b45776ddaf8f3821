"""The qualification doctor: why this lead cannot be qualified by this user, and the fix —
before anyone presses Qualify (docs/doctor.md)."""

from __future__ import annotations

from typing import Any

from leadgate.sales.diagnosis.findings import (
    Check,
    CheckResult,
    DiagnoseQualifyRequest,
    DiagnoseQualifyResponse,
    Finding,
    Outcome,
    Remedy,
    evidence_label,
    stage_label,
    to_json,
)
from leadgate.sales.diagnosis.message import DIAGNOSE_FOR_OTHERS, MESSAGES
from leadgate.sales.diagnosis.remedies import apply_remedy

__all__ = [
    "DIAGNOSE_FOR_OTHERS",
    "Check",
    "CheckResult",
    "DiagnoseQualifyRequest",
    "DiagnoseQualifyResponse",
    "Finding",
    "Outcome",
    "Remedy",
    "apply_remedy",
    "evidence_label",
    "register",
    "stage_label",
    "to_json",
]


def register(organization: Any) -> None:
    organization.register_messages(MESSAGES)
