"""The seed's cause 7, plug-ins and workflows, found by trying: QualifyLead run for real as
the user in a savepoint that is rolled back, with a per-step trace; when it fails, the seed's
isolation procedure — the same dry run with each step or workflow that ran left out in turn —
says which one alone makes the difference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadgate.platform.engine.context import Caller
from leadgate.platform.engine.dry_run import DryRun, StepRun, dry_run
from leadgate.platform.engine.i18n import N_, Label, Text
from leadgate.platform.engine.pipeline import Operation
from leadgate.sales.diagnosis.findings import Check, CheckResult, Finding, Outcome, stage_label
from leadgate.sales.diagnosis.remedies import disable_step
from leadgate.sales.qualify import QualifyLeadRequest

__all__ = ["MAX_ISOLATED", "DryRunVerdict", "try_qualify"]

# Dry runs of the isolation procedure at most (one per step or workflow that ran).
MAX_ISOLATED = 25
_KINDS = {
    "step": Label("plug-in step", "étape de plug-in"),
    "workflow": Label("workflow", "workflow"),
}
_AUTHORS = Text(
    N_(
        "A System Administrator or System Customizer (who registers plug-in steps "
        "and activates workflows), or the plug-in's developer."
    )
)


@dataclass(frozen=True)
class DryRunVerdict:
    would_succeed: bool
    results: tuple[CheckResult, ...]  # custom logic, then anything else
    findings: tuple[Finding, ...]
    trace: tuple[StepRun, ...]


def _ran(run: DryRun) -> list[StepRun]:
    """The administrators' steps and the workflows that ran, each once, in order."""
    seen: dict[Any, StepRun] = {}
    for step in run.runs:
        if step.id is not None and step.id not in seen:
            seen[step.id] = step
    return list(seen.values())


def _evidence(operation: Operation[Any], step: StepRun, isolated: list[StepRun]) -> dict[str, Any]:
    user = operation.retrieve("systemuser", step.user_id, ["fullname"])
    return {
        "kind": _KINDS[step.kind], "step": step.name, "step_id": step.id,
        "message": step.message, "table": step.table,
        "step_stage": stage_label(operation.metadata, step.stage),
        "step_depth": step.depth,
        "user": (user.get("fullname") if user is not None else None) or step.user_id,
        "isolated": [{"name": item.name, "id": item.id} for item in isolated],
    }  # fmt: skip


def _fix(step: StepRun) -> Text:
    if step.kind == "workflow":
        return Text(
            N_(
                "Deactivate the workflow '{name}' until it is fixed (leadgate workflows "
                "deactivate {id}): qualification then succeeds without it."
            ),
            name=step.name,
            id=step.id,
        )
    return Text(
        N_(
            "Fix the plug-in, or disable the step '{name}' until it is fixed (leadgate "
            "plugins disable {id}): qualification then succeeds without it."
        ),
        name=step.name,
        id=step.id,
    )


def try_qualify(
    operation: Operation[Any],
    request: QualifyLeadRequest,
    caller: Caller,
    explained: set[str],
) -> DryRunVerdict:
    """Dry-run the qualification; ``explained``: the codes the other checks found, which
    the dry run is expected to stop at."""
    _response, error, run = dry_run(operation, request, caller)
    trace = tuple(run.runs)
    passed = CheckResult(Check.CUSTOM_LOGIC, Outcome.PASSED)
    if error is None:
        return DryRunVerdict(True, (passed, CheckResult(Check.OTHER, Outcome.PASSED)), (), trace)
    failed_step = next((step for step in run.runs if step.error is not None), None)
    if failed_step is None and error.code in explained:
        note = Text(
            N_(
                "Not checked: the trial run stopped at {code}, a cause the other checks "
                "found, before every plug-in step and workflow could run. Fix that cause, "
                "then check again."
            ),
            code=error.code,
        )
        return DryRunVerdict(
            False,
            (
                CheckResult(Check.CUSTOM_LOGIC, Outcome.NOT_CHECKED, note),
                CheckResult(Check.OTHER, Outcome.NOT_CHECKED, note),
            ),
            (),
            trace,
        )
    candidates = _ran(run)
    isolated = [
        step
        for step in candidates[:MAX_ISOLATED]
        if step.id is not None and dry_run(operation, request, caller, (step.id,))[1] is None
    ]
    culprit = failed_step or (isolated[0] if isolated else None)
    if culprit is None:
        finding = Finding(
            Check.OTHER,
            error,
            {},
            Text(N_("Read the error: it says what to change.")),
            Text(N_("Depends on the error; the lead's owner or an administrator.")),
        )
        return DryRunVerdict(
            False, (passed, CheckResult(Check.OTHER, Outcome.FAILED)), (finding,), trace
        )
    limit: Text | None = None
    if len(candidates) > MAX_ISOLATED:
        limit = Text(
            N_("Only the first {count} of {total} steps and workflows were left out in turn."),
            count=MAX_ISOLATED,
            total=len(candidates),
        )
    evidence = _evidence(operation, culprit, isolated)
    finding = Finding(
        Check.CUSTOM_LOGIC,
        error,
        evidence,
        _fix(culprit),
        _AUTHORS,
        disable_step(operation, culprit),
    )
    results = (
        CheckResult(Check.CUSTOM_LOGIC, Outcome.FAILED, limit),
        CheckResult(Check.OTHER, Outcome.PASSED),
    )
    return DryRunVerdict(False, results, (finding,), trace)
