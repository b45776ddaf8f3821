"""Business process flows' refusals (REFERENCE §4, §8)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "FINISH_NOT_ON_LAST_STAGE",
    "INVALID_PROCESS",
    "NOT_A_PROCESS_INSTANCE",
    "NO_NEXT_STAGE",
    "NO_PREVIOUS_STAGE",
    "NO_PROCESS_INSTANCE",
    "PROCESS_NOT_ACTIVE",
    "REQUIRED_STEPS_EMPTY",
    "STAGE_HAS_NO_RECORD",
    "STAGE_NOT_IN_PROCESS",
    "STAGE_NOT_REACHABLE",
    "STAGE_RECORD_REQUIRED",
    "TRAVERSED_PATH_MISMATCH",
]

REQUIRED_STEPS_EMPTY = ErrorKind(
    "required_steps_empty",
    "0x8006041a",
    N_(
        "To move to the next stage, complete the required steps. "
        "(Stage {stage}, empty: {steps}. Fill them in, save, and try again.)"
    ),
)
STAGE_HAS_NO_RECORD = ErrorKind(
    "stage_has_no_record",
    "0x8F4C4770",
    N_(
        "The stage does not move: the next stage, {stage}, is on {table}, and no {table} "
        "belongs to this process yet. {hint}"
    ),
)
STAGE_NOT_REACHABLE = ErrorKind(
    "stage_not_reachable",
    "0x8F4C4771",
    N_(
        "The stage {stage} cannot be made active from {active}: a process moves on to its "
        "next stage ({next}) or back to a stage it has visited."
    ),
)
STAGE_NOT_IN_PROCESS = ErrorKind(
    "stage_not_in_process",
    "0x8F4C4772",
    N_("The stage {stage} is not a stage of the process {process}."),
)
TRAVERSED_PATH_MISMATCH = ErrorKind(
    "traversed_path_mismatch",
    "0x8F4C4773",
    N_(
        "The traversed path {given} does not match the move to {stage}: it would be "
        "{expected}. Send that path, or leave traversedpath out and it is computed."
    ),
)
PROCESS_NOT_ACTIVE = ErrorKind(
    "process_not_active",
    "0x8F4C4774",
    N_("The process {process} of this record is {status}: reactivate it before moving it."),
)
NO_NEXT_STAGE = ErrorKind(
    "no_next_stage",
    "0x8F4C4775",
    N_("{stage} is the last stage of {process}: there is no next stage. Finish the process."),
)
NO_PREVIOUS_STAGE = ErrorKind(
    "no_previous_stage",
    "0x8F4C4776",
    N_("{stage} is the first stage of {process}: there is no previous stage."),
)
FINISH_NOT_ON_LAST_STAGE = ErrorKind(
    "finish_not_on_last_stage",
    "0x8F4C4777",
    N_(
        "The process {process} finishes on its last stage, {last}, and it is on {stage}: "
        "move it on first."
    ),
)
INVALID_PROCESS = ErrorKind(
    "invalid_process",
    "0x8F4C4778",
    N_("The process definition is not valid: {reason}"),
)
NOT_A_PROCESS_INSTANCE = ErrorKind(
    "not_a_process_instance",
    "0x8F4C4779",
    N_("The table '{table}' does not hold business process flow instances."),
)
STAGE_RECORD_REQUIRED = ErrorKind(
    "stage_record_required",
    "0x8F4C477B",
    N_(
        "The process is on {stage}, a stage of {table}: '{column}' cannot be emptied while "
        "it is. Move the process back to an earlier stage first."
    ),
)
NO_PROCESS_INSTANCE = ErrorKind(
    "no_process_instance",
    "0x8F4C477A",
    N_("No active business process flow follows {table} {id}."),
)
