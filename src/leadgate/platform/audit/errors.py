"""The audit trail's own errors (codes 0x8F4C47E8-0x8F4C47EB)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = ["AUDIT_NOT_AUDITABLE", "AUDIT_READ_ONLY", "RECORD_HISTORY_DENIED"]

RECORD_HISTORY_DENIED = ErrorKind(
    "record_history_denied",
    "0x8F4C47E8",
    N_(
        "You cannot read the change history of the {table} record {id}: reading it needs "
        "the privilege prvReadRecordAuditHistory and the right to read the record."
    ),
)

# Dataverse's audit table is read-only: its rows are the platform's record of changes.
AUDIT_READ_ONLY = ErrorKind(
    "audit_read_only",
    "0x8F4C47E9",
    N_(
        "The audit table is read-only: its rows are written by the platform when audited "
        "records change."
    ),
)

# Auditing the audit would write a row for each row it writes.
AUDIT_NOT_AUDITABLE = ErrorKind(
    "audit_not_auditable",
    "0x8F4C47EA",
    N_("The audit table cannot be audited: its rows record the changes of other tables."),
)
