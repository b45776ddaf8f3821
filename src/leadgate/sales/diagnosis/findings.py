"""What the qualification doctor reports: for each of the seeds' causes a check that passed,
failed or could not be reached, and for each failure a finding — the error QualifyLead would
raise, its evidence, the fix and who can make it — in English and French."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Any

from leadgate.platform.engine.dry_run import StepRun
from leadgate.platform.engine.entity import EntityReference
from leadgate.platform.engine.errors import LeadgateError
from leadgate.platform.engine.i18n import Label, Text, localize
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.types import Language

__all__ = [
    "Check",
    "CheckResult",
    "DiagnoseQualifyRequest",
    "DiagnoseQualifyResponse",
    "Finding",
    "Outcome",
    "Remedy",
    "evidence_label",
    "stage_label",
    "to_json",
]


class Check(enum.Enum):
    """The seeds' causes, in the order the doctor checks them, and what the rest catches."""

    LEAD_OPEN = "lead_open"
    REQUIRED_STEPS = "required_steps"
    ACTIVE_STAGE = "active_stage"
    DUPLICATES = "duplicates"
    MAPS = "maps"
    PRIVILEGES = "privileges"
    CUSTOM_LOGIC = "custom_logic"
    OTHER = "other"

    @property
    def label(self) -> Label:
        return _CHECK_LABELS[self]


_CHECK_LABELS = {
    Check.LEAD_OPEN: Label("The lead is open", "Le prospect est ouvert"),
    Check.REQUIRED_STEPS: Label(
        "The required steps of the lead's stage are filled in",
        "Les étapes obligatoires de la phase du prospect sont renseignées",
    ),
    Check.ACTIVE_STAGE: Label(
        "The process's active stage is on the lead",
        "La phase active du processus est sur le prospect",
    ),
    Check.DUPLICATES: Label(
        "No duplicate the lead form would warn about",
        "Aucun doublon que le formulaire du prospect signalerait",
    ),
    Check.MAPS: Label(
        "The mappings copy only values the new records can take",
        "Les mappages ne copient que des valeurs que les nouveaux enregistrements acceptent",
    ),
    Check.PRIVILEGES: Label(
        "The user holds every privilege qualifying needs",
        "L'utilisateur détient tous les privilèges nécessaires à la qualification",
    ),
    Check.CUSTOM_LOGIC: Label(
        "Plug-in steps and workflows let the qualification through",
        "Les étapes de plug-in et les workflows laissent passer la qualification",
    ),
    Check.OTHER: Label(
        "Nothing else refuses the qualification",
        "Rien d'autre ne refuse la qualification",
    ),
}


class Outcome(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"  # with a note that says why (the grid's path, a stop before)


@dataclass(frozen=True)
class Remedy:
    """A fix that is one normal message (granting a privilege, removing a map, making a step
    optional, disabling a step): offered to a caller who may run it, applied after they
    confirm, by running ``request`` as them. ``key`` names it within a diagnosis."""

    key: str
    label: Text
    confirm: Text
    request: Any
    privileges: tuple[str, ...]  # what the caller must hold to be offered it


@dataclass(frozen=True)
class Finding:
    """One cause: the error QualifyLead would raise (its code and text are the cause), what
    shows it, what to change and who can change it."""

    check: Check
    error: LeadgateError
    evidence: dict[str, Any]
    fix: Text
    fixed_by: Text
    remedies: tuple[Remedy, ...] = ()

    @property
    def code(self) -> str:
        return self.error.code

    def cause(self, language: Language | str) -> str:
        return self.error.message(language)

    def evidence_in(self, language: Language | str) -> dict[str, Any]:
        """The evidence with its labels and texts in ``language`` (plain JSON values)."""
        return {name: _plain(value, language) for name, value in self.evidence.items()}


def _plain(value: Any, language: Language | str) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(item, language) for item in value]
    if isinstance(value, dict):
        return {name: _plain(item, language) for name, item in value.items()}
    if isinstance(value, EntityReference):
        return {"table": value.logical_name, "id": str(value.id)}
    if isinstance(value, (uuid.UUID,)):
        return str(value)
    if isinstance(value, (Label, Text)):
        return localize(value, language)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# The evidence's names, as a report shows them.
_EVIDENCE_LABELS = {
    "lead": Label("Lead", "Prospect"),
    "state": Label("State", "État"),
    "closed_by": Label("Closed by", "Fermé par"),
    "closed_on": Label("Closed on", "Fermé le"),
    "process": Label("Process", "Processus"),
    "stage": Label("Stage", "Phase"),
    "stage_table": Label("Stage's table", "Table de la phase"),
    "lead_stage": Label("Lead's stage", "Phase du prospect"),
    "steps": Label("Empty steps", "Étapes vides"),
    "matches": Label("Matches", "Correspondances"),
    "map": Label("Mapping", "Mappage"),
    "map_id": Label("Mapping id", "ID du mappage"),
    "column": Label("Column", "Colonne"),
    "value": Label("Value", "Valeur"),
    "user": Label("User", "Utilisateur"),
    "privilege": Label("Privilege", "Privilège"),
    "table": Label("Table", "Table"),
    "depth": Label("Depth needed", "Niveau nécessaire"),
    "held": Label("Depth held", "Niveau détenu"),
    "roles": Label("Roles held", "Rôles détenus"),
    "kind": Label("Kind", "Type"),
    "step": Label("Step", "Étape"),
    "step_id": Label("Step id", "ID de l'étape"),
    "message": Label("Message", "Message"),
    "step_stage": Label("Pipeline stage", "Phase du pipeline"),
    "step_depth": Label("Depth", "Profondeur"),
    "isolated": Label(
        "Left out alone, qualification succeeds", "Seul à être retiré, la qualification réussit"
    ),
}


def evidence_label(name: str) -> Label:
    return _EVIDENCE_LABELS.get(name, Label(name))


def stage_label(metadata: MetadataSet, stage: int) -> Label | str:
    """A pipeline stage as plug-in step registrations name it (Pre-operation …), from the
    metadata of their stage column: the one place those labels are kept."""
    option = metadata.table("sdkmessageprocessingstep").column("stage").option(stage)
    return option.label if option is not None else str(stage)


@dataclass(frozen=True)
class CheckResult:
    check: Check
    outcome: Outcome
    note: Text | None = None


@dataclass(frozen=True)
class DiagnoseQualifyRequest:
    """Would QualifyLead of ``lead_id`` succeed for ``user_id`` (default: the caller), with
    these options? The options are QualifyLead's; ``suppress_duplicate_detection`` False is
    the lead form's path (duplicates warned about), True the grid's."""

    lead_id: EntityReference
    user_id: uuid.UUID | None = None
    status: int = -1  # -1: the Qualified state's default status reason
    create_account: bool | None = None
    create_contact: bool | None = None
    create_opportunity: bool | None = None
    opportunity_currency_id: EntityReference | None = None
    opportunity_customer_id: EntityReference | None = None
    source_campaign_id: EntityReference | None = None
    process_instance_id: EntityReference | None = None
    suppress_duplicate_detection: bool = False


@dataclass(frozen=True)
class DiagnoseQualifyResponse:
    """Every check's outcome, every cause found, and the dry run's per-step trace (the
    failing dry run's, where there was one)."""

    lead_id: uuid.UUID
    user_id: uuid.UUID
    would_succeed: bool
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    trace: tuple[StepRun, ...] = field(default=())
    milliseconds: float = 0.0


def _step_json(step: StepRun, language: Language | str) -> dict[str, Any]:
    return {
        "Kind": step.kind,
        "Id": str(step.id) if step.id else None,
        "Name": _plain(step.name, language),
        "Message": step.message,
        "Table": step.table,
        "Stage": step.stage,
        "Depth": step.depth,
        "UserId": str(step.user_id),
        "DurationMs": step.duration_ms,
        "Outcome": "succeeded" if step.error is None else "failed",
        "Error": None
        if step.error is None
        else {"Code": step.error.code, "Message": step.error.message(language)},
    }


def to_json(response: DiagnoseQualifyResponse, language: Language | str) -> dict[str, Any]:
    """The diagnosis as the Web API and ``leadgate leads diagnose --json`` give it, with its
    texts in ``language``."""
    return {
        "LeadId": str(response.lead_id),
        "UserId": str(response.user_id),
        "WouldSucceed": response.would_succeed,
        "Checks": [
            {
                "Check": result.check.value,
                "Label": result.check.label.in_language(language),
                "Outcome": result.outcome.value,
                "Note": result.note.in_language(language) if result.note else None,
            }
            for result in response.checks
        ],
        "Findings": [
            {
                "Check": finding.check.value,
                "Code": finding.code,
                "Cause": finding.cause(language),
                "Evidence": finding.evidence_in(language),
                "Fix": finding.fix.in_language(language),
                "FixedBy": finding.fixed_by.in_language(language),
                "Remedies": [
                    {
                        "Key": remedy.key,
                        "Label": remedy.label.in_language(language),
                        "Confirm": remedy.confirm.in_language(language),
                    }
                    for remedy in finding.remedies
                ],
            }
            for finding in response.findings
        ],
        "Trace": [_step_json(step, language) for step in response.trace],
        "Milliseconds": response.milliseconds,
    }
