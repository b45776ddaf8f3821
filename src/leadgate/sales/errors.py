"""The sales solution's refusals, in the seeds' words (REFERENCE §8)."""

from __future__ import annotations

from leadgate.platform.engine.errors import ErrorKind
from leadgate.platform.engine.i18n import N_

__all__ = [
    "ACTIVE_STAGE_NOT_ON_LEAD",
    "BULK_QUALIFY_IDS_AND_QUERY",
    "BULK_QUALIFY_NO_LEADS",
    "BULK_QUALIFY_TOO_MANY",
    "CHOOSE_WHAT_TO_CREATE",
    "DUPLICATE_ON_QUALIFY",
    "LEAD_CLOSED",
    "NOT_A_CUSTOMER",
    "NOT_A_LEAD",
    "NOT_THIS_LEADS_PROCESS",
    "REMEDY_NOT_OFFERED",
]

LEAD_CLOSED = ErrorKind(
    "lead_closed",
    "0x8F4C4760",
    N_(
        "The lead is closed and you can't convert or qualify a lead that is already closed. "
        "(Lead {id} is {state}: reactivate it first, or pick it from the Open Leads view.)"
    ),
)
CHOOSE_WHAT_TO_CREATE = ErrorKind(
    "choose_what_to_create",
    "0x8F4C4761",
    N_(
        "This organization asks which records to create when a lead is qualified: give "
        "CreateAccount, CreateContact and CreateOpportunity (missing: {missing})."
    ),
)
NOT_A_CUSTOMER = ErrorKind(
    "not_a_customer",
    "0x8F4C4762",
    N_("The opportunity's customer must be an account or a contact, not a {table} record."),
)
NOT_A_LEAD = ErrorKind(
    "not_a_lead",
    "0x8F4C4763",
    N_("QualifyLead qualifies leads; {table} records cannot be qualified."),
)
ACTIVE_STAGE_NOT_ON_LEAD = ErrorKind(
    "active_stage_not_on_lead",
    "0x80100002",
    N_(
        "Active stage is not on 'Lead' entity. (The process {process} is on {stage}, a stage "
        "of {table}: select Set Active on the {lead_stage} stage, then qualify again.)"
    ),
)
NOT_THIS_LEADS_PROCESS = ErrorKind(
    "not_this_leads_process",
    "0x8F4C4764",
    N_("The process instance {id} does not follow the lead {lead}, or is not active."),
)

DUPLICATE_ON_QUALIFY = ErrorKind(
    "qualify_duplicate_warning",
    "0x80040333",
    N_("There might already be a match for this account or contact. If so, please select it."),
)

# BulkQualifyLeads (sales/bulk_qualify.py): refusals of the selection, at queue time.
BULK_QUALIFY_NO_LEADS = ErrorKind(
    "bulk_qualify_no_leads",
    "0x8F4C47D2",
    N_(
        "There is no lead to qualify: give lead ids, or a query that matches open leads you "
        "may read."
    ),
)
BULK_QUALIFY_IDS_AND_QUERY = ErrorKind(
    "bulk_qualify_ids_and_query",
    "0x8F4C47D3",
    N_("Give the leads to qualify either as ids or as a query, not both."),
)
BULK_QUALIFY_TOO_MANY = ErrorKind(
    "bulk_qualify_too_many",
    "0x8F4C47D4",
    N_(
        "{count} leads are selected, and at most {maximum} can be qualified in one request: "
        "split the selection (by owner or by creation date, say)."
    ),
)

# The qualification doctor (sales/diagnosis): a one-click fix asked for that it does not offer.
REMEDY_NOT_OFFERED = ErrorKind(
    "remedy_not_offered",
    "0x8F4C47EB",
    N_(
        "This fix ({key}) is not offered for this lead any more: the cause it was for is gone, "
        "or you may not apply it. Check the lead again to see what is left."
    ),
)
